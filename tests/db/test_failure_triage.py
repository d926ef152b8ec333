"""Failed reconciliations worked off as a queue: taking, notes, closing and the queue itself, on SQLite
and PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from admin_app.db.history.audit import Actor, history_of
from admin_app.db.models import FailureNote, FailureTriage
from admin_app.db.reconciliations.triage import (
    CHOOSE_OUTCOME,
    NOT_TAKEN,
    PAGE_SIZE,
    add_note,
    close_failure,
    failure_counts,
    failure_queue,
    take_failure,
    triage_of,
)
from admin_app.db.session import engine_for
from tests.factories import NOW, add_reconciliations

ANA = Actor("ana@example.com")
BEN = Actor("ben@example.com")
TODAY = date(2026, 11, 22)
RATE_LIMITED = "HTTP 429 Too Many Requests from billing API"
DECLINED = "Payment method declined (card expired)"


def failed(session, **overrides):
    [reconciliation] = add_reconciliations(
        session, [{"status": "failed", "error_message": RATE_LIMITED, **overrides}]
    )
    return reconciliation


def take(session, reconciliation, actor=ANA):
    outcome = take_failure(session, reconciliation_id=reconciliation.id, actor=actor, now=NOW)
    session.commit()
    return outcome


def close(session, reconciliation, actor=ANA, lock_version=0, outcome="fixed_in_billing", reason="Re-ran it"):
    result = close_failure(
        session,
        reconciliation_id=reconciliation.id,
        lock_version=lock_version,
        outcome=outcome,
        reason=reason,
        actor=actor,
        now=NOW,
    )
    session.commit()
    return result


def story(session, reconciliation):
    """The reconciliation's history, oldest first: who did what."""
    rows = reversed(history_of(session, item_type="reconciliation", item_id=reconciliation.id))
    return [(v.actor, v.changes, v.reason) for v in rows]


# Taking ------------------------------------------------------------------------------------------


def test_taking_a_failure_records_who_has_it_in_the_reconciliations_history(session):
    reconciliation = failed(session)
    outcome = take(session, reconciliation)
    assert outcome.ok
    triage = triage_of(session, reconciliation_id=reconciliation.id)
    assert (triage.taken_by, triage.taken_at, triage.closed_at, triage.lock_version) == (
        "ana@example.com",
        NOW,
        None,
        0,
    )
    assert story(session, reconciliation) == [
        ("ana@example.com", {"taken_by": [None, "ana@example.com"]}, None)
    ]


def test_taking_one_somebody_else_holds_is_refused_with_who_has_it(session):
    reconciliation = failed(session)
    take(session, reconciliation, ANA)
    outcome = take(session, reconciliation, BEN)
    assert outcome.message == (
        "ana@example.com has had this failure since 2026-11-22 12:00 UTC. "
        "Nothing was changed: ask them, or leave a note."
    )
    assert triage_of(session, reconciliation_id=reconciliation.id).taken_by == "ana@example.com"
    assert len(story(session, reconciliation)) == 1


def test_taking_one_you_hold_already_changes_nothing(session):
    reconciliation = failed(session)
    take(session, reconciliation)
    assert take(session, reconciliation).ok
    assert len(story(session, reconciliation)) == 1


@pytest.mark.parametrize("status", ["done", "skipped", "pending", "processing"])
def test_only_a_failed_reconciliation_can_be_taken(session, status):
    [reconciliation] = add_reconciliations(session, [{"status": status}])
    outcome = take(session, reconciliation)
    assert outcome.message == (
        f"Reconciliation #{reconciliation.id} is {status}, not failed: "
        "only failed reconciliations are worked off in the queue."
    )
    assert triage_of(session, reconciliation_id=reconciliation.id) is None


def test_a_reconciliation_that_does_not_exist_cannot_be_taken(session):
    assert take_failure(session, reconciliation_id=999, actor=ANA, now=NOW).message == (
        "There is no reconciliation #999."
    )


def test_a_closed_failure_cannot_be_taken_again(session):
    reconciliation = failed(session)
    take(session, reconciliation)
    close(session, reconciliation, outcome="duplicate")
    assert take(session, reconciliation, BEN).message == (
        "This failure was closed by ana@example.com at 2026-11-22 12:00 UTC (Duplicate). Nothing was changed."
    )


def test_two_people_who_both_saw_it_free_take_it_at_once_and_exactly_one_wins(session, db_url):
    reconciliation = failed(session)
    with Session(engine_for(db_url)) as first, Session(engine_for(db_url)) as second:

        def ana_takes_it_first(flushing, _context, _instances):
            # Ben checked that nobody has it; before his row is written, Ana's is, and committed.
            assert take(first, reconciliation, ANA).ok

        event.listen(second, "before_flush", ana_takes_it_first, once=True)
        outcome = take(second, reconciliation, BEN)
    assert outcome.message.startswith("ana@example.com has had this failure since")
    session.expire_all()
    assert session.scalars(sa.select(FailureTriage.taken_by)).all() == ["ana@example.com"]
    assert [who for who, _, _ in story(session, reconciliation)] == ["ana@example.com"]


