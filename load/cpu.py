"""Server CPU time from the kernel's process accounting (/proc/<pid>/stat): the app, PostgreSQL, Redis.

Each reading sums user and system time of the live processes of a group, plus what their reaped
children used (cutime, cstime), so a PostgreSQL backend that exits between two readings still counts.
"""

import os
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
GROUPS = ("app", "postgres", "redis")


def _group(pid_dir: Path, marker: bytes) -> str | None:
    try:
        name = (pid_dir / "comm").read_text().strip()
        if name.startswith("postgres"):
            return "postgres"
        if name.startswith("redis-server"):
            return "redis"
        return "app" if marker in (pid_dir / "environ").read_bytes() else None
    except OSError:
        return None


def _cpu_seconds(pid_dir: Path) -> float:
    try:
        fields = (pid_dir / "stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3 of the man page, utime 14, stime 15, cutime 16, cstime 17.
    return sum(int(value) for value in fields[11:15]) / TICKS_PER_SECOND


def cpu_seconds(marker: str) -> dict[str, float]:
    """CPU seconds used so far by each group; the app is every process with `marker` in its environment."""
    totals = dict.fromkeys(GROUPS, 0.0)
    for pid_dir in Path("/proc").iterdir():
        if pid_dir.name.isdigit() and (group := _group(pid_dir, marker.encode())):
            totals[group] += _cpu_seconds(pid_dir)
    return totals


def cpu_per_event(before: dict[str, float], after: dict[str, float], events: int) -> dict[str, float]:
    """Milliseconds of CPU per event, by group and in all, between two readings."""
    used = {group: (after[group] - before[group]) * 1000 / max(events, 1) for group in GROUPS}
    used["total"] = sum(used.values())
    return {group: round(ms, 2) for group, ms in used.items()}
