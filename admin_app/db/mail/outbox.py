"""The outbox: every email the app sends is a row first, then a delivery attempt, then a result.

queued → sending (claimed by a sender, for SENDING_LEASE) → sent (the mail server took it) →
delivered or bounced (the server's delivery report). A server that refuses outright (5xx) is a bounce
with its answer; one that is away or answers 4xx is tried again after RETRY_DELAYS, and after the
last, the message has failed. A message that cannot be sent as it is (an address the relay cannot
take) has failed at once, with the reason; no message is tried more than MAX_ATTEMPTS times. Asking
for an email writes its row and its history row in one transaction (rule 9); the page never waits on
the mail server.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from sqlmodel import Session, col, or_, select

from admin_app.db.customers.tokens import TOKEN_MARK, mint_for_message
from admin_app.db.history.audit import Actor, record_version
from admin_app.db.lists.query_params import quoted
from admin_app.db.models import OutboxMessage, id_of
from admin_app.db.outcomes import Outcome, refused

KINDS = {
    "license_file": "License file",
    "activation_code": "Activation code",
    "confirmation": "Confirmation email",
    "sign_in_link": "One-time sign-in link",
}
STATUSES = ("queued", "sending", "sent", "delivered", "bounced", "failed")
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A sender that died mid-send leaves its message "sending"; after this it is tried again.
SENDING_LEASE = timedelta(minutes=5)
ANSWER_LENGTH = 500
LAST_ATTEMPT_LOST = "the sender stopped during the last attempt; its answer was never recorded"


@dataclass(frozen=True)
class Email:
    """What to send, to whom, about which record."""

    kind: str
    to_address: str
    subject: str
    body: str
    item_type: str
    item_id: int


def enqueue(
    *, session: Session, email: Email, actor: Actor, now: datetime, domain: str, reason: str | None = None
) -> OutboxMessage:
    """Queue `email` and record who asked for it, in the caller's transaction."""
    if email.kind not in KINDS:
        raise ValueError(f"unknown email kind {email.kind!r}")
    message = OutboxMessage(
        kind=email.kind,
        to_address=email.to_address,
        subject=email.subject,
        body=email.body,
        item_type=email.item_type,
        item_id=email.item_id,
        requested_by=actor.email,
        requested_at=now,
        request_id=actor.request_id,
        status="queued",
        next_attempt_at=now,
        message_id=f"<{uuid4().hex}@{domain}>",
    )
    session.add(message)
    session.flush()
    about = {f"{email.item_type}_id": [None, email.item_id]} if email.item_type == "customer" else {}
    record_version(
        session,
        item_type="outbox_message",
        item_id=id_of(message),
        event="create",
        actor=actor,
        changes={
            "kind": [None, email.kind],
            "to_address": [None, email.to_address],
            "about": [None, f"{email.item_type} {email.item_id}"],
            **about,
        },
        at=now,
        reason=reason,
    )
    return message


@dataclass(frozen=True)
class Claimed:
    """A message a sender took, as plain values (the sender sends it outside any transaction); the body
    holds the token of the link it carries, made for this attempt and nowhere else in clear."""

    id: int
    message_id: str
    to_address: str
    subject: str
    body: str
    attempt: int


def claim_due(*, session: Session, now: datetime, limit: int = 10) -> list[Claimed]:
    """Messages due for an attempt, marked "sending" for SENDING_LEASE, each with a fresh token for the
    link it carries. On PostgreSQL, rows another sender holds are skipped, so several app processes
    never send one message twice at once. A message whose last attempt was lost (its lease ran out) has
    failed instead of being tried again."""
    due = or_(
        (col(OutboxMessage.status) == "queued") & (col(OutboxMessage.next_attempt_at) <= now),
        (col(OutboxMessage.status) == "sending") & (col(OutboxMessage.next_attempt_at) <= now),
    )
    query = (
        select(OutboxMessage)
        .where(due)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for message in session.exec(query).all():
        if message.attempts >= MAX_ATTEMPTS:
            message.status, message.finished_at, message.next_attempt_at = "failed", now, None
            message.last_answer = LAST_ATTEMPT_LOST
            session.add(message)
            continue
        message.status = "sending"
        message.attempts += 1
        message.next_attempt_at = now + SENDING_LEASE
        session.add(message)
        token = mint_for_message(session, outbox_message_id=id_of(message))
        body = message.body if token is None else message.body.replace(TOKEN_MARK, token)
        claimed.append(
            Claimed(
                id_of(message),
                message.message_id,
                message.to_address,
                message.subject,
                body,
                message.attempts,
            )
        )
    session.flush()
    return claimed


@dataclass(frozen=True)
class SendResult:
    """What the mail server answered: `code` (None when it could not be reached) and its text.
    `final`: the message cannot be sent as it is, whatever the server (it has failed at once)."""

    code: int | None
    answer: str
    final: bool = False

    @property
    def accepted(self) -> bool:
        return self.code is not None and 200 <= self.code < 300

    @property
    def refused_for_good(self) -> bool:
        return self.code is not None and 500 <= self.code < 600


def record_send_result(
    *, session: Session, message_id: int, result: SendResult, now: datetime
) -> OutboxMessage | None:
    """The outcome of one attempt: sent, bounced, to be tried again, or failed (at once when the
    message cannot be sent as it is, else after the last try)."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status != "sending":
        return message
    message.last_answer = result.answer[:ANSWER_LENGTH]
    if result.accepted:
        message.status, message.sent_at, message.next_attempt_at = "sent", now, None
    elif result.refused_for_good:
        message.status, message.finished_at, message.next_attempt_at = "bounced", now, None
    elif result.final or message.attempts >= MAX_ATTEMPTS:
        message.status, message.finished_at, message.next_attempt_at = "failed", now, None
    else:
        message.status = "queued"
        message.next_attempt_at = now + RETRY_DELAYS[message.attempts - 1]
    session.add(message)
    session.flush()
    return message


DELIVERY_EVENTS = {"delivered": "delivered", "bounced": "bounced"}


def apply_delivery_event(
    *, session: Session, message_id: str, event: str, answer: str, at: datetime
) -> Outcome[OutboxMessage]:
    """A delivery report from the mail server: the message arrived, or bounced after it was taken.
    The first report decides; a later, different one is kept out."""
    if event not in DELIVERY_EVENTS:
        return refused(f"Unknown delivery event {quoted(event)}.")
    message = session.exec(select(OutboxMessage).where(OutboxMessage.message_id == message_id)).first()
    if message is None:
        return refused("No message of ours has this Message-ID.")
    if message.status in ("delivered", "bounced", "failed"):
        return Outcome(value=message)
    message.status = DELIVERY_EVENTS[event]
    message.finished_at = at
    message.next_attempt_at = None
    message.last_answer = (answer or message.last_answer)[:ANSWER_LENGTH]
    session.add(message)
    session.flush()
    return Outcome(value=message)


def messages_about(
    *, session: Session, item_type: str, item_ids: Sequence[int], limit: int = 50
) -> list[OutboxMessage]:
    """The emails about some records, newest first."""
    if not item_ids:
        return []
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.item_type == item_type, col(OutboxMessage.item_id).in_(list(item_ids)))
        .order_by(col(OutboxMessage.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())
