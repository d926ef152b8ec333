"""Repeated refusals within a minute are one audit row plus one counted row: a signed-in person's per
detail, the ones without a session per address whatever they asked."""

import asyncio
import random
import string

from admin_app.auth.refusal_log import Refusal, RefusalLog
from admin_app.db.staff.auth_events import MORE_FROM_ADDRESS

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


def test_a_refusal_exactly_a_window_after_the_first_opens_a_new_window():
    clock = Clock()

    async def scenario(written, write):
        log = RefusalLog(write, window_s=60, clock=clock)
        await log.record(SIGNED_IN)
        clock.now += 60
        await log.record(SIGNED_IN)

    assert run(scenario) == [(SIGNED_IN, 1), (SIGNED_IN, 1)]


def test_a_single_repeat_is_written_when_its_window_closes_and_not_before():
    clock = Clock()
    counted = with_detail(NO_SESSION, MORE_FROM_ADDRESS)

    async def scenario(written, write):
        log = RefusalLog(write, window_s=1.0, clock=clock)
        await log.record(NO_SESSION)
        # The repeat comes late in the window: its count is due a tenth of a second later.
        clock.now += 0.9
        await log.record(NO_SESSION)
        await asyncio.sleep(0.02)
        assert written == [(NO_SESSION, 1)], "not written before the window closes"
        await asyncio.sleep(0.18)
        assert written == [(NO_SESSION, 1), (counted, 1)], "written when it closes, not a window later"

    run(scenario)


def test_a_full_table_of_windows_writes_the_counted_repeats_before_a_new_window_opens(monkeypatch):
    from admin_app.auth import refusal_log

    monkeypatch.setattr(refusal_log, "MAX_KEYS", 3)
    others = [Refusal("refused", "", f"198.51.100.{n}", "x") for n in (1, 2)]
    newcomer = Refusal("refused", "", "198.51.100.3", "x")

    async def scenario(written, write):
        log = RefusalLog(write, window_s=60)
        await log.record(NO_SESSION)
        await log.record(NO_SESSION)
        for other in others:
            await log.record(other)
        assert len(written) == 3, "three windows open, one repeat counted"
        await log.record(newcomer)
        await log.record(NO_SESSION)

    assert run(scenario) == [
        (NO_SESSION, 1),
        (others[0], 1),
        (others[1], 1),
        (with_detail(NO_SESSION, MORE_FROM_ADDRESS), 1),
        (newcomer, 1),
        (NO_SESSION, 1),
    ]


def test_a_counted_row_that_cannot_be_written_is_logged_and_one_that_is_written_is_not(caplog):
    failure = RuntimeError("the audit table is locked")
    other = Refusal("refused", "", "198.51.100.1", NO_SESSION.detail)

    async def scenario(written, write):
        async def write_or_fail(refusal, count) -> None:
            if refusal.client_address == NO_SESSION.client_address and count > 1:
                raise failure
            await write(refusal, count)

        log = RefusalLog(write_or_fail, window_s=0.05)
        for refusal in (NO_SESSION, NO_SESSION, NO_SESSION, other, other):
            await log.record(refusal)
        await asyncio.sleep(0.1)

    with caplog.at_level("ERROR", logger="admin_app.auth.refusal_log"):
        written = run(scenario)
    assert written == [(NO_SESSION, 1), (other, 1), (with_detail(other, MORE_FROM_ADDRESS), 1)]
    logged = [(r.name, r.levelname, r.getMessage(), r.exc_info and r.exc_info[1]) for r in caplog.records]
    assert logged == [("admin_app.auth.refusal_log", "ERROR", "could not record repeated refusals", failure)]
