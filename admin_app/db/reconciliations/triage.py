"""Failed reconciliations worked off as a queue: someone takes a failure, writes notes, and closes it.

A failure has one triage row once someone takes it (the unique key on reconciliation_id decides when
two take it at once). Taking one somebody else holds is refused with who has it; closing it needs an
outcome and a reason, and anyone may close it (the closer is recorded beside the taker). Every step adds
a history row about the reconciliation (item_type "reconciliation"), so its history tells the story.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from admin_app.db.history.audit import Actor, record_version, refuse_stale_edit
from admin_app.db.lists.paging import decode_cursor, encode_cursor, keyset_after, keyset_order
from admin_app.db.locking import StaleEdit, compare_and_set
from admin_app.db.models import (
    TRIAGE_OUTCOMES,
    BillingAccount,
    FailureNote,
    FailureTriage,
    Reconciliation,
    id_of,
    table_of,
)
from admin_app.db.outcomes import Outcome, invalid, refused
from admin_app.db.reconciliations.billing import invoiced_amount, seats_added
from admin_app.db.reconciliations.failures import FAILURE_CLASSES, classify_failure, failure_class_sql
from admin_app.db.validation import reason_error, text_error

ITEM_TYPE = "reconciliation"
NOUN = "failed reconciliation"
PAGE_SIZE = 50
MAX_NOTE = 2000
OUTCOME_LABELS = {
    "fixed_in_billing": "Fixed in billing",
    "customer_contacted": "Customer contacted",
    "not_our_error": "Not our error",
    "duplicate": "Duplicate",
}
CHOOSE_OUTCOME = "Choose what came of it: " + ", ".join(OUTCOME_LABELS[o] for o in TRIAGE_OUTCOMES) + "."
NOT_TAKEN = "Nobody has taken this failure yet: take it before closing it."


def _failed(session: Session, reconciliation_id: int) -> Reconciliation | str:
    """The failed reconciliation, or why it cannot be worked on."""
    reconciliation = session.get(Reconciliation, reconciliation_id)
    if reconciliation is None:
        return f"There is no reconciliation #{reconciliation_id}."
    if reconciliation.status != "failed":
        return (
            f"Reconciliation #{reconciliation_id} is {reconciliation.status}, not failed: "
            "only failed reconciliations are worked off in the queue."
        )
    return reconciliation


def triage_of(session: Session, *, reconciliation_id: int) -> FailureTriage | None:
    """The triage row of a reconciliation, read afresh: None until someone takes it."""
    return session.scalars(
        sa.select(FailureTriage)
        .where(col(FailureTriage.reconciliation_id) == reconciliation_id)
        .execution_options(populate_existing=True)
    ).first()


def _closed_message(triage: FailureTriage) -> str:
    at = f"{triage.closed_at:%Y-%m-%d %H:%M} UTC" if triage.closed_at else ""
    outcome = OUTCOME_LABELS.get(triage.outcome or "", triage.outcome or "")
    return f"This failure was closed by {triage.closed_by} at {at} ({outcome}). Nothing was changed."


def _held_message(triage: FailureTriage) -> str:
    return (
        f"{triage.taken_by} has had this failure since {triage.taken_at:%Y-%m-%d %H:%M} UTC. "
        "Nothing was changed: ask them, or leave a note."
    )


def _refusal_for_taken(triage: FailureTriage) -> str:
    return _closed_message(triage) if triage.closed_at is not None else _held_message(triage)


def take_failure(
    session: Session, *, reconciliation_id: int, actor: Actor, now: datetime
) -> Outcome[FailureTriage]:
    """Make `actor` the one who works off a failed reconciliation. Taking one you hold already changes
    nothing; one somebody else holds, or a closed one, is refused with who has it or closed it."""
    found = _failed(session, reconciliation_id)
    if isinstance(found, str):
        return refused(found)
    existing = triage_of(session, reconciliation_id=reconciliation_id)
    if existing is not None:
        if existing.closed_at is None and existing.taken_by == actor.email:
            return Outcome(value=existing)
        return refused(_refusal_for_taken(existing))
    triage = FailureTriage(reconciliation_id=reconciliation_id, taken_by=actor.email, taken_at=now)
    session.add(triage)
    try:
        session.flush()
    except IntegrityError:
        # Another person took it between the check and the write: the unique key let only them in.
        session.rollback()
        winner = triage_of(session, reconciliation_id=reconciliation_id)
        return refused(_refusal_for_taken(winner) if winner else "Someone took this failure meanwhile.")
    _on_history(session, reconciliation_id, actor, now, {"taken_by": [None, actor.email]})
    return Outcome(value=triage)


def _on_history(
    session: Session,
    reconciliation_id: int,
    actor: Actor,
    now: datetime,
    changes: dict[str, list[object]],
    reason: str | None = None,
) -> None:
    """A step of working a failure, as a history row of its reconciliation."""
    record_version(
        session,
        item_type=ITEM_TYPE,
        item_id=reconciliation_id,
        event="update",
        actor=actor,
        changes=changes,
        at=now,
        reason=reason,
    )
    session.flush()


def _note_error(text: object) -> str | None:
    """A note may run over several lines; otherwise it is checked as any text field."""
    flat = text.replace("\r", " ").replace("\n", " ").replace("\t", " ") if isinstance(text, str) else text
    return text_error("Note", flat, max_length=MAX_NOTE)


def add_note(
    session: Session, *, reconciliation_id: int, text: str, actor: Actor, now: datetime
) -> Outcome[FailureNote]:
    """Write a note on a failed reconciliation; anyone working the queue may, taken or not."""
    problem = _note_error(text)
    if problem:
        return invalid({"text": problem})
    found = _failed(session, reconciliation_id)
    if isinstance(found, str):
        return refused(found)
    note = FailureNote(
        reconciliation_id=reconciliation_id, author=actor.email, written_at=now, text=text.strip()
    )
    session.add(note)
    session.flush()
    _on_history(session, reconciliation_id, actor, now, {"note": [None, note.text]})
    return Outcome(value=note)


def close_failure(
    session: Session,
    *,
    reconciliation_id: int,
    lock_version: int,
    outcome: str,
    reason: str,
    actor: Actor,
    now: datetime,
) -> Outcome[FailureTriage]:
    """Close a taken, open failure with what came of it and why, from the `lock_version` it was read at
    (rule 10: a close or take in between refuses this one with who came first)."""
    errors = {}
    if outcome not in TRIAGE_OUTCOMES:
        errors["outcome"] = CHOOSE_OUTCOME
    problem = reason_error(reason, required=True)
    if problem:
        errors["reason"] = problem
    if errors:
        return invalid(errors)
    found = _failed(session, reconciliation_id)
    if isinstance(found, str):
        return refused(found)
    triage = triage_of(session, reconciliation_id=reconciliation_id)
    if triage is None:
        return refused(NOT_TAKEN)
    if triage.closed_at is not None:
        return refused(_closed_message(triage))
    values = {"closed_by": actor.email, "closed_at": now, "outcome": outcome, "close_reason": reason.strip()}
    try:
        compare_and_set(session, FailureTriage, id_of(triage), lock_version, values)
    except StaleEdit:
        return refuse_stale_edit(session, StaleEdit(ITEM_TYPE, reconciliation_id, NOUN))
    _on_history(
        session,
        reconciliation_id,
        actor,
        now,
        {"outcome": [None, outcome], "closed_by": [None, actor.email]},
        reason=reason,
    )
    session.refresh(triage)
    return Outcome(value=triage)


@dataclass(frozen=True)
class QueueRow:
    """One failed reconciliation in the queue.

    What is at stake is the seats the true-up would have added (users counted beyond the seats the
    subscription had) and, where the reconciliation kept its seat price and billed months, what they
    would have invoiced; a failed reconciliation invoiced nothing, so its invoiced_amount is no guide.
    """

    reconciliation_id: int
    reconciliation_date: date
    class_key: str
    class_label: str
    billing_account_id: int
    account_name: str
    user_count: int
    seats_at_stake: int | None
    amount_at_stake: Decimal | None
    currency: str
    age_days: int
    taken_by: str | None
    closed_at: datetime | None
    outcome: str | None
    # The triage row's lock_version, to close from (0 before anyone took it).
    lock_version: int


@dataclass(frozen=True)
class QueuePage:
    """Up to PAGE_SIZE rows, oldest first, and the cursor of the page after (None on the last)."""

    rows: list[QueueRow]
    next_after: str | None


@dataclass(frozen=True)
class ClassCount:
    key: str
    label: str
    count: int


def _in_queue(include_closed: bool) -> sa.ColumnElement[bool]:
    failed = col(Reconciliation.status) == "failed"
    return failed if include_closed else sa.and_(failed, col(FailureTriage.closed_at).is_(None))


def _at_stake(reconciliation: Reconciliation) -> tuple[int | None, Decimal | None]:
    if reconciliation.seats_before is None:
        return None, None
    seats = seats_added(users_counted=reconciliation.user_count, seats_before=reconciliation.seats_before)
    if reconciliation.seat_price is None or reconciliation.billed_months is None:
        return seats, None
    amount = invoiced_amount(
        users_counted=reconciliation.user_count,
        seats_before=reconciliation.seats_before,
        seat_price=reconciliation.seat_price,
        billed_months=reconciliation.billed_months,
    )
    return seats, amount


def _queue_row(
    reconciliation: Reconciliation, account_name: str, triage: FailureTriage | None, today: date
) -> QueueRow:
    failure = classify_failure(reconciliation.error_message or "")
    seats, amount = _at_stake(reconciliation)
    return QueueRow(
        reconciliation_id=id_of(reconciliation),
        reconciliation_date=reconciliation.reconciliation_date,
        class_key=failure.key,
        class_label=failure.label,
        billing_account_id=reconciliation.billing_account_id,
        account_name=account_name,
        user_count=reconciliation.user_count,
        seats_at_stake=seats,
        amount_at_stake=amount,
        currency=reconciliation.currency,
        age_days=(today - reconciliation.reconciliation_date).days,
        taken_by=triage.taken_by if triage else None,
        closed_at=triage.closed_at if triage else None,
        outcome=triage.outcome if triage else None,
        lock_version=triage.lock_version if triage else 0,
    )


def failure_queue(
    session: Session, include_closed: bool = False, after: str | None = None, *, today: date | None = None
) -> QueuePage:
    """Failed reconciliations still open (closed ones too with `include_closed`), oldest first by
    (reconciliation_date, id), a page of PAGE_SIZE after the cursor `after` (a cursor this function
    gave; one it did not is read as the first page)."""
    day = today or datetime.now(UTC).date()
    columns = table_of(Reconciliation).c
    date_column, id_column = columns.reconciliation_date, columns.id
    statement = (
        sa.select(Reconciliation, col(BillingAccount.name), FailureTriage)
        .join(BillingAccount, col(BillingAccount.id) == col(Reconciliation.billing_account_id))
        .outerjoin(FailureTriage, col(FailureTriage.reconciliation_id) == id_column)
        .where(_in_queue(include_closed))
        .order_by(*keyset_order(date_column, id_column, descending=False))
        .limit(PAGE_SIZE + 1)
    )
    cursor = decode_cursor(after, date) if after else None
    if cursor is not None:
        statement = statement.where(keyset_after(date_column, id_column, cursor, descending=False))
    rows = [_queue_row(r, name, t, day) for r, name, t in session.execute(statement)]
    page = rows[:PAGE_SIZE]
    last = page[-1] if len(rows) > PAGE_SIZE else None
    next_after = encode_cursor(last.reconciliation_date, last.reconciliation_id) if last else None
    return QueuePage(rows=page, next_after=next_after)


def failure_counts(session: Session, include_closed: bool = False) -> list[ClassCount]:
    """How many failures of each class are in the queue, every class listed (in the classes' order)."""
    failure_class = failure_class_sql(col(Reconciliation.error_message)).label("failure_class")
    statement = (
        sa.select(failure_class, sa.func.count())
        .select_from(Reconciliation)
        .outerjoin(FailureTriage, col(FailureTriage.reconciliation_id) == col(Reconciliation.id))
        .where(_in_queue(include_closed))
        .group_by(failure_class)
    )
    counted = {str(key): int(count) for key, count in session.execute(statement)}
    return [ClassCount(c.key, c.label, counted.get(c.key, 0)) for c in FAILURE_CLASSES]
