"""Sending the outbox over SMTP, beside the app: every few seconds each app process claims the messages
that are due, sends them in a worker thread (never on the event loop, never inside a transaction) and
records what the mail server answered. Delivery reports come back over HTTP (`/api/mail-events`),
signed with MAIL_EVENTS_SECRET."""

import asyncio
import hashlib
import hmac
import logging
import smtplib
import ssl
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from sqlalchemy.exc import SQLAlchemyError

from admin_app.background.smtp_url import SmtpTarget, smtp_target
from admin_app.db.mail.outbox import Claimed, SendResult, claim_due, record_send_result
from admin_app.db.session import session_scope
from admin_app.db.validation import check_email
from admin_app.settings import get_settings

logger = logging.getLogger(__name__)
POLL_SECONDS = 2.0
SMTP_TIMEOUT_S = 15
# A delivery report older (or newer) than this is refused: a captured one cannot be replayed later.
EVENT_MAX_AGE_S = 300


def _message(claimed: Claimed, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = claimed.to_address
    message["Subject"] = claimed.subject
    message["Message-ID"] = claimed.message_id
    message["Date"] = formatdate(usegmt=True)
    message.set_content(claimed.body)
    return message


def _answer(code: int, text: bytes | str) -> str:
    text = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(text.split())}"


def send_one(target: SmtpTarget, claimed: Claimed, sender: str) -> SendResult:
    """One attempt, as the server answered it (its code and words), or why it could not be reached, or
    why the message cannot be sent as it is (then it is final: an address the relay cannot take, a
    message that cannot be built). The relay is given the address's ASCII form (a domain as IDNA)."""
    checked = check_email(claimed.to_address)
    if checked.problem:
        return SendResult(None, f"not sent: {checked.problem}", final=True)
    claimed = replace(claimed, to_address=checked.relay_address)
    try:
        content = _message(claimed, sender).as_bytes()
    except ValueError as error:
        return SendResult(None, f"not sent: the message cannot be built ({error})"[:200], final=True)
    try:
        client: smtplib.SMTP
        if target.tls:
            context = ssl.create_default_context()
            client = smtplib.SMTP_SSL(target.host, target.port, timeout=SMTP_TIMEOUT_S, context=context)
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT_S)
        with client:
            client.ehlo()
            if not target.tls and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if target.username:
                client.login(target.username, target.password)
            # Step by step, to keep the server's own answer to each (the recipient's is the one a typo gets).
            for code, text in (client.mail(parseaddr(sender)[1]), client.rcpt(claimed.to_address)):
                if code not in (250, 251):
                    client.rset()
                    return SendResult(code, _answer(code, text))
            code, text = client.data(content)
        return SendResult(code, _answer(code, text))
    except smtplib.SMTPResponseException as error:
        return SendResult(error.smtp_code, _answer(error.smtp_code, error.smtp_error))
    except (OSError, smtplib.SMTPException) as error:
        return SendResult(None, f"could not reach the mail server: {error}"[:200])
    except UnicodeError as error:
        return SendResult(None, f"not sent: the mail server takes only ASCII ({error})"[:200], final=True)


def _attempt(target: SmtpTarget, claimed: Claimed, sender: str) -> SendResult:
    """`send_one`, with anything it raises kept as this message's failed attempt: one message never
    stops the others of its batch. Only the error's type is kept and logged (its text could quote the
    message)."""
    try:
        return send_one(target, claimed, sender)
    except Exception as error:
        logger.error("outbox message %s: sending raised %s", claimed.id, type(error).__name__)
        return SendResult(None, f"not sent: sending raised {type(error).__name__}")


def send_due(now: datetime | None = None) -> int:
    """Claim what is due, send it, record each answer; the number of messages tried."""
    settings = get_settings()
    target = smtp_target(settings.SMTP_URL)
    with session_scope() as session:
        claimed = claim_due(session=session, now=now or datetime.now(UTC))
    for message in claimed:
        result = _attempt(target, message, settings.MAIL_FROM)
        with session_scope() as session:
            record_send_result(session=session, message_id=message.id, result=result, now=datetime.now(UTC))
    return len(claimed)


async def send_outbox_forever() -> None:
    """The app's lifespan task: the outbox, sent every POLL_SECONDS until the app stops."""
    while True:
        try:
            await asyncio.to_thread(send_due)
        except (SQLAlchemyError, ValueError):
            logger.exception("the outbox could not be sent this round")
        await asyncio.sleep(POLL_SECONDS)


def event_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a delivery report carries: HMAC-SHA256 of "<timestamp>.<body>"."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_headers_well_formed(timestamp: str, signature: str) -> bool:
    """A timestamp of ASCII digits (a dot and fraction allowed) and a signature of 64 hex digits: anything
    else is a malformed request, answered before any signature is computed."""
    whole, _, fraction = timestamp.partition(".")
    digits = (
        whole.isascii() and whole.isdigit() and (not fraction or (fraction.isascii() and fraction.isdigit()))
    )
    return digits and len(signature) == 64 and all(c in "0123456789abcdef" for c in signature.lower())


def event_is_genuine(secret: str, timestamp: str, signature: str, body: bytes, now: float) -> bool:
    """True for a report signed with our secret within EVENT_MAX_AGE_S of now."""
    try:
        age = abs(now - float(timestamp))
    except ValueError:
        return False
    expected = event_signature(secret, timestamp, body)
    return age <= EVENT_MAX_AGE_S and hmac.compare_digest(expected, signature)
