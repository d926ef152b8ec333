"""Reconciliations of a subscription paused until a date: pausing, refusals, one pause at a time, the
pause lifting on its date, lifting by hand, and the history, on SQLite and PostgreSQL."""

from datetime import date, timedelta

from sqlmodel import select

from admin_app.db.history.audit import Actor, history_of
from admin_app.db.models import ReconciliationPause
from admin_app.db.subscriptions.pauses import (
    active_pause,
    lift_pause,
    pause_reconciliations,
    pause_summary,
    pauses_in_force,
)
from tests.factories import NOW, add_account, subscription_row

SUPPORT = Actor("support@example.com")
BEN = Actor("ben@example.com")
TODAY = NOW.date()
UNTIL = date(2027, 3, 31)
NAME = "A-S00000001"


def add_subscription(session, name=NAME):
    account = add_account(
        session, sold_to={"first_name": "Ann", "last_name": "Lee", "email": "ann@example.test"}
    )
    subscription = subscription_row(account.id, name)
    session.add(subscription)
    session.commit()
    return subscription


def pause(session, name=NAME, until=UNTIL, reason="Customer disputes the invoice", ticket="SUP-1234", **kw):
    outcome = pause_reconciliations(
        session,
        subscription_name=name,
        until=until,
        reason=reason,
        ticket=ticket,
        actor=kw.get("actor", SUPPORT),
        now=kw.get("now", NOW),
    )
    session.commit()
    return outcome


def test_a_pause_is_in_force_until_its_date(session):
    add_subscription(session)
    outcome = pause(session)
    assert outcome.ok
    found = active_pause(session, subscription_name=NAME, today=TODAY)
    assert found is not None
    assert (found.until, found.paused_by, found.ticket, found.paused_at) == (
        UNTIL,
        SUPPORT.email,
        "SUP-1234",
        NOW,
    )
    assert active_pause(session, subscription_name=NAME, today=UNTIL - timedelta(days=1)) == found
    assert pause_summary(found) == (
        "Reconciliations paused until 2027-03-31 by support@example.com: "
        "Customer disputes the invoice (SUP-1234)"
    )


def test_the_pause_lifts_on_its_date_with_nothing_done(session):
    add_subscription(session)
    pause(session)
    assert active_pause(session, subscription_name=NAME, today=UNTIL) is None
    assert active_pause(session, subscription_name=NAME, today=UNTIL + timedelta(days=30)) is None
    assert pauses_in_force(session, today=UNTIL) == []
    [row] = session.exec(select(ReconciliationPause)).all()
    assert row.lifted_at is None


def test_a_new_pause_can_follow_one_that_ran_out(session):
    add_subscription(session)
    pause(session, until=TODAY + timedelta(days=2))
    later = NOW + timedelta(days=2)
    assert pause(session, until=UNTIL, now=later).ok
    assert active_pause(session, subscription_name=NAME, today=later.date()).until == UNTIL


def test_a_second_pause_is_refused_saying_until_when_the_first_runs(session):
    add_subscription(session)
    pause(session)
    second = pause(session, until=date(2027, 1, 15), ticket="SUP-9", actor=BEN)
    assert not second.ok
    assert "already paused until 2027-03-31" in second.message
    assert "support@example.com" in second.message
    assert len(session.exec(select(ReconciliationPause)).all()) == 1


def test_a_pause_needs_an_existing_subscription(session):
    outcome = pause(session, name="A-S09999999")
    assert outcome.message == "There is no subscription A-S09999999."
    assert len(session.exec(select(ReconciliationPause)).all()) == 0


def test_the_date_must_be_after_today_and_within_366_days(session):
    add_subscription(session)
    for until in (TODAY, TODAY - timedelta(days=1)):
        assert pause(session, until=until).field_errors == {"until": "Paused until must be after today."}
    too_far = pause(session, until=TODAY + timedelta(days=367))
    assert "at most 366 days ahead" in too_far.field_errors["until"]
    assert pause(session, until=TODAY + timedelta(days=366)).ok


def test_a_reason_and_a_ticket_are_required(session):
    add_subscription(session)
    outcome = pause(session, reason="  ", ticket="")
    assert outcome.field_errors == {"reason": "Reason can't be blank.", "ticket": "Ticket can't be blank."}
    assert "too long" in pause(session, ticket="SUP-" + "1" * 40).field_errors["ticket"]
    assert len(session.exec(select(ReconciliationPause)).all()) == 0


def test_lifting_by_hand_ends_the_pause_at_once(session):
    add_subscription(session)
    pause(session)
    later = NOW + timedelta(days=3)
    lifted = lift_pause(session, subscription_name=NAME, reason="Dispute settled", actor=BEN, now=later)
    session.commit()
    assert lifted.ok
    assert (lifted.made().lifted_at, lifted.made().lifted_by) == (later, BEN.email)
    assert active_pause(session, subscription_name=NAME, today=later.date()) is None
    assert pause(session, now=later).ok


def test_lifting_needs_a_pause_in_force_and_a_reason(session):
    add_subscription(session)
    nothing = lift_pause(session, subscription_name=NAME, reason="Settled", actor=BEN, now=NOW)
    assert "not paused" in nothing.message
    pause(session)
    assert lift_pause(session, subscription_name=NAME, reason="", actor=BEN, now=NOW).field_errors == {
        "reason": "Reason can't be blank."
    }
    ran_out = lift_pause(
        session, subscription_name=NAME, reason="Settled", actor=BEN, now=NOW + timedelta(days=200)
    )
    assert "not paused" in ran_out.message


def test_pauses_in_force_lists_each_subscription_paused_today(session):
    add_subscription(session, "A-S00000002")
    add_subscription(session, "A-S00000001")
    add_subscription(session, "A-S00000003")
    pause(session, name="A-S00000002", until=date(2027, 2, 1))
    pause(session, name="A-S00000001", until=date(2026, 12, 1))
    pause(session, name="A-S00000003")
    lift_pause(session, subscription_name="A-S00000003", reason="Settled", actor=BEN, now=NOW)
    session.commit()
    assert [p.subscription_name for p in pauses_in_force(session, today=TODAY)] == [
        "A-S00000001",
        "A-S00000002",
    ]
    assert [p.subscription_name for p in pauses_in_force(session, today=date(2026, 12, 1))] == ["A-S00000002"]


def test_pausing_and_lifting_are_in_the_subscriptions_history(session):
    subscription = add_subscription(session)
    pause(session)
    lift_pause(
        session, subscription_name=NAME, reason="Dispute settled", actor=BEN, now=NOW + timedelta(days=1)
    )
    session.commit()
    lifted, paused = history_of(session, item_type="subscription", item_id=subscription.id)
    assert (paused.actor, paused.reason, paused.changes) == (
        SUPPORT.email,
        "Customer disputes the invoice",
        {"reconciliations_paused_until": [None, "2027-03-31"], "pause_ticket": [None, "SUP-1234"]},
    )
    assert (lifted.actor, lifted.reason, lifted.changes) == (
        BEN.email,
        "Dispute settled",
        {"reconciliations_paused_until": ["2027-03-31", None], "pause_ticket": ["SUP-1234", None]},
    )


def test_a_refused_pause_writes_no_history(session):
    subscription = add_subscription(session)
    pause(session)
    pause(session, actor=BEN)
    pause(session, reason="")
    assert len(history_of(session, item_type="subscription", item_id=subscription.id)) == 1
