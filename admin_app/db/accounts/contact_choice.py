"""Choosing a member of a billing account as its Sold To, its Bill To, or both (the portal's dropdowns).

A member whose email one of the account's contacts already has takes that contact. Anyone else gets a
new contact with their name and email and an address decided on purpose (entered, or the current
holder's kept), never one left silently from somebody else (rule 3's lesson). The previous holder
stays a contact of the account, without the role. The plan lists each change before → after, warns
when the Sold To would not be a member, and `apply_role_choice` re-plans inside the transaction and
refuses a plan made before anything on the account changed (rule 10). One request id covers the
rows it writes (rule 12).
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from admin_app.db.accounts.contact_fields import ADDRESS_FIELDS, address_errors
from admin_app.db.accounts.contacts import add_contact, set_contact_roles
from admin_app.db.customers.edit import SoldToAddress
from admin_app.db.history.audit import Actor
from admin_app.db.memberships.ownership import PlannedChange, contact_text, person_text
from admin_app.db.models import (
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    Customer,
    id_of,
)
from admin_app.db.outcomes import Outcome, invalid, refused
from admin_app.db.validation import reason_error, same_email

ROLES = {"sold_to": "Sold To", "bill_to": "Bill To", "both": "Sold To and Bill To"}
STALE_CHOICE = (
    "Something on this account changed after the review was made (a contact, a member or the account). "
    "Nothing was changed: review again."
)
ADDRESS_DECISION = "Enter the new contact's address, or keep the current one on purpose."


@dataclass(frozen=True)
class RoleChoice:
    """Which member should hold which role ("sold_to", "bill_to" or "both") on which account."""

    billing_account_id: int
    customer_id: int
    role: str

    def targets(self) -> tuple[str, ...]:
        return ("sold_to", "bill_to") if self.role == "both" else (self.role,)


@dataclass(frozen=True)
class RoleChoicePlan:
    changes: tuple[PlannedChange, ...]
    warnings: tuple[str, ...]
    # True when the member has no contact on the account yet: a new one is made, its address decided.
    needs_address: bool
    # The current holder's address: what "keep" keeps.
    address_before: dict[str, str] = field(default_factory=dict)
    fingerprint: str = ""


@dataclass(frozen=True)
class _Situation:
    account: BillingAccount
    customer: Customer
    contacts: tuple[BillingAccountContact, ...]
    member_emails: tuple[str, ...]
    member_ids: tuple[int, ...]

    def contact(self, contact_id: int | None) -> BillingAccountContact | None:
        return next((c for c in self.contacts if c.id == contact_id), None)

    def holder(self, target: str) -> BillingAccountContact | None:
        return self.contact(getattr(self.account, f"{target}_contact_id"))

    def customer_contact(self) -> BillingAccountContact | None:
        return next((c for c in self.contacts if same_email(c.email, self.customer.email)), None)

    def fingerprint(self) -> str:
        a = self.account
        parts = [
            (a.id, a.lock_version, a.sold_to_contact_id, a.bill_to_contact_id),
            [(c.id, c.lock_version, c.email) for c in self.contacts],
            (self.customer.id, self.customer.lock_version),
            self.member_ids,
        ]
        return hashlib.sha256(repr(parts).encode()).hexdigest()


def _situation(session: Session, choice: RoleChoice) -> _Situation | str:
    if choice.role not in ROLES:
        return "Choose whether the member becomes the Sold To, the Bill To, or both."
    account = session.get(BillingAccount, choice.billing_account_id)
    if account is None:
        return "There is no billing account with this id."
    members = session.exec(
        select(Customer)
        .join(BillingAccountMembership, col(BillingAccountMembership.customer_id) == col(Customer.id))
        .where(col(BillingAccountMembership.billing_account_id) == account.id)
        .order_by(col(Customer.id))
    ).all()
    customer = next((m for m in members if m.id == choice.customer_id), None)
    if customer is None:
        return f"Only a member of {account.name} can be chosen: add their membership first."
    contacts = session.exec(
        select(BillingAccountContact)
        .where(col(BillingAccountContact.billing_account_id) == account.id)
        .order_by(col(BillingAccountContact.id))
    ).all()
    return _Situation(
        account=account,
        customer=customer,
        contacts=tuple(contacts),
        member_emails=tuple(m.email for m in members),
        member_ids=tuple(id_of(m) for m in members),
    )


def plan_role_choice(session: Session, choice: RoleChoice) -> Outcome[RoleChoicePlan]:
    """What choosing the member would change, before → after, and what to be warned of."""
    situation = _situation(session, choice)
    if isinstance(situation, str):
        return refused(situation)
    return _plan(situation, choice)


def _plan(situation: _Situation, choice: RoleChoice) -> Outcome[RoleChoicePlan]:
    customer, own = situation.customer, situation.customer_contact()
    who = person_text(customer.first_name, customer.last_name, customer.email)
    targets = choice.targets()
    if own is not None and all(situation.holder(t) is own for t in targets):
        return refused(f"{who} is already the {ROLES[choice.role]}.")
    first_holder = situation.holder(targets[0])
    after = contact_text(own) if own else f"{who}, a new contact (address decided below)"
    changes = tuple(PlannedChange(ROLES[t], contact_text(situation.holder(t)), after) for t in targets)
    return Outcome(
        value=RoleChoicePlan(
            changes=changes,
            warnings=tuple(_warnings(situation, targets, who)),
            needs_address=own is None,
            address_before={n: str(getattr(first_holder, n) or "") for n in ADDRESS_FIELDS}
            if first_holder
            else {},
            fingerprint=situation.fingerprint(),
        )
    )


def _warnings(situation: _Situation, targets: tuple[str, ...], who: str) -> list[str]:
    account, warnings = situation.account, []
    if "bill_to" in targets:
        warnings.append(f"Invoices for {account.name} will go to {who}.")
    shared = account.sold_to_contact_id == account.bill_to_contact_id
    if shared and len(targets) == 1:
        other = "bill_to" if targets[0] == "sold_to" else "sold_to"
        kept = situation.holder(other)
        warnings.append(
            f"The Sold To and Bill To become different people: the {ROLES[other]} stays {contact_text(kept)}."
        )
    sold_to = situation.holder("sold_to")
    if "sold_to" not in targets and sold_to is not None:
        warnings.append(sold_to_not_member(account.name, sold_to.email, situation.member_emails))
    for target in targets:
        previous = situation.holder(target)
        if previous is not None and previous is not situation.customer_contact():
            still = any(situation.holder(t) is previous for t in ROLES if t != "both" and t not in targets)
            if not still:
                warnings.append(
                    f"{person_text(previous.first_name, previous.last_name, previous.email)} stays "
                    f"among the account's contacts without a role."
                )
    return [warning for warning in dict.fromkeys(warnings) if warning]


def sold_to_not_member(account_name: str, sold_to_email: str, member_emails: Iterable[str]) -> str:
    """A warning when no member of the account has the Sold To's email, else ""."""
    if any(same_email(sold_to_email, email) for email in member_emails):
        return ""
    return (
        f"The Sold To, {sold_to_email}, is not a member of {account_name}: nobody with that email can "
        "manage the account in the portal."
    )


