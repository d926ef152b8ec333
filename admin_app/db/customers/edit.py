"""Editing a customer: rules 3, 4, 5, 9 and 10, with every consequence known before the save.

`plan_customer_edit` says exactly what a save would change (the customer's fields, the cleared
confirmation, the billing-account contact that follows); `save_customer_edit` re-plans inside
the transaction and writes that plan, its history, or nothing.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from admin_app.db.accounts.contact_fields import ADDRESS_FIELDS, address_errors
from admin_app.db.customers.tokens import PURPOSES, revoke_outstanding
from admin_app.db.history.audit import (
    Actor,
    audited_update,
    changes_between,
    refuse_stale_edit,
    stale_message,
    update_with_history,
)
from admin_app.db.locking import StaleEdit
from admin_app.db.models import (
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    Customer,
    id_of,
)
from admin_app.db.outcomes import Outcome, invalid, refused
from admin_app.db.validation import (
    MAX_COMPANY,
    MAX_NAME,
    address_key,
    country_error,
    email_error,
    normal_email,
    reason_error,
    same_email,
    text_error,
)

EMAIL_TAKEN = "Email has already been taken"
EDITABLE = ("first_name", "last_name", "email", "company", "country")
PERSON = ("first_name", "last_name", "email")


@dataclass(frozen=True)
class CustomerEdit:
    """What support may change on a customer."""

    first_name: str
    last_name: str
    email: str
    company: str
    country: str
    skip_email_confirmation: bool = False

    @classmethod
    def from_form(cls, form: Mapping[str, object]) -> "CustomerEdit":
        """Read a submitted form; anything that is not text is kept as given, for validation to refuse."""

        def text(name: str) -> str:
            value = form.get(name, "")
            return value.strip() if isinstance(value, str) else value  # type: ignore[return-value]

        country = text("country")
        return cls(
            first_name=text("first_name"),
            last_name=text("last_name"),
            email=text("email"),
            company=text("company"),
            country=country.upper() if isinstance(country, str) else country,
            skip_email_confirmation=form.get("skip_email_confirmation") in (True, "on", "true"),
        )

    def fields(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in EDITABLE}


@dataclass(frozen=True)
class ContactChange:
    """Rule 3: the billing-account contact a customer save updates, or the Sold To it replaces."""

    billing_account_id: int
    billing_account_name: str
    contact_id: int
    contact_lock_version: int
    role: str
    replaces_sold_to: bool
    before: dict[str, str]
    after: dict[str, str]
    # When the Sold To is replaced: the previous person's address, which must not silently stay.
    address_before: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """The sentence the confirmation dialog shows."""
        old = f"{self.before['first_name']} {self.before['last_name']} ({self.before['email']})"
        new = f"{self.after['first_name']} {self.after['last_name']} ({self.after['email']})"
        if self.replaces_sold_to:
            also = " It is also the Bill To contact, which changes with it." if "Bill To" in self.role else ""
            return (
                f"No contact of {self.billing_account_name} has this customer's email, so saving will "
                f"replace the Sold To contact of {self.billing_account_name}, {old}, with {new}.{also}"
            )
        return (
            f"Saving will also update the {self.role} contact of {self.billing_account_name}: {old} → {new}."
        )


ADDRESS_DECISION = (
    "The Sold To contact is replaced by another person: enter the new person's address, or keep the "
    "current one on purpose."
)


@dataclass(frozen=True)
class SoldToAddress:
    """Rule 3 replacing the Sold To: the new person's address, or the current one kept on purpose.
    The review form names its fields `sold_to_<field>`, apart from the customer's own."""

    keep: bool
    values: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: Mapping[str, object]) -> "SoldToAddress | None":
        """The review dialog's choice; None when support made none."""
        choice = form.get("sold_to_address")
        if choice == "keep":
            return cls(keep=True)
        if choice != "new":
            return None
        values = {name: form.get(f"sold_to_{name}", "") for name in ADDRESS_FIELDS}
        values = {name: value.strip() if isinstance(value, str) else value for name, value in values.items()}
        if isinstance(values["country"], str):
            values["country"] = values["country"].upper()
        return cls(keep=False, values=values)


@dataclass(frozen=True)
class CustomerEditPlan:
    """Everything a save would write, shown to the user before they confirm."""

    customer_id: int
    lock_version: int
    changes: dict[str, list[Any]]
    contact: ContactChange | None
    # What the change means for the customer, in sentences (a new address: confirmation, links, sign-in).
    consequences: tuple[str, ...] = ()


def contact_role(account: BillingAccount, contact_id: int) -> str:
    """Rule 8: "Sold To", "Bill To", "Sold To and Bill To", or "" for neither."""
    sold_to = account.sold_to_contact_id == contact_id
    bill_to = account.bill_to_contact_id == contact_id
    if sold_to and bill_to:
        return "Sold To and Bill To"
    return "Sold To" if sold_to else ("Bill To" if bill_to else "")


