"""The change history (version rows): who, when, what it was before, what it became, and why (rule 9).

A write adds its version in the same session and transaction as the change, so a change that
cannot be recorded is not made either. `audited_update` is rules 9 and 10 together for one record:
saved only from the lock_version that was read, with its history row, or refused with who came first.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, col, select

from admin_app.db.locking import StaleEdit, compare_and_set
from admin_app.db.models import BillingAccountContact, Reconciliation, Subscription, Version, id_of
from admin_app.db.outcomes import Outcome, refused

ITEM_LABELS = {
    "customer": "Customer",
    "billing_account": "Billing account",
    "billing_account_contact": "Billing account contact",
    "billing_account_membership": "Membership",
    "outbox_message": "Email",
    "license": "License",
    "reconciliation": "Reconciliation",
    "subscription": "Subscription",
}


def _plain(value: object) -> object:
    """A value as JSON can hold it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def changes_between(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list[Any]]:
    """Field -> [before, after] for every field whose value differs."""
    return {
        name: [_plain(before.get(name)), _plain(after[name])]
        for name in after
        if _plain(before.get(name)) != _plain(after[name])
    }


def new_request_id() -> str:
    """An id for one staff action; every history row the action writes carries it."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Actor:
    """Who makes a change, as the history records it: the staff member's email (shown), the identity
    provider's subject and the staff session behind it, where from, and the action's request id."""

    email: str
    subject: str = ""
    session_id: str = ""
    client_address: str = ""
    request_id: str = field(default_factory=new_request_id)


class NoActor(ValueError):
    """A change was about to be recorded without the staff member who made it (rule 9)."""


NO_ACTOR_MESSAGE = "Your sign-in does not say who you are, so nothing was changed. Sign out and in again."


def _first_id(pair: object) -> int | None:
    values = pair if isinstance(pair, list) else []
    return next((v for v in values if isinstance(v, int) and not isinstance(v, bool)), None)


def _about(
    session: Session, item_type: str, item_id: int, changes: Mapping[str, object]
) -> dict[str, int | None]:
    """The customer and billing account a change is about, so their pages list it."""
    if item_type == "customer":
        return {"customer_id": item_id, "billing_account_id": None}
    if item_type == "billing_account":
        return {"customer_id": None, "billing_account_id": item_id}
    # Records that belong to one account: the change is listed on that account's page.
    record: BillingAccountContact | Reconciliation | Subscription | None = None
    if item_type == "billing_account_contact":
        record = session.get(BillingAccountContact, item_id)
    elif item_type == "reconciliation":
        record = session.get(Reconciliation, item_id)
    elif item_type == "subscription":
        record = session.get(Subscription, item_id)
    else:
        return {
            "customer_id": _first_id(changes.get("customer_id")),
            "billing_account_id": _first_id(changes.get("billing_account_id")),
        }
    return {"customer_id": None, "billing_account_id": record.billing_account_id if record else None}


def history_about(
    session: Session,
    *,
    customer_id: int | None = None,
    billing_account_id: int | None = None,
    limit: int = 200,
) -> list[Version]:
    """Every change about a customer or a billing account (theirs, their memberships', the account's
    contacts'), newest first."""
    about = (
        col(Version.customer_id) == customer_id
        if customer_id is not None
        else col(Version.billing_account_id) == billing_account_id
    )
    return list(session.exec(select(Version).where(about).order_by(col(Version.id).desc()).limit(limit)))


def record_version(
    session: Session,
    *,
    item_type: str,
    item_id: int,
    event: str,
    actor: Actor,
    changes: dict[str, list[Any]],
    at: datetime,
    reason: str | None = None,
) -> Version:
    """Add a history row to the session's transaction (the caller commits it with the change).

    Raises NoActor for an actor without an email: the whole transaction is then abandoned, change
    included."""
    if not actor.email.strip():
        raise NoActor(f"no actor for a {event} of {item_type} {item_id}")
    version = Version(
        item_type=item_type,
        item_id=item_id,
        event=event,
        actor=actor.email,
        changes=changes,
        reason=(reason or "").strip() or None,
        created_at=at,
        request_id=actor.request_id,
        **_about(session, item_type, item_id, changes),
        subject=actor.subject or None,
        session_id=actor.session_id or None,
        client_address=actor.client_address[:64] or None,
    )
    session.add(version)
    return version


def history_of(session: Session, *, item_type: str, item_id: int, limit: int = 200) -> list[Version]:
    """One record's history, newest first."""
    statement = (
        select(Version)
        .where(col(Version.item_type) == item_type, col(Version.item_id) == item_id)
        .order_by(col(Version.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def last_change(session: Session, *, item_type: str, item_id: int) -> Version | None:
    """The newest history row of a record: who to name when an edit turns out to be stale."""
    found = history_of(session, item_type=item_type, item_id=item_id, limit=1)
    return found[0] if found else None


def stale_message(session: Session, *, item_type: str, item_id: int, noun: str) -> str:
    """Rule 10's refusal: who changed the record since it was opened, and when."""
    latest = last_change(session, item_type=item_type, item_id=item_id)
    who = f" by {latest.actor} at {latest.created_at:%Y-%m-%d %H:%M} UTC" if latest else ""
    return f"This {noun} was changed{who} after you opened it. Nothing was saved; reload to see the change."


def update_with_history(
    session: Session,
    model: type[Any],
    record_id: int,
    lock_version: int,
    values: Mapping[str, object],
    *,
    changes: dict[str, list[Any]],
    actor: Actor,
    reason: str,
    now: datetime,
) -> None:
    """Save `values` on a record only from `lock_version` (rule 10: raises StaleEdit otherwise) and add
    its history row, in the caller's transaction. A save that changes no field, only the lock (a customer
    whose contact follows its edit), adds no row."""
    compare_and_set(session, model, record_id, lock_version, values)
    if changes:
        record_version(
            session,
            item_type=model.__tablename__,
            item_id=record_id,
            event="update",
            actor=actor,
            changes=changes,
            at=now,
            reason=reason,
        )


def refuse_stale_edit(
    session: Session, stale: StaleEdit, *, noun: str = "", refusal: str = ""
) -> Outcome[Any]:
    """Rule 10's refusal, with the transaction rolled back so nothing is written: `refusal` when given,
    else who changed the record (called `noun`, by default its table's name in words) and when."""
    session.rollback()
    return refused(
        refusal
        or stale_message(session, item_type=stale.item_type, item_id=stale.item_id, noun=noun or stale.noun)
    )


class _Record(Protocol):
    """A row read from the database, so it has its id."""

    @property
    def id(self) -> int | None: ...


T = TypeVar("T", bound=_Record)


def audited_update(
    session: Session,
    record: T,
    lock_version: int,
    values: Mapping[str, object],
    *,
    changes: dict[str, list[Any]],
    actor: Actor,
    reason: str,
    now: datetime,
    noun: str = "",
    refusal: str = "",
) -> Outcome[T]:
    """Rules 9 and 10 for one record read at `lock_version`: `values` saved with the history row of
    `changes`, and the record as saved; or, when another save came first, nothing written and
    `refuse_stale_edit`'s refusal (`noun` and `refusal` as it takes them)."""
    try:
        update_with_history(
            session,
            type(record),
            id_of(record),
            lock_version,
            values,
            changes=changes,
            actor=actor,
            reason=reason,
            now=now,
        )
    except StaleEdit as edit:
        return refuse_stale_edit(session, edit, noun=noun, refusal=refusal)
    session.flush()
    session.refresh(record)
    return Outcome(value=record)


def login_disabled_change(session: Session, *, customer_id: int) -> Version | None:
    """Rule 6: the latest history row that set login_activated to false after the create event.

    Returns None when the login was never switched off on purpose (for example never activated).
    """
    return disabling_change(history_of(session, item_type="customer", item_id=customer_id))


def disabling_change(history: list[Version]) -> Version | None:
    """Rule 6 over one customer's history (newest first): the change that switched the login off."""
    for version in history:
        change = (version.changes or {}).get("login_activated")
        if version.event == "create":
            return None
        if isinstance(change, list) and len(change) == 2 and change[1] is False:
            return version
        if isinstance(change, list) and len(change) == 2 and change[1] is True:
            return None
    return None
