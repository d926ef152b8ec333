"""Changing a billing account's owner as one reviewed step (rules 1, 3, 6, 7, 9, 10, 12 and 13).

The handbook's two processes ("Change subscription management contact"), planned by the server in
the order that leaves the right Sold To:
- the requester is already a customer: their membership is added (moved from another account when
  support confirms it), the previous Sold To's membership is removed, and the Sold To contact becomes
  the requester (name and email; the address stays the company's, and the plan says so);
- the requester is new: the previous Sold To's customer record takes the requester's name and email
  with confirmation skipped (rule 3 carries them to the Sold To contact), and a linked GitLab.com
  account is unlinked.

`plan_ownership_change` lists every change before → after and the warnings; `apply_ownership_change`
re-plans inside the transaction, refuses when anything changed since the plan was shown (rule 10),
and writes every change with one request id (the actor's) plus one summary row on the account.
"""

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from joserfc.jwk import OKPKey
from sqlmodel import Session, col, select

from admin_app.db.accounts.contact_fields import CONTACT_FIELDS
from admin_app.db.accounts.contacts import ContactEdit, update_contact
from admin_app.db.customers.edit import (
    CustomerEdit,
    customer_by_email,
    plan_customer_edit,
    save_customer_edit,
    unlink_account,
)
from admin_app.db.history.audit import Actor, login_disabled_change, record_version
from admin_app.db.licenses.evidence import verify_license_evidence
from admin_app.db.memberships.edit import add_membership, delete_membership, existing_membership, members_of
from admin_app.db.memberships.ownership_evidence import AccountFacts, Evidence, evidence_errors
from admin_app.db.models import (
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    Customer,
    Subscription,
    id_of,
    stored_id,
)
from admin_app.db.outcomes import Outcome, invalid, refused
from admin_app.db.validation import MAX_NAME, email_error, same_email, text_error

EXISTING = "existing customer"
NEW_PERSON = "new person"
STALE_PLAN = (
    "Something on this account changed after the plan was made (a membership, a contact or a customer). "
    "Nothing was changed: review the new plan."
)


@dataclass(frozen=True)
class OwnershipRequest:
    """Who should own the account, and the evidence that they may. Name fields only for a new person."""

    billing_account_id: int
    requester_email: str
    evidence: Evidence
    first_name: str = ""
    last_name: str = ""
    move_from_other_account: bool = False

    def __post_init__(self) -> None:
        # Trimmed once here, so the plan's texts, its checks and what it writes all read the same values.
        for name in ("requester_email", "first_name", "last_name"):
            object.__setattr__(self, name, getattr(self, name).strip())


@dataclass(frozen=True)
class PlannedChange:
    """One line of the plan: what changes, from what, to what."""

    what: str
    before: str
    after: str


@dataclass(frozen=True)
class OwnershipPlan:
    account_id: int
    account_name: str
    process: str
    previous_owner: str
    new_owner: str
    changes: tuple[PlannedChange, ...]
    warnings: tuple[str, ...]
    # Rule 1: the requester manages another account; the plan moves them only when support confirms.
    manages_other_account: str
    fingerprint: str
    # The evidence as it goes into the history, with what the server verified of it.
    evidence: str

    @property
    def history_reason(self) -> str:
        return f"Ownership change: {self.previous_owner} → {self.new_owner}; {self.evidence}"


def person_text(first: str, last: str, email: str) -> str:
    return f"{first} {last} ({email})".strip()


def contact_text(contact: BillingAccountContact | None) -> str:
    if contact is None:
        return "none"
    address = ", ".join(
        str(v) for v in (contact.address_line1, contact.address_line2, contact.city, contact.state) if v
    )
    place = ", ".join(v for v in (address, contact.postal_code or "", contact.country) if v)
    return f"{person_text(contact.first_name, contact.last_name, contact.email)}, {place}"


