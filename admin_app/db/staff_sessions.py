"""Server-side sessions of signed-in staff: only a hash of the browser's token is stored."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from admin_app.db.models import StaffSession

# Touch last_seen_at at most this often: every event checks the session, few need a write.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lives: since its last use, and at most since sign-in."""

    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class StaffIdentity:
    """Who a valid session belongs to, as the app needs it on every event."""

    session_id: str
    subject: str
    email: str
    name: str
    roles: tuple[str, ...]


def hash_token(token: str) -> str:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    *,
    session: Session,
    subject: str,
    email: str,
    name: str,
    roles: tuple[str, ...],
    id_token: str | None,
    client_address: str,
    now: datetime,
    policy: SessionPolicy,
) -> str:
    """Open a session and return its new random token (256 bits), which only the browser keeps."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            id=hash_token(token),
            subject=subject,
            email=email,
            name=name,
            roles=",".join(roles),
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.absolute,
            id_token=id_token,
            client_address=client_address[:64],
        )
    )
    return token


def _is_live(row: StaffSession, now: datetime, policy: SessionPolicy) -> bool:
    return row.revoked_at is None and now < row.expires_at and now - row.last_seen_at < policy.idle


def identity_for_token(
    *, session: Session, token: str, now: datetime, policy: SessionPolicy
) -> StaffIdentity | None:
    """The staff member behind `token` if their session is live; keeps it alive (idle timeout)."""
    if not token or len(token) > 200:
        return None
    row = session.get(StaffSession, hash_token(token))
    if row is None or not _is_live(row, now, policy):
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    return StaffIdentity(
        session_id=row.id,
        subject=row.subject,
        email=row.email,
        name=row.name,
        roles=tuple(r for r in row.roles.split(",") if r),
    )


def end_session(*, session: Session, token: str, now: datetime) -> StaffSession | None:
    """Revoke the session of `token` (sign-out); returns it for the audit trail and id_token_hint."""
    row = session.get(StaffSession, hash_token(token)) if token else None
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at = now
    session.add(row)
    return row


def revoke_session(*, session: Session, session_id: str, now: datetime) -> StaffSession | None:
    """Revoke a session by its stored id (an admin ending someone's session)."""
    row = session.get(StaffSession, session_id)
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at = now
    session.add(row)
    return row


def active_sessions(
    *, session: Session, now: datetime, policy: SessionPolicy, limit: int = 200
) -> list[StaffSession]:
    """Live sessions, most recently used first."""
    statement = (
        select(StaffSession)
        .where(
            col(StaffSession.revoked_at).is_(None),
            col(StaffSession.expires_at) > now,
            col(StaffSession.last_seen_at) > now - policy.idle,
        )
        .order_by(col(StaffSession.last_seen_at).desc())
        .limit(limit)
    )
    return list(session.exec(statement))