def customer_by_email(session: Session, email: str, *, other_than: int | None = None) -> Customer | None:
    """The customer whose email is the same address as `email` (`same_email`: ASCII letters in any
    case, rule 4), found through the unique index on lower(email)."""
    statement = select(Customer).where(sa.func.lower(col(Customer.email)) == address_key(email))
    if other_than is not None:
        statement = statement.where(col(Customer.id) != other_than)
    # lower() may fold more than ASCII letters (PostgreSQL does, by its locale): the rule decides.
    return next((c for c in session.exec(statement).all() if same_email(c.email, email)), None)


def email_taken(session: Session, email: str, *, other_than: int | None = None) -> bool:
    """Rule 4: does another customer have this email, in any letter case?"""
    return customer_by_email(session, email, other_than=other_than) is not None


def _field_errors(session: Session, customer: Customer, edit: CustomerEdit) -> dict[str, str]:
    checks = {
        "first_name": text_error("First name", edit.first_name, max_length=MAX_NAME),
        "last_name": text_error("Last name", edit.last_name, max_length=MAX_NAME),
        "email": email_error(edit.email),
        "company": text_error("Company", edit.company, max_length=MAX_COMPANY, required=False),
        "country": country_error(edit.country),
    }
    errors = {name: message for name, message in checks.items() if message}
    if "email" not in errors and email_taken(session, edit.email, other_than=customer.id):
        errors["email"] = EMAIL_TAKEN
    return errors


def _contact_change(session: Session, customer: Customer, edit: CustomerEdit) -> ContactChange | None:
    """Rule 3, decided from the customer's email before the edit."""
    membership = session.exec(
        select(BillingAccountMembership).where(col(BillingAccountMembership.customer_id) == customer.id)
    ).first()
    if membership is None:
        return None
    account = session.get(BillingAccount, membership.billing_account_id)
    if account is None:
        return None
    contacts = session.exec(
        select(BillingAccountContact)
        .where(col(BillingAccountContact.billing_account_id) == account.id)
        .order_by(col(BillingAccountContact.id))
    ).all()
    matching = [c for c in contacts if same_email(c.email, customer.email)]
    target: BillingAccountContact | None
    if matching:
        target, replaces = matching[0], False
    else:
        target = next((c for c in contacts if c.id == account.sold_to_contact_id), None)
        replaces = True
    if target is None:
        return None
    before = {name: getattr(target, name) for name in PERSON}
    after = {name: getattr(edit, name) for name in PERSON}
    if before == after:
        return None
    address_before = {name: getattr(target, name) for name in ADDRESS_FIELDS} if replaces else {}
    return ContactChange(
        billing_account_id=id_of(account),
        billing_account_name=account.name,
        contact_id=id_of(target),
        contact_lock_version=target.lock_version,
        role=contact_role(account, id_of(target)) or "billing",
        replaces_sold_to=replaces,
        before=before,
        after=after,
        address_before=address_before,
    )


