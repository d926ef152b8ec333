"""Server CPU time from the kernel's process accounting (/proc/<pid>/stat): the app, PostgreSQL, Redis.

Each reading sums user and system time of the live processes of a group, plus what their reaped
children used (cutime, cstime), so a PostgreSQL backend that exits between two readings still counts.
The load generator's own processes and the OpenID provider share the machine: they are read too
(`generator`, `provider`), to show what is left for the server, but are not the server's cost.
"""

import os
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
SERVER = ("app", "postgres", "redis")
GROUPS = (*SERVER, "generator", "provider")


def _group(pid_dir: Path, marker: bytes) -> str | None:
    try:
        name = (pid_dir / "comm").read_text().strip()
        if name.startswith("postgres"):
            return "postgres"
        if name.startswith("redis-server"):
            return "redis"
        if marker in (pid_dir / "environ").read_bytes():
            return "app"
        parent = int((pid_dir / "stat").read_text().rpartition(")")[2].split()[1])
        if os.getpid() in (int(pid_dir.name), parent):
            return "provider" if b"oidc_provider" in (pid_dir / "cmdline").read_bytes() else "generator"
        return None
    except (OSError, ValueError, IndexError):
        return None


def _cpu_seconds(pid_dir: Path, children: bool = True) -> float:
    try:
        fields = (pid_dir / "stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3 of the man page, utime 14, stime 15, cutime 16, cstime 17.
    return sum(int(value) for value in fields[11 : 15 if children else 13]) / TICKS_PER_SECOND


def cpu_seconds(marker: str) -> dict[str, float]:
    """CPU seconds used so far by each group; the app is every process with `marker` in its environment."""
    totals = dict.fromkeys(GROUPS, 0.0)
    for pid_dir in Path("/proc").iterdir():
        if pid_dir.name.isdigit() and (group := _group(pid_dir, marker.encode())):
            # The generator's parent has reaped the pools of earlier runs: their time is not this run's.
            totals[group] += _cpu_seconds(pid_dir, children=int(pid_dir.name) != os.getpid())
    return totals


def cpu_per_event(before: dict[str, float], after: dict[str, float], events: int) -> dict[str, float]:
    """Milliseconds of CPU per event, by group, and the server's (app, PostgreSQL, Redis) in all."""
    used = {group: (after[group] - before[group]) * 1000 / max(events, 1) for group in GROUPS}
    used["total"] = sum(used[group] for group in SERVER)
    return {group: round(ms, 2) for group, ms in used.items()}


def cores_busy(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, float]:
    """How many cores each group kept busy on average between two readings `seconds` apart."""
    busy = {group: (after[group] - before[group]) / seconds for group in GROUPS}
    busy["server"] = sum(busy[group] for group in SERVER)
    return {group: round(cores, 2) for group, cores in busy.items()}
