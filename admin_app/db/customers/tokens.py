"""One-time links to the customers portal (sign-in, confirmation): issued, minted, revoked, redeemed.

A link's token is made when its email is handed to the mail server, not when support asks for the
email: the outbox keeps the body with TOKEN_MARK where the token goes, `mint_for_message` makes a
fresh token for each sending attempt and keeps only its SHA-256, and the token lives on only in the
message on its way to the relay. Nothing is sealed and nothing is purged later, so no key, backup or
timing recovers a link from the database: there is nothing there to recover.

A link works once, before it expires, while its customer's login is active, while the address it
was sent to is still the customer's, and while no newer link of its purpose was sent. Disabling the
login, changing the email and sending a newer link revoke the outstanding ones in the same
transaction, with a history row.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from admin_app.db.history.audit import Actor, record_version
from admin_app.db.models import Customer, CustomerToken, id_of
from admin_app.db.outcomes import Outcome, refused
from admin_app.db.session import row_count
from admin_app.db.validation import same_email

SIGN_IN_VALID = timedelta(hours=24)
CONFIRMATION_VALID = timedelta(days=7)
PURPOSES = {"sign_in": SIGN_IN_VALID, "confirmation": CONFIRMATION_VALID}
# Where an email's body holds its link's token until the moment it is sent.
TOKEN_MARK = "{one-time-token}"
NOT_VALID = "This link is not valid."
NO_LONGER_VALID = "This link is no longer valid; ask for a new one."
USED = "This link was used already; ask for a new one."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def revoke_outstanding(
    session: Session,
    *,
    customer_id: int,
    purposes: Iterable[str],
    actor: Actor,
    now: datetime,
    reason: str,
) -> None:
    """Revoke the customer's unused, unexpired links of `purposes` and record it on the customer's
    history, a line per link (in the caller's transaction)."""
    outstanding = session.exec(
        select(CustomerToken).where(
            col(CustomerToken.customer_id) == customer_id,
            col(CustomerToken.purpose).in_(list(purposes)),
            col(CustomerToken.used_at).is_(None),
            col(CustomerToken.revoked_at).is_(None),
            col(CustomerToken.expires_at) > now,
        )
    ).all()
    if not outstanding:
        return
    changes = {}
    for token in sorted(outstanding, key=id_of):
        changes[f"{token.purpose}_link_{token.id}"] = ["outstanding", "revoked"]
        token.revoked_at = now
        session.add(token)
    record_version(
        session,
        item_type="customer",
        item_id=customer_id,
        event="update",
        actor=actor,
        changes=changes,
        at=now,
        reason=reason,
    )
    session.flush()


def issue_token(
    session: Session, *, customer: Customer, purpose: str, actor: Actor, now: datetime
) -> CustomerToken:
    """A link of `purpose` for the customer's current address, without its token yet (it is made when
    the email is sent); the customer's earlier links of that purpose are revoked."""
    revoke_outstanding(
        session,
        customer_id=id_of(customer),
        purposes=[purpose],
        actor=actor,
        now=now,
        reason=f"A newer {purpose.replace('_', '-')} link was sent",
    )
    token = CustomerToken(
        customer_id=id_of(customer),
        purpose=purpose,
        token_hash=None,
        sent_to=customer.email,
        created_at=now,
        expires_at=now + PURPOSES[purpose],
        requested_by=actor.email,
    )
    session.add(token)
    session.flush()
    return token


def mint_for_message(session: Session, *, outbox_message_id: int) -> str | None:
    """A fresh token for the link an outbox message carries (None when it carries none), replacing the
    one an earlier attempt made; only its hash is stored."""
    link = session.exec(
        select(CustomerToken).where(col(CustomerToken.outbox_message_id) == outbox_message_id)
    ).first()
    if link is None:
        return None
    token = secrets.token_urlsafe(32)
    link.token_hash = token_hash(token)
    session.add(link)
    return token


def _newer_link_exists(session: Session, link: CustomerToken) -> bool:
    return (
        session.exec(
            select(CustomerToken.id).where(
                col(CustomerToken.customer_id) == link.customer_id,
                col(CustomerToken.purpose) == link.purpose,
                col(CustomerToken.id) > link.id,
            )
        ).first()
        is not None
    )


def redeem_token(*, session: Session, token: object, purpose: str, now: datetime) -> Outcome[Customer]:
    """The customer a link belongs to, once, if everything that made it valid still holds. The token is
    marked used by the statement that checks it is unused, so of two clicks at once only one signs in."""
    if not isinstance(token, str) or not token or len(token) > 200 or purpose not in PURPOSES:
        return refused(NOT_VALID)
    found = session.exec(
        select(CustomerToken).where(
            col(CustomerToken.token_hash) == token_hash(token), col(CustomerToken.purpose) == purpose
        )
    ).first()
    if found is None:
        return refused(NOT_VALID)
    if found.used_at is not None:
        return refused(USED)
    if found.expires_at <= now:
        return refused("This link has expired; ask for a new one.")
    customer = session.get(Customer, found.customer_id)
    if (
        found.revoked_at is not None
        or customer is None
        or not customer.login_activated
        or not same_email(customer.email, found.sent_to)
        or _newer_link_exists(session, found)
    ):
        return refused(NO_LONGER_VALID)
    claimed = session.execute(
        update(CustomerToken)
        .where(col(CustomerToken.id) == found.id, col(CustomerToken.used_at).is_(None))
        .values(used_at=now)
    )
    if row_count(claimed) != 1:
        return refused(USED)
    return Outcome(value=customer)