def plan_customer_edit(
    session: Session, *, customer_id: int, edit: CustomerEdit, lock_version: int
) -> Outcome[CustomerEditPlan]:
    """What saving `edit` would change, or why it cannot be saved."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return refused("There is no customer with this id.")
    if customer.lock_version != lock_version:
        return refused(stale_message(session, item_type="customer", item_id=customer_id, noun="customer"))
    errors = _field_errors(session, customer, edit)
    if errors:
        return invalid(errors)
    edit = replace(edit, email=normal_email(edit.email))
    changes = changes_between({name: getattr(customer, name) for name in EDITABLE}, edit.fields())
    # Rule 5: a new address is unconfirmed unless support vouches for it.
    if (
        not same_email(customer.email, edit.email)
        and not edit.skip_email_confirmation
        and customer.confirmed_at
    ):
        changes["confirmed_at"] = [customer.confirmed_at.isoformat(), None]
    contact = _contact_change(session, customer, edit)
    if not changes and contact is None:
        return refused("Nothing to save: no field was changed.")
    return Outcome(
        value=CustomerEditPlan(
            customer_id=customer_id,
            lock_version=lock_version,
            changes=changes,
            contact=contact,
            consequences=email_change_consequences(customer, edit),
        )
    )


def email_change_consequences(customer: Customer, edit: CustomerEdit) -> tuple[str, ...]:
    """What a new address means for the customer, said before saving (rule 5 and the links sent to the
    previous address): whether they stay confirmed, that nothing is sent, that old links stop working,
    whether they can sign in."""
    if same_email(customer.email, edit.email):
        return ()
    if customer.confirmed_at is None:
        confirmation = "The customer stays unconfirmed: they had not confirmed the previous address either."
    elif edit.skip_email_confirmation:
        confirmation = "The customer stays confirmed: you vouch that the new address is theirs."
    else:
        confirmation = "The customer becomes unconfirmed until they confirm the new address."
    sign_in = (
        "They can still sign in to the portal, with the new address."
        if customer.login_activated
        else "They still cannot sign in to the portal: their login is off."
    )
    return (
        confirmation,
        "Saving sends them no email: send a confirmation or a sign-in link from this page afterwards.",
        "A sign-in or confirmation link sent to the previous address stops working.",
        sign_in,
    )


def save_customer_edit(
    session: Session,
    *,
    customer_id: int,
    edit: CustomerEdit,
    lock_version: int,
    reviewed_contact: ContactChange | None,
    actor: Actor,
    reason: str,
    now: datetime,
    sold_to_address: SoldToAddress | None = None,
) -> Outcome[CustomerEditPlan]:
    """Write the customer, the contact rule 3 names, and their history in one transaction; a new
    address revokes the links sent to the previous one.

    `reviewed_contact` is the consequence the user confirmed; if saving now would touch a different
    contact (someone changed the account meanwhile), nothing is written and the user reviews again.
    The caller's session commits; a refusal rolls the session back, so nothing has been written.
    """
    problem = reason_error(reason, required=False)
    if problem:
        return invalid({"reason": problem})
    planned = plan_customer_edit(session, customer_id=customer_id, edit=edit, lock_version=lock_version)
    if not planned.ok:
        return planned
    plan = planned.made()
    if plan.contact != reviewed_contact:
        return refused(
            "The billing account's contacts changed while you were reviewing. Review the change again."
        )
    address = {}
    if plan.contact is not None and plan.contact.replaces_sold_to:
        # No field of the previous person may stay without support deciding so.
        if sold_to_address is None:
            return invalid({"sold_to_address": ADDRESS_DECISION})
        if not sold_to_address.keep:
            errors = address_errors(sold_to_address.values)
            if errors:
                return invalid({f"sold_to_{name}": message for name, message in errors.items()})
            address = dict(sold_to_address.values)
    values = {name: change[1] for name, change in plan.changes.items() if name in EDITABLE}
    if "confirmed_at" in plan.changes:
        values["confirmed_at"] = None
    try:
        update_with_history(
            session,
            Customer,
            customer_id,
            lock_version,
            {**values, "updated_at": now},
            changes=plan.changes,
            actor=actor,
            reason=reason,
            now=now,
        )
        if "email" in plan.changes and not same_email(*plan.changes["email"]):
            revoke_outstanding(
                session,
                customer_id=customer_id,
                purposes=PURPOSES,
                actor=actor,
                now=now,
                reason="The email address changed; the links went to the previous one",
            )
        if plan.contact is not None:
            _write_contact(
                session,
                plan.contact,
                address=address,
                customer_id=customer_id,
                actor=actor,
                reason=reason,
                now=now,
            )
        session.flush()
    except StaleEdit as stale:
        return refuse_stale_edit(session, stale)
    except IntegrityError:
        session.rollback()
        # Another save may have taken the address between the check and the write.
        if email_taken(session, edit.email, other_than=customer_id):
            return invalid({"email": EMAIL_TAKEN})
        raise
    return Outcome(value=plan)


def _write_contact(
    session: Session,
    change: ContactChange,
    *,
    address: Mapping[str, object],
    customer_id: int,
    actor: Actor,
    reason: str,
    now: datetime,
) -> None:
    after = {**change.after, **address}
    kept = change.replaces_sold_to and not address
    why = (
        f"Followed the edit of customer #{customer_id}"
        + ("; the previous Sold To's address was kept on purpose" if kept else "")
        + (f": {reason.strip()}" if reason.strip() else "")
    )
    update_with_history(
        session,
        BillingAccountContact,
        change.contact_id,
        change.contact_lock_version,
        after,
        changes=changes_between({**change.before, **change.address_before}, after),
        actor=actor,
        reason=why,
        now=now,
    )


def unlink_account(
    session: Session, *, customer_id: int, lock_version: int, actor: Actor, reason: str, now: datetime
) -> Outcome[Customer]:
    """Remove the link to the customer's GitLab.com account; takes a reason for the history."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return refused("There is no customer with this id.")
    if customer.uid is None:
        return refused("This customer has no linked account.")
    problem = reason_error(reason, required=True)
    if problem:
        return invalid({"reason": problem})
    return audited_update(
        session,
        customer,
        lock_version,
        {"uid": None, "updated_at": now},
        changes={"uid": [customer.uid, None]},
        actor=actor,
        reason=reason,
        now=now,
    )
