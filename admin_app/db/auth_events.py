"""The sign-in audit trail: sign-ins, sign-outs, failures and refused events."""

from datetime import datetime

from sqlmodel import Session, col, select

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
        detail=detail[:500],
        count=count,
    )
    session.add(event)
    return event


def recent_auth_events(*, session: Session, limit: int = 100, kind: str | None = None) -> list[AuthEvent]:
    """Newest entries first."""
    statement = select(AuthEvent).order_by(col(AuthEvent.at).desc(), col(AuthEvent.id).desc()).limit(limit)
    if kind:
        statement = statement.where(col(AuthEvent.kind) == kind)
    return list(session.exec(statement))