def test_two_threads_taking_the_same_failure_at_once_make_one_holder(session, db_url):
    reconciliation = failed(session)
    start = threading.Barrier(2)

    def take_in_own_session(actor):
        with Session(engine_for(db_url), expire_on_commit=False) as own:
            start.wait()
            return take(own, reconciliation, actor)

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(take_in_own_session, [ANA, BEN]))
    winners = [o.value.taken_by for o in outcomes if o.ok]
    assert len(winners) == 1
    [refusal] = [o.message for o in outcomes if not o.ok]
    assert refusal.startswith(f"{winners[0]} has had this failure since")
    session.expire_all()
    assert session.scalars(sa.select(FailureTriage.taken_by)).all() == winners
    assert [who for who, _, _ in story(session, reconciliation)] == winners


# Notes -------------------------------------------------------------------------------------------


def test_a_note_is_kept_with_its_author_and_in_the_history(session):
    reconciliation = failed(session)
    outcome = add_note(
        session, reconciliation_id=reconciliation.id, text=" Asked billing.\nWaiting. ", actor=BEN, now=NOW
    )
    session.commit()
    assert outcome.ok
    [note] = session.scalars(
        sa.select(FailureNote).where(FailureNote.reconciliation_id == reconciliation.id)
    ).all()
    assert (note.author, note.written_at, note.text) == ("ben@example.com", NOW, "Asked billing.\nWaiting.")
    assert story(session, reconciliation) == [
        ("ben@example.com", {"note": [None, "Asked billing.\nWaiting."]}, None)
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("   ", "Note can't be blank."),
        ("x" * 2001, "Note is too long (at most 2000 characters)."),
        ("bell\x07", "Note can't contain control characters."),
    ],
)
def test_a_blank_too_long_or_garbled_note_is_refused_beside_the_field(session, text, error):
    reconciliation = failed(session)
    outcome = add_note(session, reconciliation_id=reconciliation.id, text=text, actor=ANA, now=NOW)
    assert outcome.field_errors == {"text": error}
    session.rollback()
    assert session.scalars(sa.select(FailureNote)).all() == []


def test_a_note_on_a_reconciliation_that_did_not_fail_is_refused(session):
    [reconciliation] = add_reconciliations(session, [{"status": "done"}])
    outcome = add_note(session, reconciliation_id=reconciliation.id, text="hm", actor=ANA, now=NOW)
    assert outcome.message.endswith("only failed reconciliations are worked off in the queue.")


# Closing -----------------------------------------------------------------------------------------


def test_closing_records_the_outcome_the_reason_and_who_closed_it_beside_who_took_it(session):
    reconciliation = failed(session)
    take(session, reconciliation, ANA)
    outcome = close(session, reconciliation, actor=BEN, outcome="customer_contacted", reason=" Card updated ")
    assert outcome.ok
    triage = triage_of(session, reconciliation_id=reconciliation.id)
    assert (triage.taken_by, triage.closed_by, triage.closed_at, triage.outcome, triage.close_reason) == (
        "ana@example.com",
        "ben@example.com",
        NOW,
        "customer_contacted",
        "Card updated",
    )
    assert triage.lock_version == 1
    assert story(session, reconciliation)[-1] == (
        "ben@example.com",
        {"outcome": [None, "customer_contacted"], "closed_by": [None, "ben@example.com"]},
        "Card updated",
    )


def test_closing_needs_an_outcome_from_the_list_and_a_reason(session):
    reconciliation = failed(session)
    take(session, reconciliation)
    outcome = close(session, reconciliation, outcome="shrug", reason=" ")
    assert outcome.field_errors == {"outcome": CHOOSE_OUTCOME, "reason": "Reason can't be blank."}
    assert CHOOSE_OUTCOME == (
        "Choose what came of it: Fixed in billing, Customer contacted, Not our error, Duplicate."
    )
    assert triage_of(session, reconciliation_id=reconciliation.id).closed_at is None


def test_a_failure_nobody_took_cannot_be_closed(session):
    reconciliation = failed(session)
    assert close(session, reconciliation).message == NOT_TAKEN
    assert story(session, reconciliation) == []


def test_a_closed_failure_cannot_be_closed_again(session):
    reconciliation = failed(session)
    take(session, reconciliation)
    close(session, reconciliation, outcome="not_our_error")
    outcome = close(session, reconciliation, actor=BEN, lock_version=1, outcome="duplicate")
    assert outcome.message == (
        "This failure was closed by ana@example.com at 2026-11-22 12:00 UTC (Not our error). "
        "Nothing was changed."
    )
    assert triage_of(session, reconciliation_id=reconciliation.id).outcome == "not_our_error"


