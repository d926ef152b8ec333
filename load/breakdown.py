"""Round trips measured by the generator, explained by the server's own clock (event_timing's lines).

A round trip (one action: send an event, wait for the update that shows it done) may take several
server events: the event sent and the ones it chains. The events of a round trip are the tab's
events received between the send and the awaited update; their stages add up to the server's part
of the round trip. The generator and the server run on one machine and read one clock, so the two
legs outside the server are measured too: `to_server` from the send to Reflex queueing the event
(the websocket in, the socket.io decoding), `to_client` from the awaited update leaving the server
to the generator having read it (the websocket out, the generator's thread waking up and decoding).
The server's work after the awaited update left (the last event's state save, or a handler going on
to send a second update) is not counted in its stages. What is left (`unmeasured`) is the time
between a trip's events, and any leg whose end the server did not stamp.
"""

import json
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from admin_app.devtools.event_timing import STAGES, WITHIN

TRANSIT = ("to_server", "to_client")
REMAINDER = "unmeasured"
# Not milliseconds: how many updates the trip's events sent (each a delta computed and emitted).
UPDATES = "updates"


@dataclass(frozen=True)
class Trip:
    """One round trip as the generator saw it (epoch seconds)."""

    action: str
    token: str
    sent: float
    seconds: float

    @property
    def answered(self) -> float:
        return self.sent + self.seconds


def server_events(directory: Path) -> dict[str, list[dict]]:
    """Every worker's event lines, by tab token, each tab's in the order they were received."""
    by_token: dict[str, list[dict]] = defaultdict(list)
    for path in directory.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            if line:
                record = json.loads(line)
                by_token[record["token"]].append(record)
    for events in by_token.values():
        events.sort(key=lambda record: record["received"])
    return by_token


def explain(trip: Trip, events: list[dict]) -> dict[str, float] | None:
    """The round trip's milliseconds by stage (and its updates), or None when the server recorded none
    of its events."""
    # Allow the two clocks a millisecond: the send is stamped just before the bytes leave.
    start, end = trip.sent - 0.001, trip.answered
    mine = [e for e in events if start <= e["received"] <= end and e["started"] < end]
    if not mine:
        return None
    parts = dict.fromkeys(STAGES + WITHIN, 0.0)
    previous_done = 0.0
    for event in mine:
        for stage, ms in event["ms"].items():
            parts[stage] += ms
        # A chained event is received while its parent still runs: that wait is the parent's time.
        overlap = max(0.0, min(previous_done, event["started"]) - event["received"]) * 1000
        parts["queued"] -= min(overlap, event["ms"]["queued"])
        previous_done = event["done"]
    left = _awaited_update_left(mine, trip.answered)
    after = max(0.0, mine[-1]["done"] - (left or trip.answered)) * 1000
    # Work after the awaited update left is not the round trip's: the state save, or a handler that
    # goes on to send a second update (a list's count).
    for stage in ("save", "other", "emit", "delta", "handler"):
        taken = min(after, parts[stage])
        parts[stage] -= taken
        after -= taken
    parts["to_server"] = max(0.0, mine[0]["received"] - trip.sent) * 1000
    parts["to_client"] = (trip.answered - left) * 1000 if left else 0.0
    measured = sum(parts[stage] for stage in (*STAGES, *TRANSIT))
    parts[REMAINDER] = trip.seconds * 1000 - measured
    parts["round_trip"] = trip.seconds * 1000
    parts[UPDATES] = sum(event.get(UPDATES, 0) for event in mine)
    return parts


def _awaited_update_left(events: list[dict], answered: float) -> float | None:
    """When the update the generator waited for left the server: the last to leave before the answer
    came (None when the server stamped no departure)."""
    return max(
        (left for event in events for left in event.get("emits", ()) if left <= answered), default=None
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))], 1) if ordered else 0.0


def breakdown(trips: list[Trip], directory: Path) -> dict:
    """Per action: p50 and p95 of each stage, and the mean of each over the slowest 5 % of its trips
    (the tail whose p95 the targets name; means of one set of trips add up, percentiles do not)."""
    by_token = server_events(directory)
    by_action: dict[str, list[dict[str, float]]] = defaultdict(list)
    unexplained = 0
    for trip in trips:
        parts = explain(trip, by_token.get(trip.token, []))
        if parts is None:
            unexplained += 1
        else:
            by_action[trip.action].append(parts)
            by_action["all"].append(parts)
    result: dict = {"trips_without_server_events": unexplained}
    for action, rows in sorted(by_action.items()):
        slowest_first = sorted(rows, key=lambda row: row["round_trip"], reverse=True)
        tail = slowest_first[: math.ceil(len(rows) / 20)]
        keys = [*STAGES, *TRANSIT, REMAINDER, *WITHIN, UPDATES]
        tail_mean = {key: round(statistics.fmean(row[key] for row in tail), 1) for key in keys}
        tail_round_trip = statistics.fmean(row["round_trip"] for row in tail)
        result[action] = {
            "p50": {key: percentile([row[key] for row in rows], 0.5) for key in keys},
            "p95": {key: percentile([row[key] for row in rows], 0.95) for key in keys},
            "tail_round_trip_ms": round(tail_round_trip, 1),
            "tail_mean": tail_mean,
            "tail_explained_share": round(1 - tail_mean[REMAINDER] / tail_round_trip, 3),
        }
    return result
