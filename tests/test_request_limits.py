"""Tries per client address: a sliding window per address, and a table that cannot grow for ever."""

from admin_app.web import request_limits
from admin_app.web.request_limits import AttemptsPerAddress


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_gets_its_tries_again_as_the_window_slides():
    clock = Clock()
    attempts = AttemptsPerAddress(3, 60.0, clock)
    assert [attempts.retry_after("192.0.2.1") for _ in range(3)] == [0, 0, 0]
    clock.now += 20
    assert attempts.retry_after("192.0.2.1") == 40
    assert attempts.retry_after("192.0.2.2") == 0
    clock.now += 40
    assert attempts.retry_after("192.0.2.1") == 0
    assert attempts.retry_after("192.0.2.1") == 0
    assert attempts.retry_after("192.0.2.1") == 0
    assert attempts.retry_after("192.0.2.1") == 60


def test_quiet_addresses_are_forgotten_when_the_table_is_full(monkeypatch):
    monkeypatch.setattr(request_limits, "MAX_ADDRESSES", 100)
    clock = Clock()
    attempts = AttemptsPerAddress(1, 60.0, clock)
    for n in range(100):
        attempts.retry_after(f"10.0.0.{n}")
    clock.now += 61
    assert attempts.retry_after("10.0.1.1") == 0
    assert len(attempts._attempts) == 1
    for n in range(99):
        attempts.retry_after(f"10.0.2.{n}")
    # Every address busy: the table starts again rather than grow past its bound.
    assert attempts.retry_after("10.0.3.1") == 0
    assert len(attempts._attempts) == 1
