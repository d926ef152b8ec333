"""How `make load` splits a round trip into the server's stages, and reads CPU time from /proc."""

import json
import os
import subprocess
import sys
import time

import pytest

from admin_app.devtools.event_timing import STAGES, WITHIN
from load.breakdown import REMAINDER, TRANSIT, UPDATES, Trip, breakdown, explain
from load.cpu import cores_busy, cpu_per_event, cpu_seconds


def server_event(received: float, started: float, done: float, **ms: float) -> dict:
    stages = dict.fromkeys(STAGES + WITHIN, 0.0) | {"queued": (started - received) * 1000} | ms
    return {"token": "tab", "name": "e", "received": received, "started": started, "done": done, "ms": stages}


def test_without_the_updates_departure_the_way_back_is_the_remainder():
    trip = Trip("search", "tab", sent=100.000, seconds=0.050)
    event = server_event(100.002, 100.004, 100.046, handler=30.0, lock=5.0, emit=2.0, save=1.0, db=25.0)
    parts = explain(trip, [event])
    assert parts["handler"] == 30.0 and parts["db"] == 25.0
    assert parts["queued"] == pytest.approx(2.0)
    assert parts["to_server"] == pytest.approx(2.0) and parts["to_client"] == 0.0
    assert parts[REMAINDER] == pytest.approx(50 - (2 + 30 + 5 + 2 + 1) - 2)


def test_the_legs_to_the_server_and_back_are_measured_on_the_shared_clock():
    trip = Trip("search", "tab", sent=100.000, seconds=0.050)
    # Queued by Reflex 3 ms after the send; the update left at 44 ms, the state was saved until 47 ms.
    stages = {"handler": 36.0, "emit": 2.0, "save": 3.0, "other": 2.0}
    event = server_event(100.003, 100.004, 100.047, **stages) | {"emits": [100.044]}
    parts = explain(trip, [event])
    assert parts["to_server"] == pytest.approx(3.0)
    assert parts["to_client"] == pytest.approx(6.0)
    assert parts["save"] == pytest.approx(0.0, abs=1e-6)
    assert sum(parts[stage] for stage in (*STAGES, *TRANSIT)) == pytest.approx(50.0)
    assert parts[REMAINDER] == pytest.approx(0.0, abs=1e-6)


def test_the_way_back_starts_when_the_awaited_update_left_and_later_work_is_not_counted():
    trip = Trip("search", "tab", sent=100.000, seconds=0.030)
    # The rows left at 26 ms and answered the trip; the handler went on to send the count at 44 ms.
    event = server_event(100.003, 100.004, 100.046, handler=40.0, emit=1.0, other=1.0) | {
        "emits": [100.026, 100.044]
    }
    parts = explain(trip, [event])
    assert parts["to_server"] == pytest.approx(3.0) and parts["to_client"] == pytest.approx(4.0)
    assert parts["handler"] == pytest.approx(40.0 - 18.0)
    assert parts[REMAINDER] == pytest.approx(0.0, abs=1e-6)


def test_a_chained_events_wait_for_its_parent_is_not_counted_twice():
    trip = Trip("page", "tab", sent=100.000, seconds=0.100)
    parent = server_event(100.001, 100.001, 100.040, handler=39.0)
    # Chained 10 ms before its parent finished, started 5 ms after: 5 ms of its own queueing.
    child = server_event(100.030, 100.045, 100.095, handler=50.0)
    parts = explain(trip, [parent, child])
    assert parts["queued"] == pytest.approx(5.0)
    assert parts["handler"] == 89.0


def test_work_after_the_awaited_update_left_is_outside_the_round_trip():
    trip = Trip("open", "tab", sent=100.000, seconds=0.020)
    # The update left at 19 ms; saving the state took until 30 ms.
    event = server_event(100.000, 100.000, 100.030, handler=15.0, emit=4.0, save=11.0)
    parts = explain(trip, [event])
    assert parts["save"] == pytest.approx(1.0)
    assert parts[REMAINDER] == pytest.approx(0.0, abs=1e-6)


def test_events_of_other_tabs_and_other_times_are_not_a_trips(tmp_path):
    trip = Trip("search", "tab", sent=100.000, seconds=0.050)
    earlier = server_event(99.0, 99.0, 99.01, handler=10.0)
    later = server_event(100.2, 100.2, 100.3, handler=10.0)
    assert explain(trip, [earlier, later]) is None
    (tmp_path / "1.jsonl").write_text(
        "\n".join(
            json.dumps(e | {"token": token})
            for e, token in ((server_event(100.001, 100.001, 100.04, handler=30.0), "other"),)
        )
    )
    result = breakdown([trip], tmp_path)
    assert result["trips_without_server_events"] == 1 and "search" not in result


def test_a_trip_counts_the_updates_its_events_sent():
    trip = Trip("page", "tab", sent=100.000, seconds=0.100)
    parent = server_event(100.001, 100.001, 100.040, handler=39.0) | {UPDATES: 2}
    child = server_event(100.030, 100.045, 100.095, handler=50.0) | {UPDATES: 1}
    assert explain(trip, [parent, child])[UPDATES] == 3


def test_the_tail_is_the_slowest_twentieth_and_its_means_add_up(tmp_path):
    trips, lines = [], []
    for i in range(40):
        sent, seconds = 1000.0 + i, 0.010 if i < 38 else 0.200
        token = f"tab{i}"
        trips.append(Trip("search", token, sent, seconds))
        handler = seconds * 1000 - 2
        lines.append(
            json.dumps(
                server_event(sent + 0.001, sent + 0.001, sent + seconds, handler=handler) | {"token": token}
            )
        )
    (tmp_path / "7.jsonl").write_text("\n".join(lines))
    result = breakdown(trips, tmp_path)["search"]
    assert result["tail_round_trip_ms"] == pytest.approx(200.0)
    tail = result["tail_mean"]
    measured = sum(tail[stage] for stage in (*STAGES, *TRANSIT))
    assert measured + tail[REMAINDER] == pytest.approx(200.0, abs=0.3)
    # The server stamped no update's departure: the 1 ms to the server is measured, the way back is not.
    assert tail["to_server"] == pytest.approx(1.0)
    assert result["tail_explained_share"] == pytest.approx(199 / 200, abs=0.001)


def test_cpu_of_a_marked_process_is_read_from_proc():
    marker = f"CPU_TEST_{os.getpid()}"
    before = cpu_seconds(marker)
    burn = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass"
    process = subprocess.Popen(
        [sys.executable, "-c", burn + "\ntime.sleep(5)"], env={**os.environ, marker: "1"}
    )
    try:
        deadline = time.monotonic() + 20
        while cpu_seconds(marker)["app"] - before["app"] < 0.45:
            assert time.monotonic() < deadline, "the marked process's CPU never showed"
            time.sleep(0.1)
    finally:
        process.kill()
        process.wait()
    before = {"app": 1.0, "postgres": 2.0, "redis": 0.0, "generator": 5.0, "provider": 0.0}
    after = {"app": 1.5, "postgres": 2.1, "redis": 0.01, "generator": 6.0, "provider": 0.0}
    assert cpu_per_event(before, after, 10) == {
        "app": 50.0,
        "postgres": 10.0,
        "redis": 1.0,
        "generator": 100.0,
        "provider": 0.0,
        "total": 61.0,
    }
    assert cores_busy(before, after, 0.5) == {
        "app": 1.0,
        "postgres": 0.2,
        "redis": 0.02,
        "generator": 2.0,
        "provider": 0.0,
        "server": 1.22,
    }
