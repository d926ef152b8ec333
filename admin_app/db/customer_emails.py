"""Emails support sends a customer from the customer page: a confirmation email (for an address not yet
confirmed) and a one-time sign-in link to the customers portal (valid 24 hours, used once).

Both carry a token; only its SHA-256 is stored, so a copy of the database signs nobody in. The portal
redeems a token with `redeem_token`: an unknown, used or expired token is refused.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from admin_app.db.audit import Actor
from admin_app.db.models import Customer, CustomerToken, OutboxMessage
from admin_app.db.outbox import Email, enqueue
from admin_app.db.outcomes import Outcome, refused

SIGN_IN_VALID = timedelta(hours=24)
CONFIRMATION_VALID = timedelta(days=7)
PURPOSES = {"sign_in": SIGN_IN_VALID, "confirmation": CONFIRMATION_VALID}
NOT_FOUND = "There is no customer with this id."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(session: Session, customer: Customer, purpose: str, actor: Actor, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        CustomerToken(
            customer_id=customer.id,
            purpose=purpose,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + PURPOSES[purpose],
            requested_by=actor.email,
        )
    )
    return token


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
    token = _issue(session, customer, "sign_in", actor, now)
    body = (
        f"Hello {customer.first_name},\n\nsign in to the customers portal with this link. It works once, "
        f"within 24 hours:\n\n    {portal_url.rstrip('/')}/sign-in/{token}\n\n"
        "If you did not ask for it, ignore this email."
    )
    email = Email("sign_in_link", customer.email, "Your sign-in link", body, "customer", customer.id)
    return Outcome(value=enqueue(session=session, email=email, actor=actor, now=now, domain=domain))


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
    token = _issue(session, customer, "confirmation", actor, now)
    body = (
        f"Hello {customer.first_name},\n\nplease confirm your email address for the customers portal:\n\n"
        f"    {portal_url.rstrip('/')}/confirm/{token}\n\nThe link works once, within 7 days."
    )
    email = Email("confirmation", customer.email, "Confirm your email address", body, "customer", customer.id)
    return Outcome(value=enqueue(session=session, email=email, actor=actor, now=now, domain=domain))


def redeem_token(*, session: Session, token: object, purpose: str, now: datetime) -> Outcome[Customer]:
    """The customer a link belongs to, once: the token is marked used by the statement that checks it is
    unused, so of two clicks at once only one signs in."""
    if not isinstance(token, str) or not token or len(token) > 200 or purpose not in PURPOSES:
        return refused("This link is not valid.")
    digest = token_hash(token)
    found = session.exec(
        select(CustomerToken).where(CustomerToken.token_hash == digest, CustomerToken.purpose == purpose)
    ).first()
    if found is None:
        return refused("This link is not valid.")
    if found.expires_at <= now:
        return refused("This link has expired; ask for a new one.")
    claimed = session.execute(
        update(CustomerToken)
        .where(col(CustomerToken.id) == found.id, col(CustomerToken.used_at).is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        return refused("This link was used already; ask for a new one.")
    return Outcome(value=session.get(Customer, found.customer_id))