def _membership(session: Session, customer_id: int) -> BillingAccountMembership | None:
    return session.exec(
        select(BillingAccountMembership).where(col(BillingAccountMembership.customer_id) == customer_id)
    ).first()


@dataclass(frozen=True)
class _Situation:
    account: BillingAccount
    sold_to: BillingAccountContact
    bill_to: BillingAccountContact | None
    previous: Customer | None
    requester: Customer | None
    members: tuple[tuple[int, int], ...]

    @property
    def shared(self) -> bool:
        """The Sold To is the Bill To as well."""
        return self.bill_to is None or self.bill_to.id == self.sold_to.id

    def requester_customer(self) -> Customer:
        """The requester's customer record, which the existing-customer process is planned for."""
        if self.requester is None:
            raise ValueError("the requester is no customer: the existing-customer process does not apply")
        return self.requester

    def previous_customer(self) -> Customer:
        """The previous Sold To's customer record, which the new-person process renames."""
        if self.previous is None:
            raise ValueError("the Sold To is no customer: the new-person process does not apply")
        return self.previous

    def fingerprint(self) -> str:
        parts = [
            (
                self.account.id,
                self.account.lock_version,
                self.account.sold_to_contact_id,
                self.account.bill_to_contact_id,
            ),
            (self.sold_to.id, self.sold_to.lock_version),
            (self.bill_to.id, self.bill_to.lock_version) if self.bill_to else None,
            (self.previous.id, self.previous.lock_version) if self.previous else None,
            (self.requester.id, self.requester.lock_version) if self.requester else None,
            self.members,
        ]
        return hashlib.sha256(repr(parts).encode()).hexdigest()


def _situation(session: Session, request: OwnershipRequest) -> _Situation | str:
    account = session.get(BillingAccount, request.billing_account_id)
    if account is None:
        return "There is no billing account with this id."
    sold_to = (
        session.get(BillingAccountContact, account.sold_to_contact_id) if account.sold_to_contact_id else None
    )
    if sold_to is None:
        return f"{account.name} has no Sold To contact; ask the Billing team to set one first."
    bill_to = (
        session.get(BillingAccountContact, account.bill_to_contact_id) if account.bill_to_contact_id else None
    )
    requester = customer_by_email(session, request.requester_email)
    members = session.exec(
        select(BillingAccountMembership.id, BillingAccountMembership.customer_id)
        .where(col(BillingAccountMembership.billing_account_id) == account.id)
        .order_by(col(BillingAccountMembership.id))
    ).all()
    return _Situation(
        account=account,
        sold_to=sold_to,
        bill_to=bill_to,
        previous=customer_by_email(session, sold_to.email),
        requester=requester,
        members=tuple((stored_id(m_id), c_id) for m_id, c_id in members),
    )


def account_facts(
    session: Session,
    account: BillingAccount,
    sold_to: BillingAccountContact,
    bill_to: BillingAccountContact | None,
) -> AccountFacts:
    deployments = session.exec(
        select(Subscription.deployment).where(col(Subscription.billing_account_id) == account.id).distinct()
    ).all()
    return AccountFacts(
        reseller=account.reseller,
        sold_to_email=sold_to.email,
        bill_to_email=bill_to.email if bill_to and bill_to.id != sold_to.id else "",
        deployments=frozenset(deployments),
    )


def _new_person_errors(request: OwnershipRequest) -> dict[str, str]:
    checks = {
        "first_name": text_error("First name", request.first_name, max_length=MAX_NAME),
        "last_name": text_error("Last name", request.last_name, max_length=MAX_NAME),
    }
    return {name: message for name, message in checks.items() if message}


def plan_ownership_change(
    session: Session, request: OwnershipRequest, *, today: date, license_keys: Sequence[OKPKey] = ()
) -> Outcome[OwnershipPlan]:
    """Every change the ownership change would make, in order, with its warnings; or why it cannot.
    `license_keys` verify "license as text" evidence (the app's keys; without them none verifies)."""
    situation = _situation(session, request)
    if isinstance(situation, str):
        return refused(situation)
    return _plan_from(session, situation, request, today, license_keys)