def test_two_closing_at_once_the_second_is_refused_with_who_came_first(session, db_url):
    reconciliation = failed(session)
    take(session, reconciliation)
    with Session(engine_for(db_url)) as first, Session(engine_for(db_url)) as second:
        # Ben read the open failure at lock_version 0; Ana closed it before his close is written.
        assert triage_of(second, reconciliation_id=reconciliation.id).closed_at is None
        assert close(first, reconciliation, actor=ANA, outcome="duplicate").ok
        outcome = close_failure(
            second,
            reconciliation_id=reconciliation.id,
            lock_version=0,
            outcome="fixed_in_billing",
            reason="Re-ran it",
            actor=BEN,
            now=NOW,
        )
    assert outcome.message in (
        "This failure was closed by ana@example.com at 2026-11-22 12:00 UTC (Duplicate). "
        "Nothing was changed.",
        "This failed reconciliation was changed by ana@example.com at 2026-11-22 12:00 UTC after you opened "
        "it. Nothing was saved; reload to see the change.",
    )
    session.expire_all()
    assert triage_of(session, reconciliation_id=reconciliation.id).outcome == "duplicate"


def test_a_close_from_a_stale_lock_version_is_refused_with_who_changed_it(session):
    reconciliation = failed(session)
    take(session, reconciliation)
    triage = triage_of(session, reconciliation_id=reconciliation.id)
    session.execute(sa.update(FailureTriage).where(FailureTriage.id == triage.id).values(lock_version=5))
    session.commit()
    outcome = close(session, reconciliation, actor=BEN, lock_version=0)
    assert outcome.message == (
        "This failed reconciliation was changed by ana@example.com at 2026-11-22 12:00 UTC after you opened "
        "it. Nothing was saved; reload to see the change."
    )
    assert triage_of(session, reconciliation_id=reconciliation.id).closed_at is None
    assert len(story(session, reconciliation)) == 1


# The queue ---------------------------------------------------------------------------------------


def test_the_queue_lists_open_failures_oldest_first_with_class_account_stake_age_and_holder(session):
    newer = failed(
        session,
        reconciliation_date=date(2026, 11, 1),
        error_message=DECLINED,
        user_count=59,
        seats_before=45,
        seat_price=Decimal("29.00"),
        billed_months=3,
    )
    older = failed(session, reconciliation_date=date(2026, 10, 1), user_count=12, seats_before=20)
    failed(session, reconciliation_date=date(2026, 9, 1))
    closed = failed(session, reconciliation_date=date(2026, 8, 1))
    add_reconciliations(session, [{"status": "done", "reconciliation_date": date(2026, 1, 1)}])
    take(session, closed)
    close(session, closed)
    take(session, newer, BEN)
    rows = failure_queue(session, today=TODAY).rows
    assert [r.reconciliation_date for r in rows] == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    first, second, third = rows
    assert (first.class_key, first.class_label, first.seats_at_stake, first.amount_at_stake) == (
        "rate_limited",
        "Billing system rate limit",
        None,
        None,
    )
    assert (second.reconciliation_id, second.seats_at_stake, second.amount_at_stake, second.taken_by) == (
        older.id,
        0,
        None,
        None,
    )
    assert (third.class_key, third.seats_at_stake, third.amount_at_stake, third.currency) == (
        "payment_declined",
        14,
        Decimal("1218.00"),
        "USD",
    )
    assert (third.account_name, third.age_days, third.taken_by, third.lock_version) == (
        newer.customer_name,
        21,
        "ben@example.com",
        0,
    )
    everything = failure_queue(session, include_closed=True, today=TODAY).rows
    assert (everything[0].reconciliation_id, everything[0].outcome) == (closed.id, "fixed_in_billing")
    assert len(everything) == 4


def test_the_queue_pages_fifty_at_a_time_along_date_and_id(session):
    start = date(2026, 1, 1)
    add_reconciliations(
        session,
        [
            {"status": "failed", "error_message": "x", "reconciliation_date": start + timedelta(days=n // 3)}
            for n in range(PAGE_SIZE * 2 + 7)
        ],
    )
    seen, after, pages = [], None, 0
    while True:
        page = failure_queue(session, after=after, today=TODAY)
        seen += [(r.reconciliation_date, r.reconciliation_id) for r in page.rows]
        pages += 1
        if page.next_after is None:
            break
        after = page.next_after
    assert pages == 3
    assert len(seen) == PAGE_SIZE * 2 + 7
    assert seen == sorted(seen)
    assert (
        failure_queue(session, after="not-a-cursor", today=TODAY).rows[0]
        == failure_queue(session, today=TODAY).rows[0]
    )


def test_the_queue_counts_open_failures_by_class(session):
    failed(session)
    failed(session)
    failed(session, error_message=DECLINED)
    failed(session, error_message=None)
    done = failed(session, error_message="Request timed out after 30s")
    take(session, done)
    close(session, done)
    counts = {c.key: c.count for c in failure_counts(session)}
    assert counts == {
        "rate_limited": 2,
        "timed_out": 0,
        "payment_declined": 1,
        "usage_missing": 0,
        "version_conflict": 0,
        "account_blocked": 0,
        "unclassified": 1,
    }
    assert {c.key: c.count for c in failure_counts(session, include_closed=True)}["timed_out"] == 1
