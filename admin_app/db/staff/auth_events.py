"""The sign-in audit trail: sign-ins, sign-outs, failures and refused events."""

from datetime import datetime

from sqlmodel import Session

from admin_app.db.models import AuthEvent

KINDS = (
    "sign_in",
    "sign_out",
    "sign_in_failed",
    "refused",
    "session_revoked",
    "roles_changed",
    "session_ended",
    "export",
    "license_file",
    "activation",
)
# The detail of the row that counts the refusals from one address after its first within a minute.
MORE_FROM_ADDRESS = "more from this address"
MAX_DETAIL = 500


def plain_detail(text: str, limit: int = MAX_DETAIL) -> str:
    """`text` as the audit keeps it: at most `limit` characters, each control, format or separator
    character (a newline, a bidi override) stored as "?", so no row reads as something it is not."""
    bounded = text[:limit]
    return "".join(ch if ch.isprintable() else "?" for ch in bounded)


def event_detail(event: AuthEvent) -> str:
    """What the audit page says an entry was about, with the count of a counted row."""
    if event.detail == MORE_FROM_ADDRESS:
        return f"{event.count:,} more from this address within a minute, whatever they asked"
    if event.count > 1:
        return f"{event.detail} ({event.count:,} more times within a minute)"
    return event.detail


def record_auth_event(
    *,
    session: Session,
    kind: str,
    at: datetime,
    email: str = "",
    subject: str = "",
    client_address: str = "",
    detail: str = "",
    count: int = 1,
) -> AuthEvent:
    """Add one entry (the caller commits); `count` > 1 stands for that many identical refusals."""
    if kind not in KINDS:
        raise ValueError(f"unknown auth event kind {kind!r}")
    event = AuthEvent(
        at=at,
        kind=kind,
        email=email[:254],
        subject=subject[:255],
        client_address=client_address[:64],
        detail=plain_detail(detail),
        count=count,
    )
    session.add(event)
    return event
