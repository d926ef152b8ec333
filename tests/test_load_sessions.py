"""How `make load`'s sessions send: not all at the same moment."""

import statistics
import threading
import time

from load.__main__ import Tally, actions, run_session


class RecordingSocket:
    """Stands in for the websocket: answers at once and notes when each event was sent."""

    token = "tab"

    def __init__(self) -> None:
        self.sent: list[float] = []

    def round_trip(self, *args, **kwargs) -> tuple[float, list[dict]]:
        self.sent.append(time.monotonic())
        return 0.001, [{"delta": {"state": {"count_label_rx_state_": "1"}}}]


def test_sessions_started_together_send_their_first_events_apart():
    sockets = [RecordingSocket() for _ in range(20)]
    tally = Tally()
    until = time.monotonic() + 1.5
    threads = [threading.Thread(target=run_session, args=(s, actions(), until, 0.3, tally)) for s in sockets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    firsts = sorted(s.sent[0] for s in sockets if s.sent)
    assert len(firsts) >= 15, "most sessions send within five think times"
    # Sent as soon as their threads started, the first events would all be within a few milliseconds.
    assert statistics.median(firsts) - firsts[0] > 0.05, [round(t - firsts[0], 3) for t in firsts]
    assert len(tally.trips) > len(sockets) and not tally.errors


def test_a_session_ends_with_the_run_not_after_its_next_pause():
    sockets = [RecordingSocket() for _ in range(10)]
    started = time.monotonic()
    until = started + 0.3
    # Pauses of a 60 s mean would outlast the run by far: each is cut short at `until`.
    threads = [
        threading.Thread(target=run_session, args=(s, actions(), until, 60.0, Tally())) for s in sockets
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert not any(thread.is_alive() for thread in threads)
    assert time.monotonic() - started < 1.5