def apply_role_choice(
    session: Session,
    choice: RoleChoice,
    *,
    fingerprint: str,
    address: SoldToAddress | None,
    actor: Actor,
    reason: str,
    now: datetime,
) -> Outcome[BillingAccount]:
    """Make the change the reviewed plan showed, with its history, or nothing."""
    problem = reason_error(reason, required=True)
    if problem:
        return invalid({"reason": problem})
    situation = _situation(session, choice)
    if isinstance(situation, str):
        return refused(situation)
    planned = _plan(situation, choice)
    if not planned.ok:
        return planned.passed_on()
    plan = planned.made()
    if plan.fingerprint != fingerprint:
        return refused(STALE_CHOICE)
    contact = situation.customer_contact()
    if contact is None:
        added = _new_contact(session, situation, plan, address, actor=actor, reason=reason, now=now)
        if not added.ok:
            return added.passed_on()
        contact = added.made()
    account = situation.account
    roles = {f"{target}_contact_id": id_of(contact) for target in choice.targets()}
    return set_contact_roles(
        session,
        account,
        account.lock_version,
        roles,
        actor=actor,
        reason=f"{ROLES[choice.role]}: {contact.email} (a member); {reason.strip()}",
        now=now,
        stale=STALE_CHOICE,
    )


def _new_contact(
    session: Session,
    situation: _Situation,
    plan: RoleChoicePlan,
    address: SoldToAddress | None,
    *,
    actor: Actor,
    reason: str,
    now: datetime,
) -> Outcome[BillingAccountContact]:
    """The member as a new contact of the account, with the address support decided on."""
    if address is None:
        return invalid({"sold_to_address": ADDRESS_DECISION})
    values: dict[str, object]
    if address.keep:
        values, note = dict(plan.address_before), "; the current holder's address was kept on purpose"
    else:
        errors = {f"sold_to_{name}": message for name, message in address_errors(address.values).items()}
        if errors:
            return invalid(errors)
        values, note = dict(address.values), ""
    customer = situation.customer
    person = {"first_name": customer.first_name, "last_name": customer.last_name, "email": customer.email}
    contact = add_contact(
        session,
        id_of(situation.account),
        {**person, **values},
        actor=actor,
        reason=reason.strip() + note,
        now=now,
    )
    return Outcome(value=contact)
