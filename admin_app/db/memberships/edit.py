"""Billing-account memberships: rule 1 (one per customer), 2 (contacts untouched), 7 (the last one)."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from admin_app.db.history.audit import Actor, record_version
from admin_app.db.models import BillingAccount, BillingAccountMembership, Customer, id_of, stored_id
from admin_app.db.outcomes import Outcome, invalid, refused
from admin_app.db.validation import reason_error

DELETED = "Billing account membership successfully deleted"


@dataclass(frozen=True)
class ExistingMembership:
    """Rule 1's answer: the membership a customer already has, to name and link to."""

    membership_id: int
    billing_account_id: int
    billing_account_name: str
    zuora_account_id: str

    def refusal(self, customer_email: str) -> str:
        return (
            f"{customer_email} already manages {self.billing_account_name} ({self.zuora_account_id}) "
            f"through membership #{self.membership_id}. A customer can have only one billing-account "
            "membership: delete that one first to move them."
        )


def existing_membership(session: Session, *, customer_id: int) -> ExistingMembership | None:
    """The customer's membership, if they have one (rule 1 is checked before the form submits)."""
    row = session.execute(
        sa.select(
            col(BillingAccountMembership.id),
            col(BillingAccount.id),
            col(BillingAccount.name),
            col(BillingAccount.zuora_account_id),
        )
        .join(BillingAccount, col(BillingAccount.id) == col(BillingAccountMembership.billing_account_id))
        .where(col(BillingAccountMembership.customer_id) == customer_id)
    ).first()
    if row is None:
        return None
    membership_id, billing_account_id, name, zuora_account_id = row
    return ExistingMembership(stored_id(membership_id), stored_id(billing_account_id), name, zuora_account_id)


def add_membership(
    session: Session, *, customer_id: int, billing_account_id: int, actor: Actor, reason: str, now: datetime
) -> Outcome[BillingAccountMembership]:
    """Let a customer manage a billing account; the account's Sold To / Bill To stay as they are (rule 2)."""
    problem = reason_error(reason, required=False)
    if problem:
        return invalid({"reason": problem})
    customer = session.get(Customer, customer_id)
    account = session.get(BillingAccount, billing_account_id)
    errors = {}
    if customer is None:
        errors["customer"] = "There is no customer with this id."
    if account is None:
        errors["billing_account"] = "There is no billing account with this id."
    if errors or customer is None:
        return invalid(errors)
    existing = existing_membership(session, customer_id=customer_id)
    if existing is not None:
        return refused(existing.refusal(customer.email))
    membership = BillingAccountMembership(
        customer_id=customer_id, billing_account_id=billing_account_id, created_at=now, created_by=actor.email
    )
    session.add(membership)
    try:
        session.flush()
    except IntegrityError:
        # Another save added one between the check and the write (the unique customer_id caught it).
        session.rollback()
        existing = existing_membership(session, customer_id=customer_id)
        return refused(
            existing.refusal(customer.email) if existing else "The customer already has a membership."
        )
    record_version(
        session,
        item_type="billing_account_membership",
        item_id=id_of(membership),
        event="create",
        actor=actor,
        changes={"customer_id": [None, customer_id], "billing_account_id": [None, billing_account_id]},
        at=now,
        reason=reason,
    )
    session.flush()
    return Outcome(value=membership)


def members_of(session: Session, *, billing_account_id: int) -> int:
    """How many customers manage the account."""
    return session.scalars(
        sa.select(sa.func.count()).where(
            col(BillingAccountMembership.billing_account_id) == billing_account_id
        )
    ).one()


def last_membership_warning(account_name: str) -> str:
    return (
        f"This is the last membership of {account_name}. After deleting it, nobody will be able to "
        "manage the account's subscriptions in the portal. Delete it anyway?"
    )


def delete_membership(
    session: Session,
    *,
    membership_id: int,
    confirmed_last: bool,
    actor: Actor,
    reason: str,
    now: datetime,
) -> Outcome[BillingAccountMembership]:
    """Remove a membership, with a reason (rule 9); the last one of an account needs a second
    confirmation (rule 7). Sold To / Bill To stay as they are (rule 2).
    """
    problem = reason_error(reason, required=True)
    if problem:
        return invalid({"reason": problem})
    membership = session.get(BillingAccountMembership, membership_id)
    if membership is None:
        return refused("This membership no longer exists; someone may have deleted it already.")
    if members_of(session, billing_account_id=membership.billing_account_id) == 1 and not confirmed_last:
        account_name = session.scalars(
            sa.select(col(BillingAccount.name)).where(col(BillingAccount.id) == membership.billing_account_id)
        ).one()
        return refused(last_membership_warning(account_name), needs_confirmation=True)
    record_version(
        session,
        item_type="billing_account_membership",
        item_id=id_of(membership),
        event="destroy",
        actor=actor,
        changes={
            "customer_id": [membership.customer_id, None],
            "billing_account_id": [membership.billing_account_id, None],
        },
        at=now,
        reason=reason,
    )
    session.delete(membership)
    session.flush()
    return Outcome(value=membership)