def _verified_evidence(
    session: Session, situation: _Situation, evidence: Evidence, license_keys: Sequence[OKPKey]
) -> tuple[str, dict[str, str]]:
    """(the evidence as the history reads it, the field errors when what it claims does not verify)."""
    if evidence.kind != "license_text":
        return evidence.summary(), {}
    verified = verify_license_evidence(
        session=session, text=evidence.license_text, keys=license_keys, account=situation.account
    )
    if isinstance(verified, str):
        return "", {"license_text": verified}
    return evidence.summary(verified.summary()), {}


def _plan_from(
    session: Session,
    situation: _Situation,
    request: OwnershipRequest,
    today: date,
    license_keys: Sequence[OKPKey],
) -> Outcome[OwnershipPlan]:
    errors = {}
    email_problem = email_error(request.requester_email)
    if email_problem:
        errors["requester_email"] = email_problem
    facts = account_facts(session, situation.account, situation.sold_to, situation.bill_to)
    errors.update(evidence_errors(request.evidence, facts, request.requester_email, today))
    evidence = ""
    if not errors:
        evidence, evidence_problems = _verified_evidence(session, situation, request.evidence, license_keys)
        errors.update(evidence_problems)
    if situation.requester is None:
        errors.update(_new_person_errors(request))
    if errors:
        return invalid(errors)
    if same_email(request.requester_email, situation.sold_to.email):
        return refused(f"{request.requester_email} is already the Sold To of {situation.account.name}.")
    if situation.requester is not None:
        return _plan_for_customer(session, situation, evidence)
    return _plan_for_new_person(session, situation, request, evidence)


def _login_warning(session: Session, customer: Customer) -> list[str]:
    if customer.login_activated:
        return []
    why = login_disabled_change(session, customer_id=id_of(customer))
    if why is None:
        return [f"{customer.email}'s login is not activated: they cannot sign in until it is (Login status)."]
    return [
        f"{customer.email}'s login was disabled on purpose by {why.actor} on {why.created_at:%Y-%m-%d} "
        f"({why.reason or 'no reason given'}). The ownership change does not re-activate it: that "
        "takes a confirmation and a reason of its own."
    ]


def _plan_for_customer(session: Session, situation: _Situation, evidence: str) -> Outcome[OwnershipPlan]:
    account, sold_to, requester, previous = (
        situation.account,
        situation.sold_to,
        situation.requester_customer(),
        situation.previous,
    )
    changes: list[PlannedChange] = []
    warnings: list[str] = []
    other = existing_membership(session, customer_id=id_of(requester))
    manages_other = ""
    if other is not None and other.billing_account_id != account.id:
        manages_other = f"{other.billing_account_name} ({other.zuora_account_id})"
        changes.append(
            PlannedChange(
                f"Membership #{other.membership_id}", f"{requester.email} manages {manages_other}", "removed"
            )
        )
        warnings.append(
            f"{requester.email} manages {manages_other} today; a customer manages one account, so "
            "that membership ends. Confirm the requester wants to stop managing it."
        )
        if members_of(session, billing_account_id=other.billing_account_id) == 1:
            warnings.append(f"{manages_other} will have nobody to manage it.")
    if other is None or other.billing_account_id != account.id:
        changes.append(PlannedChange("Membership", "none", f"{requester.email} manages {account.name}"))
    previous_membership = (
        _membership(session, id_of(previous)) if previous and previous.id != requester.id else None
    )
    if (
        previous is not None
        and previous_membership is not None
        and previous_membership.billing_account_id == account.id
    ):
        changes.append(
            PlannedChange(
                f"Membership #{previous_membership.id}", f"{previous.email} manages {account.name}", "removed"
            )
        )
    after = replace_person(sold_to, requester)
    changes.append(PlannedChange(_role(situation), contact_text(sold_to), contact_text(after)))
    warnings.extend(_sold_to_warnings(situation, requester.email))
    warnings.extend(_login_warning(session, requester))
    new_owner = person_text(requester.first_name, requester.last_name, requester.email)
    return Outcome(value=_plan(situation, EXISTING, new_owner, changes, warnings, manages_other, evidence))


