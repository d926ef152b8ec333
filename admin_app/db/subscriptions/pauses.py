"""Reconciliations of one subscription paused by support until a date, with a reason and a ticket.

A pause is in force from when it is made until the start of its `until` date, or until someone lifts
it earlier by hand. Nothing has to happen on that date: a pause whose date has come is simply not in
force any more (`active_pause`, `pauses_in_force`), so it lifts itself. A subscription has at most one
pause in force; a second is refused with the date the current one runs until. Pausing and lifting each
add a history row about the subscription (item_type "subscription", its id).
"""

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from admin_app.db.history.audit import Actor, record_version
from admin_app.db.models import ReconciliationPause, Subscription, id_of
from admin_app.db.outcomes import Outcome, invalid, refused
from admin_app.db.validation import reason_error, text_error

ITEM_TYPE = "subscription"
MAX_DAYS_AHEAD = 366
MAX_TICKET = 40
PAUSED_UNTIL = "reconciliations_paused_until"


def active_pause(session: Session, *, subscription_name: str, today: date) -> ReconciliationPause | None:
    """The pause in force for a subscription on `today`, or None: one lifted by hand, or whose `until`
    is today or earlier, is not."""
    statement = (
        select(ReconciliationPause)
        .where(
            col(ReconciliationPause.subscription_name) == subscription_name,
            col(ReconciliationPause.lifted_at).is_(None),
            col(ReconciliationPause.until) > today,
        )
        .order_by(col(ReconciliationPause.id).desc())
        .execution_options(populate_existing=True)
    )
    return session.exec(statement).first()


def pauses_in_force(session: Session, *, today: date) -> list[ReconciliationPause]:
    """Every pause in force on `today`, by subscription name."""
    statement = (
        select(ReconciliationPause)
        .where(col(ReconciliationPause.lifted_at).is_(None), col(ReconciliationPause.until) > today)
        .order_by(col(ReconciliationPause.subscription_name), col(ReconciliationPause.id))
    )
    return list(session.exec(statement))


def pause_summary(pause: ReconciliationPause) -> str:
    """A pause as the subscription page says it."""
    return (
        f"Reconciliations paused until {pause.until.isoformat()} by {pause.paused_by}: "
        f"{pause.reason} ({pause.ticket})"
    )


def _locked_subscription(session: Session, subscription_name: str) -> Subscription | None:
    """The subscription, its row locked until the transaction ends, so two pauses of it are made one
    after the other (PostgreSQL; SQLite writes one transaction at a time anyway)."""
    statement = select(Subscription).where(col(Subscription.name) == subscription_name).with_for_update()
    return session.exec(statement).first()


def _until_error(until: object, today: date) -> str | None:
    if not isinstance(until, date) or isinstance(until, datetime):
        return "Paused until must be a date."
    if until <= today:
        return "Paused until must be after today."
    latest = today + timedelta(days=MAX_DAYS_AHEAD)
    if until > latest:
        return f"Paused until can be at most {MAX_DAYS_AHEAD} days ahead (until {latest.isoformat()})."
    return None


def _pause_errors(until: object, reason: object, ticket: object, today: date) -> dict[str, str]:
    problems = {
        "until": _until_error(until, today),
        "reason": reason_error(reason, required=True),
        "ticket": text_error("Ticket", ticket, max_length=MAX_TICKET),
    }
    return {name: problem for name, problem in problems.items() if problem}


def _already_paused(pause: ReconciliationPause) -> str:
    return (
        f"Reconciliations of {pause.subscription_name} are already paused until {pause.until.isoformat()} "
        f"by {pause.paused_by} ({pause.ticket}). Nothing was changed: lift that pause first."
    )


def pause_reconciliations(
    session: Session,
    *,
    subscription_name: str,
    until: date | None,
    reason: str,
    ticket: str,
    actor: Actor,
    now: datetime,
) -> Outcome[ReconciliationPause]:
    """Pause the reconciliations of a subscription until the start of `until` (after today, at most
    366 days ahead; None: a date that could not be read), with a reason and a ticket; refused while
    another pause of it is in force. The caller commits."""
    today = now.date()
    problems = _pause_errors(until, reason, ticket, today)
    if problems or until is None:
        return invalid(problems)
    subscription = _locked_subscription(session, subscription_name)
    if subscription is None:
        return refused(f"There is no subscription {subscription_name}.")
    current = active_pause(session, subscription_name=subscription_name, today=today)
    if current is not None:
        return refused(_already_paused(current))
    pause = ReconciliationPause(
        subscription_name=subscription_name,
        paused_by=actor.email,
        paused_at=now,
        until=until,
        reason=reason.strip(),
        ticket=ticket.strip(),
    )
    session.add(pause)
    record_version(
        session,
        item_type=ITEM_TYPE,
        item_id=id_of(subscription),
        event="update",
        actor=actor,
        changes={PAUSED_UNTIL: [None, until.isoformat()], "pause_ticket": [None, pause.ticket]},
        at=now,
        reason=reason,
    )
    session.flush()
    return Outcome(value=pause)


def lift_pause(
    session: Session, *, subscription_name: str, reason: str, actor: Actor, now: datetime
) -> Outcome[ReconciliationPause]:
    """Lift the pause in force of a subscription before its date, saying why. The caller commits."""
    problem = reason_error(reason, required=True)
    if problem:
        return invalid({"reason": problem})
    subscription = _locked_subscription(session, subscription_name)
    if subscription is None:
        return refused(f"There is no subscription {subscription_name}.")
    pause = active_pause(session, subscription_name=subscription_name, today=now.date())
    if pause is None:
        return refused(f"Reconciliations of {subscription_name} are not paused. Nothing was changed.")
    pause.lifted_at = now
    pause.lifted_by = actor.email
    session.add(pause)
    record_version(
        session,
        item_type=ITEM_TYPE,
        item_id=id_of(subscription),
        event="update",
        actor=actor,
        changes={PAUSED_UNTIL: [pause.until.isoformat(), None], "pause_ticket": [pause.ticket, None]},
        at=now,
        reason=reason,
    )
    session.flush()
    return Outcome(value=pause)
