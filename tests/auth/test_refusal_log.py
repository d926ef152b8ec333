"""Identical refusals from one client within a minute are one audit row plus one counted row."""

import asyncio

from admin_app.auth.refusal_log import RefusalLog

KEY = ("refused", "sales@example.com", "203.0.113.9", "revoke needs sessions:admin")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(scenario) -> list[tuple[tuple, int]]:
    written: list[tuple[tuple, int]] = []

    async def write(key, count) -> None:
        written.append((key, count))

    asyncio.run(scenario(written, write))
    return written


def test_a_burst_is_one_row_then_one_counted_row_when_the_minute_ends():
    async def scenario(written, write):
        log = RefusalLog(write, window_s=0.2)
        for _ in range(500):
            await log.record(KEY)
        assert written == [(KEY, 1)]
        await asyncio.sleep(0.3)

    assert run(scenario) == [(KEY, 1), (KEY, 499)]


def test_different_clients_details_or_people_are_separate_rows():
    other_address = (*KEY[:2], "198.51.100.1", KEY[3])
    other_detail = (*KEY[:3], "set_search needs licenses:read")

    async def scenario(written, write):
        log = RefusalLog(write, window_s=60)
        for key in (KEY, other_address, other_detail, KEY):
            await log.record(key)
        await log.flush()

    assert run(scenario) == [(KEY, 1), (other_address, 1), (other_detail, 1), (KEY, 1)]


def test_after_the_window_a_refusal_is_written_at_once_again():
    clock = Clock()

    async def scenario(written, write):
        log = RefusalLog(write, window_s=60, clock=clock)
        await log.record(KEY)
        clock.now += 61
        await log.record(KEY)

    assert run(scenario) == [(KEY, 1), (KEY, 1)]


def test_a_single_refusal_writes_no_counted_row():
    async def scenario(written, write):
        log = RefusalLog(write, window_s=0.1)
        await log.record(KEY)
        await asyncio.sleep(0.2)

    assert run(scenario) == [(KEY, 1)]
