"""Emails support sends a customer from the customer page: a confirmation email (for an address not yet
confirmed) and a one-time sign-in link to the customers portal (valid 24 hours, used once).

The outbox keeps each body with customer_tokens.TOKEN_MARK where the link's token goes: the token is
made when the email is handed to the mail server and only its SHA-256 is stored, so a copy of the
database signs nobody in. The portal redeems a link with `customer_tokens.redeem_token`.
"""

from datetime import datetime

from sqlmodel import Session

from admin_app.db.customers.tokens import TOKEN_MARK, issue_token
from admin_app.db.history.audit import Actor
from admin_app.db.mail.outbox import Email, enqueue
from admin_app.db.models import Customer, CustomerToken, OutboxMessage
from admin_app.db.outcomes import Outcome, refused

NOT_FOUND = "There is no customer with this id."


def _queue_with_link(
    session: Session, *, link: CustomerToken, email: Email, actor: Actor, now: datetime, domain: str
) -> OutboxMessage:
    message = enqueue(session=session, email=email, actor=actor, now=now, domain=domain)
    link.outbox_message_id = message.id
    session.add(link)
    session.flush()
    return message


def send_sign_in_link(
    *, session: Session, customer_id: int, actor: Actor, now: datetime, portal_url: str, domain: str
) -> Outcome[OutboxMessage]:
    """Queue a one-time sign-in link to the customer's email; refused for a disabled login (rule 6: it
    is re-activated on purpose first)."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return refused(NOT_FOUND)
    if not customer.login_activated:
        return refused(
            "This customer's login is disabled: re-activate it first (with a reason), then send a link."
        )
    link = issue_token(session, customer=customer, purpose="sign_in", actor=actor, now=now)
    body = (
        f"Hello {customer.first_name},\n\nsign in to the customers portal with this link. It works once, "
        f"within 24 hours:\n\n    {portal_url.rstrip('/')}/sign-in/{TOKEN_MARK}\n\n"
        "If you did not ask for it, ignore this email."
    )
    email = Email("sign_in_link", customer.email, "Your sign-in link", body, "customer", customer_id)
    return Outcome(
        value=_queue_with_link(session, link=link, email=email, actor=actor, now=now, domain=domain)
    )


def send_confirmation(
    *, session: Session, customer_id: int, actor: Actor, now: datetime, portal_url: str, domain: str
) -> Outcome[OutboxMessage]:
    """Queue a confirmation email; refused when the address is confirmed already."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return refused(NOT_FOUND)
    if customer.confirmed_at is not None:
        when = customer.confirmed_at.strftime("%Y-%m-%d")
        return refused(f"{customer.email} was confirmed on {when}; there is nothing to confirm.")
    link = issue_token(session, customer=customer, purpose="confirmation", actor=actor, now=now)
    body = (
        f"Hello {customer.first_name},\n\nplease confirm your email address for the customers portal:\n\n"
        f"    {portal_url.rstrip('/')}/confirm/{TOKEN_MARK}\n\nThe link works once, within 7 days."
    )
    email = Email("confirmation", customer.email, "Confirm your email address", body, "customer", customer_id)
    return Outcome(
        value=_queue_with_link(session, link=link, email=email, actor=actor, now=now, domain=domain)
    )
