"""Billing-account contacts: edit a Sold To / Bill To (rule 8 names which), or split and join them.

Every write records its history in the same transaction (rule 9) and refuses a stale edit (rule 10).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from admin_app.db.accounts.contact_fields import CONTACT_FIELDS, address_errors
from admin_app.db.customers.edit import contact_role
from admin_app.db.history.audit import Actor, audited_update, changes_between, record_version
from admin_app.db.models import BillingAccount, BillingAccountContact, id_of
from admin_app.db.outcomes import Outcome, invalid, refused
from admin_app.db.validation import MAX_NAME, email_error, normal_email, reason_error, text_error


@dataclass(frozen=True)
class ContactEdit:
    """A billing contact's fields as a form submits them."""

    values: dict[str, object]

    @classmethod
    def from_form(cls, form: Mapping[str, object]) -> "ContactEdit":
        values = {}
        for name in CONTACT_FIELDS:
            value = form.get(name, "")
            values[name] = value.strip() if isinstance(value, str) else value
        if isinstance(values["country"], str):
            values["country"] = values["country"].upper()
        return cls(values=values)

    def errors(self) -> dict[str, str]:
        checks = {
            "first_name": text_error("First name", self.values["first_name"], max_length=MAX_NAME),
            "last_name": text_error("Last name", self.values["last_name"], max_length=MAX_NAME),
            "email": email_error(self.values["email"]),
        }
        errors = {name: message for name, message in checks.items() if message}
        return {**errors, **address_errors(self.values)}


def role_banner(account: BillingAccount, contact_id: int) -> str:
    """Rule 8: the banner over the edit form."""
    role = contact_role(account, contact_id)
    return f"You are editing the {role} contact of {account.name}." if role else ""


def update_contact(
    session: Session,
    *,
    contact_id: int,
    edit: ContactEdit,
    lock_version: int,
    actor: Actor,
    reason: str,
    now: datetime,
) -> Outcome[BillingAccountContact]:
    """Save a billing contact's fields and their history, or nothing."""
    contact = session.get(BillingAccountContact, contact_id)
    if contact is None:
        return refused("There is no billing account contact with this id.")
    errors = edit.errors()
    problem = reason_error(reason, required=False)
    if problem:
        errors["reason"] = problem
    if errors:
        return invalid(errors)
    values = {**edit.values, "email": normal_email(str(edit.values["email"]))}
    changes = changes_between({name: getattr(contact, name) for name in CONTACT_FIELDS}, values)
    if not changes:
        return refused("Nothing to save: no field was changed.")
    return audited_update(
        session,
        contact,
        lock_version,
        {k: v[1] for k, v in changes.items()},
        changes=changes,
        actor=actor,
        reason=reason,
        now=now,
        noun="contact",
    )


def add_contact(
    session: Session,
    billing_account_id: int,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    reason: str,
    now: datetime,
) -> BillingAccountContact:
    """A new contact of the account, with its history row (checked values, in the caller's transaction)."""
    contact = BillingAccountContact(billing_account_id=billing_account_id, **values)
    session.add(contact)
    session.flush()
    record_version(
        session,
        item_type="billing_account_contact",
        item_id=id_of(contact),
        event="create",
        actor=actor,
        changes={name: [None, value] for name, value in values.items() if value},
        at=now,
        reason=reason,
    )
    return contact


def set_contact_roles(
    session: Session,
    account: BillingAccount,
    lock_version: int,
    roles: Mapping[str, int],
    *,
    actor: Actor,
    reason: str,
    now: datetime,
    stale: str = "",
) -> Outcome[BillingAccount]:
    """Point the account's Sold To and/or Bill To (`roles`: `sold_to_contact_id` and/or
    `bill_to_contact_id` → contact id) at contacts, with the history row; a stale edit is refused
    with `stale`, or by default with who changed the account and when (rule 10)."""
    changes = {name: [getattr(account, name), contact_id] for name, contact_id in roles.items()}
    return audited_update(
        session,
        account,
        lock_version,
        dict(roles),
        changes=changes,
        actor=actor,
        reason=reason,
        now=now,
        refusal=stale,
    )


def join_consequence(session: Session, *, billing_account_id: int) -> str:
    """What making the Bill To the Sold To means, in words, for the review before it is saved."""
    account = session.get(BillingAccount, billing_account_id)
    if account is None or account.bill_to_contact_id == account.sold_to_contact_id:
        return ""
    if account.sold_to_contact_id is None or account.bill_to_contact_id is None:
        return ""
    sold_to = session.get(BillingAccountContact, account.sold_to_contact_id)
    bill_to = session.get(BillingAccountContact, account.bill_to_contact_id)
    if sold_to is None or bill_to is None:
        return ""
    return (
        f"Invoices for {account.name} will go to the Sold To, {sold_to.first_name} {sold_to.last_name} "
        f"({sold_to.email}), instead of {bill_to.first_name} {bill_to.last_name} ({bill_to.email}). "
        f"{bill_to.first_name} {bill_to.last_name} stays among the account's contacts without a role."
    )


def make_bill_to_the_sold_to(
    session: Session, *, billing_account_id: int, lock_version: int, actor: Actor, reason: str, now: datetime
) -> Outcome[BillingAccount]:
    """Bill To becomes the same person as the Sold To: who receives invoices changes, so a reason is
    required (rule 9)."""
    problem = reason_error(reason, required=True)
    if problem:
        return invalid({"reason": problem})
    account = session.get(BillingAccount, billing_account_id)
    if account is None:
        return refused("There is no billing account with this id.")
    if account.sold_to_contact_id is None or account.bill_to_contact_id == account.sold_to_contact_id:
        return refused("The Bill To is already the Sold To contact.")
    roles = {"bill_to_contact_id": account.sold_to_contact_id}
    return set_contact_roles(session, account, lock_version, roles, actor=actor, reason=reason, now=now)


def give_bill_to_its_own_contact(
    session: Session,
    *,
    billing_account_id: int,
    edit: ContactEdit,
    lock_version: int,
    actor: Actor,
    reason: str,
    now: datetime,
) -> Outcome[BillingAccount]:
    """A new contact becomes the Bill To; the Sold To keeps its contact."""
    account = session.get(BillingAccount, billing_account_id)
    if account is None:
        return refused("There is no billing account with this id.")
    errors = edit.errors()
    if errors:
        return invalid(errors)
    contact = add_contact(session, billing_account_id, edit.values, actor=actor, reason=reason, now=now)
    roles = {"bill_to_contact_id": id_of(contact)}
    return set_contact_roles(session, account, lock_version, roles, actor=actor, reason=reason, now=now)
