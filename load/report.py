"""`make load`'s records as Markdown tables, to read on the terminal and to paste into docs/performance.md."""

from admin_app.devtools.event_timing import STAGES
from load.breakdown import REMAINDER, TRANSIT, UPDATES

CPU_GROUPS = ("app", "postgres", "redis", "total")
SHARING = ("generator", "provider")


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def capacity_curve(runs: list[dict]) -> str:
    header = ["sessions", "events/s", "p50 ms", "p95 ms", "p99 ms", "errors"]
    header += [f"CPU ms/event {group}" for group in CPU_GROUPS]
    header += ["server cores busy", "load generator cores busy"]
    rows = []
    for run in runs:
        cpu, busy = run["cpu_ms_per_event"], run["cores_busy"]
        rows.append(
            [run[key] for key in ("sessions", "events_per_second", "p50_ms", "p95_ms", "p99_ms", "errors")]
            + [cpu[group] for group in CPU_GROUPS]
            + [busy["server"], round(sum(busy[group] for group in SHARING), 2)]
        )
    return _table(header, rows)


def tail_breakdown(run: dict) -> str:
    """The slowest 5 % of each action's round trips, by where their time went (means, ms)."""
    header = ["action", "tail round trip", *STAGES, *TRANSIT, REMAINDER, "of which db", "db wait", "redis"]
    header += ["explained", "updates (p50, tail)"]
    rows = []
    for action, parts in run["breakdown"].items():
        if not isinstance(parts, dict):
            continue
        mean = parts["tail_mean"]
        rows.append(
            [action, parts["tail_round_trip_ms"]]
            + [mean[key] for key in (*STAGES, *TRANSIT, REMAINDER, "db", "db_wait", "redis")]
            + [f"{parts['tail_explained_share']:.0%}", f"{parts['p50'][UPDATES]:g}, {mean[UPDATES]:g}"]
        )
    return _table(header, rows)


def cpu_by_action(alone: list[dict]) -> str:
    """Each action run alone: its server CPU per event, and how many of it one core serves per second."""
    header = ["action", "events", *(f"CPU ms {group}" for group in CPU_GROUPS), "events per core-second"]
    rows = []
    for run in alone:
        cpu = run["cpu_ms_per_event"]
        per_core = round(1000 / cpu["total"], 1) if cpu["total"] else "-"
        action = run["load"].removeprefix("only_")
        rows.append([action, run["events"], *(cpu[group] for group in CPU_GROUPS), per_core])
    return _table(header, rows)


def report(records: list[dict]) -> str:
    parts = []
    for mode in dict.fromkeys(record["mode"] for record in records):
        mine = [record for record in records if record["mode"] == mode]
        runs = [record for record in mine if record["load"] == "event_round_trip"]
        alone = [record for record in mine if record["load"].startswith("only_")]
        memory = [record for record in mine if record["load"] == "idle_memory"]
        parts.append(f"## {mode}")
        for record in memory:
            parts.append(
                f"Idle signed-in session: {record['kb_per_session']} KB "
                f"(app {record['app_kb_per_session']}, Redis {record['redis_kb_per_session']})"
            )
        parts.append("### Round trips and CPU per event, by concurrent sessions\n" + capacity_curve(runs))
        for run in runs:
            heading = f"### Where the slowest 5 % went, {run['sessions']} sessions"
            parts.append(heading + "\n" + tail_breakdown(run))
        if alone:
            parts.append("### Each action alone\n" + cpu_by_action(alone))
    return "\n\n".join(parts)