def _role(situation: _Situation) -> str:
    return "Sold To and Bill To contact" if situation.shared else "Sold To contact"


def replace_person(contact: BillingAccountContact, customer: Customer) -> BillingAccountContact:
    """The contact with the customer's name and email, everything else as it was."""
    return BillingAccountContact(
        **{
            **contact.model_dump(),
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "email": customer.email,
        }
    )


def _new_person_edit(previous: Customer, request: OwnershipRequest) -> CustomerEdit:
    return CustomerEdit(
        first_name=request.first_name,
        last_name=request.last_name,
        email=request.requester_email,
        company=previous.company,
        country=previous.country,
        skip_email_confirmation=True,
    )


def _plan_for_new_person(
    session: Session, situation: _Situation, request: OwnershipRequest, evidence: str
) -> Outcome[OwnershipPlan]:
    account, sold_to, previous = situation.account, situation.sold_to, situation.previous
    if previous is None:
        return refused(
            f"No customer has the Sold To's email ({sold_to.email}). Add the requester as a customer, then "
            "change the owner to that customer."
        )
    membership = _membership(session, id_of(previous))
    if membership is None or membership.billing_account_id != account.id:
        return refused(
            f"{previous.email} does not manage {account.name}, so renaming their customer record would not "
            "change this account. Add the requester as a customer, then change the owner to that customer."
        )
    customer_plan = plan_customer_edit(
        session,
        customer_id=id_of(previous),
        edit=_new_person_edit(previous, request),
        lock_version=previous.lock_version,
    )
    if not customer_plan.ok:
        return customer_plan.passed_on()
    new_owner = person_text(request.first_name, request.last_name, request.requester_email)
    changes = [
        PlannedChange(
            f"Customer #{previous.id}",
            person_text(previous.first_name, previous.last_name, previous.email),
            f"{new_owner}, email confirmation skipped",
        )
    ]
    contact = customer_plan.made().contact
    if contact is not None and contact.contact_id == sold_to.id:
        after = BillingAccountContact(**{**sold_to.model_dump(), **contact.after})
        changes.append(PlannedChange(_role(situation), contact_text(sold_to), contact_text(after)))
    if previous.uid is not None:
        changes.append(PlannedChange("Linked GitLab.com account", f"uid {previous.uid}", "unlinked"))
    warnings = [
        *_sold_to_warnings(situation, request.requester_email),
        f"Send {request.requester_email} a one-time sign-in link so they can link their GitLab.com account.",
        *_login_warning(session, previous),
    ]
    return Outcome(value=_plan(situation, NEW_PERSON, new_owner, changes, warnings, "", evidence))


def _sold_to_warnings(situation: _Situation, new_email: str) -> list[str]:
    return [
        *([f"The Sold To is also the Bill To: invoices will go to {new_email}."] if situation.shared else []),
        "The Sold To's address stays the company's address; edit the contact afterwards if it differs.",
    ]


def _plan(
    situation: _Situation,
    process: str,
    new_owner: str,
    changes: list[PlannedChange],
    warnings: list[str],
    manages_other_account: str,
    evidence: str,
) -> OwnershipPlan:
    sold_to = situation.sold_to
    return OwnershipPlan(
        account_id=id_of(situation.account),
        account_name=situation.account.name,
        process=process,
        previous_owner=person_text(sold_to.first_name, sold_to.last_name, sold_to.email),
        new_owner=new_owner,
        changes=tuple(changes),
        warnings=tuple(warnings),
        manages_other_account=manages_other_account,
        fingerprint=situation.fingerprint(),
        evidence=evidence,
    )


