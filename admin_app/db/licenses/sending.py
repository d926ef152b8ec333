"""Sending a license again ("they say they never got it"), to the address on record or to a corrected
one: the handbook's "Fixing typos" workflow.

A cloud license is sent as its activation code, the others as their license file. Sending to the
address on record needs nothing more. A corrected address changes the license's email in the same
transaction as the send, needs the ticket the request came in on, and, when the activation code has
already been used (the license runs somewhere already), a reason too. Both go into the history.
"""

from dataclasses import dataclass
from datetime import datetime

from joserfc.jwk import OKPKey
from sqlmodel import Session

from admin_app.db.history.audit import Actor, record_version
from admin_app.db.licenses.activations import activation_status
from admin_app.db.licenses.files import license_file_text
from admin_app.db.mail.outbox import Email, enqueue, messages_about
from admin_app.db.models import License, OutboxMessage, id_of
from admin_app.db.outcomes import Outcome, invalid, refused
from admin_app.db.validation import check_email, reason_error, same_email, text_error

MAX_TICKET = 100
NOT_FOUND = "There is no license with this id."


@dataclass(frozen=True)
class SendRequest:
    """What the form asks for: where to send, and for a corrected address, why and on which ticket."""

    to_address: str
    reason: str = ""
    ticket: str = ""


@dataclass(frozen=True)
class SendPlan:
    """What sending would do, shown before it is done: the earlier attempts (bounces first to look at)
    and, for a cloud license, whether its code was used."""

    license: License
    to_address: str
    changes_address: bool
    kind: str
    code_used: bool
    earlier: list[OutboxMessage]


def plan_send(*, session: Session, license_id: int, request: SendRequest) -> Outcome[SendPlan]:
    """Check a send before it is made; nothing is written."""
    license = session.get(License, license_id)
    if license is None:
        return refused(NOT_FOUND)
    checked = check_email(request.to_address)
    if checked.problem:
        return invalid({"to_address": checked.problem})
    to_address = checked.address
    changes_address = not same_email(to_address, license.email)
    status = activation_status(session=session, license=license)
    code_used = bool(status and status.used)
    errors = {}
    if changes_address:
        ticket_problem = text_error("Ticket", request.ticket, max_length=MAX_TICKET)
        if ticket_problem:
            errors["ticket"] = ticket_problem + " A corrected address needs the ticket it was asked for on."
        reason_problem = reason_error(request.reason, required=code_used)
        if reason_problem:
            errors["reason"] = reason_problem + (
                " The activation code was already used: say why it goes to another address."
                if code_used
                else ""
            )
    if errors:
        return invalid(errors)
    earlier = messages_about(session=session, item_type="license", item_ids=[id_of(license)], limit=20)
    kind = "activation_code" if license.activation_code else "license_file"
    return Outcome(value=SendPlan(license, to_address, changes_address, kind, code_used, earlier))


def _email(plan: SendPlan, key: OKPKey) -> Email:
    license = plan.license
    greeting = f"Hello {license.licensee_name},\n\n"
    if plan.kind == "activation_code":
        body = (
            f"{greeting}here is the activation code of your {license.plan} subscription for "
            f"{license.company}:\n\n    {license.activation_code}\n\n"
            "Enter it in your instance's admin area under Subscription."
        )
        subject = f"Your activation code for {license.company}"
    else:
        body = (
            f"{greeting}here is the license file of your {license.plan} subscription for {license.company}."
            f" Upload it in your instance's admin area under License.\n\n{license_file_text(license, key)}"
        )
        subject = f"Your license file for {license.company}"
    return Email(plan.kind, plan.to_address, subject, body, "license", id_of(license))


def send_license(
    *,
    session: Session,
    license_id: int,
    request: SendRequest,
    actor: Actor,
    now: datetime,
    key: OKPKey,
    domain: str,
) -> Outcome[OutboxMessage]:
    """Queue the license (its code or file) to the requested address; a corrected address is saved on
    the license with its history row, under the same request id as the email."""
    planned = plan_send(session=session, license_id=license_id, request=request)
    if not planned.ok:
        return planned.passed_on()
    plan = planned.made()
    reason = request.reason.strip()
    if plan.changes_address:
        ticket = request.ticket.strip()
        record_version(
            session,
            item_type="license",
            item_id=id_of(plan.license),
            event="update",
            actor=actor,
            changes={"email": [plan.license.email, plan.to_address]},
            at=now,
            reason=f"Ticket {ticket}" + (f": {reason}" if reason else ""),
        )
        plan.license.email = plan.to_address
        session.add(plan.license)
    message = enqueue(
        session=session, email=_email(plan, key), actor=actor, now=now, domain=domain, reason=reason or None
    )
    return Outcome(value=message)
