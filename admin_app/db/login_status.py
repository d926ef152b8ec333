"""Login status: rule 6 (a login disabled on purpose is re-activated only with a reason), and the list.

"Disabled after creation" means the history set login_activated to false after the record's
create event; "never activated" means no such change exists.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from admin_app.db.audit import login_disabled_change, record_version, stale_message
from admin_app.db.locking import StaleEdit, compare_and_set
from admin_app.db.models import Customer
from admin_app.db.outcomes import Outcome, invalid, refused
from admin_app.db.validation import reason_error


@dataclass(frozen=True)
class DisabledOnPurpose:
    """Who switched the login off, when, and why: what the page shows before re-activation."""

    actor: str
    at: datetime
    reason: str

    def warning(self) -> str:
        why = f" (“{self.reason}”)" if self.reason else ""
        return (
            f"This login was disabled on purpose by {self.actor} on {self.at:%Y-%m-%d %H:%M} UTC{why}. "
            "Re-activate it only with a written reason; it goes into the history."
        )


def disabled_on_purpose(session: Session, *, customer_id: int) -> DisabledOnPurpose | None:
    """Rule 6's detection, from the history."""
    change = login_disabled_change(session, customer_id=customer_id)
    if change is None:
        return None
    return DisabledOnPurpose(actor=change.actor, at=change.created_at, reason=change.reason or "")


def set_login_activated(
    session: Session,
    *,
    customer_id: int,
    activated: bool,
    lock_version: int,
    confirmed: bool,
    actor: str,
    reason: str,
    now: datetime,
) -> Outcome[Customer]:
    """Switch a customer's login on or off.

    Switching off always takes a reason. Switching on a login that was disabled on purpose takes
    a reason and an explicit confirmation (rule 6); a never-activated login just needs the click.
    """
    customer = session.get(Customer, customer_id)
    if customer is None:
        return refused("There is no customer with this id.")
    if customer.lock_version != lock_version:
        return refused(stale_message(session, item_type="customer", item_id=customer_id, noun="customer"))
    if customer.login_activated == activated:
        return refused("The login is already " + ("active." if activated else "disabled."))
    on_purpose = disabled_on_purpose(session, customer_id=customer_id) if activated else None
    problem = reason_error(reason, required=not activated or on_purpose is not None)
    if problem:
        return invalid({"reason": problem})
    if on_purpose is not None and not confirmed:
        return refused(on_purpose.warning(), needs_confirmation=True)
    try:
        compare_and_set(
            session, Customer, customer_id, lock_version, {"login_activated": activated, "updated_at": now}
        )
    except StaleEdit:
        session.rollback()
        return refused(stale_message(session, item_type="customer", item_id=customer_id, noun="customer"))
    record_version(
        session,
        item_type="customer",
        item_id=customer_id,
        event="update",
        actor=actor,
        changes={"login_activated": [not activated, activated]},
        at=now,
        reason=reason,
    )
    session.flush()
    session.refresh(customer)
    return Outcome(value=customer)