def apply_ownership_change(
    session: Session,
    request: OwnershipRequest,
    *,
    fingerprint: str,
    actor: Actor,
    now: datetime,
    license_keys: Sequence[OKPKey] = (),
) -> Outcome[OwnershipPlan]:
    """Make the reviewed plan, all of it or nothing: refused when anything changed since `fingerprint`
    was planned, or when the requester manages another account and the move was not confirmed. The
    evidence is verified again, and what was verified goes into every history row of the change."""
    situation = _situation(session, request)
    if isinstance(situation, str):
        return refused(situation)
    planned = _plan_from(session, situation, request, now.date(), license_keys)
    if not planned.ok:
        return planned
    plan = planned.made()
    if plan.fingerprint != fingerprint:
        return refused(STALE_PLAN)
    if plan.manages_other_account and not request.move_from_other_account:
        return refused(
            f"{request.requester_email} manages {plan.manages_other_account}. Confirm that the membership "
            "there should end, then save again.",
            needs_confirmation=True,
        )
    reason = plan.history_reason
    steps = _existing_steps if plan.process == EXISTING else _new_person_steps
    for outcome in steps(session, situation, request, actor=actor, reason=reason, now=now):
        if not outcome.ok:
            session.rollback()
            return outcome
    record_version(
        session,
        item_type="billing_account",
        item_id=plan.account_id,
        event="update",
        actor=actor,
        changes={"owner": [plan.previous_owner, plan.new_owner]},
        at=now,
        reason=reason,
    )
    session.flush()
    return Outcome(value=plan)


def _existing_steps(
    session: Session,
    situation: _Situation,
    request: OwnershipRequest,
    *,
    actor: Actor,
    reason: str,
    now: datetime,
) -> Iterator[Outcome[Any]]:
    account, sold_to, requester, previous = (
        situation.account,
        situation.sold_to,
        situation.requester_customer(),
        situation.previous,
    )
    own = _membership(session, id_of(requester))
    if own is not None and own.billing_account_id != account.id:
        yield delete_membership(
            session, membership_id=id_of(own), confirmed_last=True, actor=actor, reason=reason, now=now
        )
        own = None
    if own is None:
        yield add_membership(
            session,
            customer_id=id_of(requester),
            billing_account_id=id_of(account),
            actor=actor,
            reason=reason,
            now=now,
        )
    if previous is not None and previous.id != requester.id:
        theirs = _membership(session, id_of(previous))
        if theirs is not None and theirs.billing_account_id == account.id:
            yield delete_membership(
                session,
                membership_id=id_of(theirs),
                confirmed_last=True,
                actor=actor,
                reason=reason,
                now=now,
            )
    after = replace_person(sold_to, requester)
    yield update_contact(
        session,
        contact_id=id_of(sold_to),
        edit=ContactEdit(values={name: getattr(after, name) for name in CONTACT_FIELDS}),
        lock_version=sold_to.lock_version,
        actor=actor,
        reason=reason,
        now=now,
    )


def _new_person_steps(
    session: Session,
    situation: _Situation,
    request: OwnershipRequest,
    *,
    actor: Actor,
    reason: str,
    now: datetime,
) -> Iterator[Outcome[Any]]:
    previous = situation.previous_customer()
    edit = _new_person_edit(previous, request)
    customer_plan = plan_customer_edit(
        session, customer_id=id_of(previous), edit=edit, lock_version=previous.lock_version
    )
    yield customer_plan
    yield save_customer_edit(
        session,
        customer_id=id_of(previous),
        edit=edit,
        lock_version=previous.lock_version,
        reviewed_contact=customer_plan.made().contact,
        actor=actor,
        reason=reason,
        now=now,
    )
    if previous.uid is not None:
        session.refresh(previous)
        yield unlink_account(
            session,
            customer_id=id_of(previous),
            lock_version=previous.lock_version,
            actor=actor,
            reason=reason,
            now=now,
        )
