"""Repeated refusals within a minute are one audit row plus one counted row: a signed-in person's per
detail, the ones without a session per address whatever they asked."""

import asyncio
import random
import string

from admin_app.auth.refusal_log import Refusal, RefusalLog
from admin_app.db.auth_events import MORE_FROM_ADDRESS

SIGNED_IN = Refusal("refused", "sales@example.com", "203.0.113.9", "revoke needs sessions:admin")
NO_SESSION = Refusal("refused", "", "203.0.113.9", "/api/licenses/1/license-file needs license_files")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(scenario) -> list[tuple[Refusal, int]]:
    written: list[tuple[Refusal, int]] = []

    async def write(refusal, count) -> None:
        written.append((refusal, count))

    asyncio.run(scenario(written, write))
    return written


def with_detail(refusal: Refusal, detail: str) -> Refusal:
    return Refusal(refusal.kind, refusal.email, refusal.client_address, detail)


def test_a_burst_is_one_row_then_one_counted_row_when_the_minute_ends():
    async def scenario(written, write):
        log = RefusalLog(write, window_s=0.2)
        for _ in range(500):
            await log.record(SIGNED_IN)
        assert written == [(SIGNED_IN, 1)]
        await asyncio.sleep(0.3)

    assert run(scenario) == [(SIGNED_IN, 1), (SIGNED_IN, 499)]


def test_without_a_session_every_detail_from_one_address_is_counted_together():
    details = ["".join(random.choices(string.printable, k=60)) for _ in range(1000)]

    async def scenario(written, write):
        log = RefusalLog(write, window_s=0.2)
        for detail in details:
            await log.record(with_detail(NO_SESSION, detail))
        assert len(written) == 1, "one row while the window is open, whatever the details"
        await asyncio.sleep(0.3)

    first, counted = run(scenario)
    assert first == (with_detail(NO_SESSION, details[0]), 1)
    assert counted == (with_detail(NO_SESSION, MORE_FROM_ADDRESS), 999)


def test_without_a_session_two_addresses_are_counted_apart():
    other = Refusal("refused", "", "198.51.100.1", NO_SESSION.detail)

    async def scenario(written, write):
        log = RefusalLog(write, window_s=60)
        for _ in range(3):
            await log.record(NO_SESSION)
            await log.record(other)
        await log.flush()

    assert run(scenario) == [
        (NO_SESSION, 1),
        (other, 1),
        (with_detail(NO_SESSION, MORE_FROM_ADDRESS), 2),
        (with_detail(other, MORE_FROM_ADDRESS), 2),
    ]


def test_signed_in_clients_details_or_people_are_separate_rows():
    other_address = Refusal(*(SIGNED_IN.kind, SIGNED_IN.email, "198.51.100.1", SIGNED_IN.detail))
    other_detail = with_detail(SIGNED_IN, "set_search needs licenses:read")
    other_person = Refusal(SIGNED_IN.kind, "manager@example.com", SIGNED_IN.client_address, SIGNED_IN.detail)

    async def scenario(written, write):
        log = RefusalLog(write, window_s=60)
        for refusal in (SIGNED_IN, other_address, other_detail, other_person, SIGNED_IN):
            await log.record(refusal)
        await log.flush()

    assert run(scenario) == [
        (SIGNED_IN, 1),
        (other_address, 1),
        (other_detail, 1),
        (other_person, 1),
        (SIGNED_IN, 1),
    ]


def test_after_the_window_a_refusal_is_written_at_once_again():
    clock = Clock()

    async def scenario(written, write):
        log = RefusalLog(write, window_s=60, clock=clock)
        await log.record(SIGNED_IN)
        clock.now += 61
        await log.record(SIGNED_IN)

    assert run(scenario) == [(SIGNED_IN, 1), (SIGNED_IN, 1)]


def test_a_window_whose_timer_has_not_run_is_counted_before_the_next_one_opens():
    clock = Clock()

    async def scenario(written, write):
        log = RefusalLog(write, window_s=60, clock=clock)
        await log.record(NO_SESSION)
        await log.record(NO_SESSION)
        clock.now += 61
        await log.record(NO_SESSION)

    counted = with_detail(NO_SESSION, MORE_FROM_ADDRESS)
    assert run(scenario) == [(NO_SESSION, 1), (counted, 1), (NO_SESSION, 1)]


def test_a_single_refusal_writes_no_counted_row():
    async def scenario(written, write):
        log = RefusalLog(write, window_s=0.1)
        await log.record(SIGNED_IN)
        await asyncio.sleep(0.2)

    assert run(scenario) == [(SIGNED_IN, 1)]
