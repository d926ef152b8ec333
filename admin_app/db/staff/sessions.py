"""Server-side sessions of signed-in staff: only a hash of the browser's token is stored."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from admin_app.db.models import StaffSession, StaffSessionTab, UsedLogoutToken, table_of
from admin_app.db.session import row_count

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
    roles_checked_at: datetime | None = None


@dataclass(frozen=True)
class ProviderTokens:
    """What the provider issued at sign-in, sealed by the caller: `sid` names the provider's session
    (back-channel logout), the access and refresh tokens re-read the roles during the session."""

    sid: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None


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
    provider: ProviderTokens = ProviderTokens(),
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
            sid=provider.sid,
            access_token=provider.access_token,
            refresh_token=provider.refresh_token,
            roles_checked_at=now,
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
        roles_checked_at=row.roles_checked_at,
    )


def is_live(*, session: Session, session_id: str, now: datetime, policy: SessionPolicy) -> bool:
    """Whether the session may still act: not ended, not expired, not idle too long. Asked by work that
    outlives an event (background tasks, downloads), without keeping the session alive."""
    row = session.get(StaffSession, session_id)
    return row is not None and _is_live(row, now, policy)


def lapsed_between(*, session: Session, since: datetime, until: datetime, policy: SessionPolicy) -> list[str]:
    """Ids of the sessions not ended by anyone that reached their absolute or idle timeout in
    (since, until]."""
    statement = select(StaffSession.id).where(
        col(StaffSession.revoked_at).is_(None),
        sa.or_(
            sa.and_(col(StaffSession.expires_at) > since, col(StaffSession.expires_at) <= until),
            sa.and_(
                col(StaffSession.last_seen_at) > since - policy.idle,
                col(StaffSession.last_seen_at) <= until - policy.idle,
            ),
        ),
    )
    return list(session.exec(statement))


def register_tab(*, session: Session, session_id: str, client_token: str, now: datetime) -> None:
    """Remember that a browser tab acts under a session, so ending the session can reach the tab."""
    if session.get(StaffSessionTab, (session_id, client_token)) is not None:
        return
    try:
        with session.begin_nested():
            session.add(StaffSessionTab(session_id=session_id, client_token=client_token, seen_at=now))
    except IntegrityError:
        # Another worker registered the same tab a moment ago (or the session was just purged).
        return


def tabs_of(*, session: Session, session_ids: list[str]) -> list[str]:
    """The client tokens of the tabs that acted under these sessions."""
    if not session_ids:
        return []
    statement = select(StaffSessionTab.client_token).where(col(StaffSessionTab.session_id).in_(session_ids))
    return sorted(set(session.exec(statement)))


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


def claim_role_check(
    *, session: Session, session_id: str, now: datetime, every: timedelta
) -> ProviderTokens | None:
    """Take the turn to re-read a session's roles from the provider, if one is due: the update is
    atomic, so of several workers (or events) only one asks the provider. Returns the sealed tokens to
    ask with, or None when the check is not due, the session is gone, or it has nothing to ask with."""
    table = table_of(StaffSession)
    claimed = session.execute(
        sa.update(table)
        .where(
            table.c.id == session_id,
            table.c.revoked_at.is_(None),
            sa.or_(table.c.roles_checked_at.is_(None), table.c.roles_checked_at <= now - every),
        )
        .values(roles_checked_at=now)
    )
    if row_count(claimed) != 1:
        return None
    row = session.get(StaffSession, session_id)
    if row is None or not (row.access_token or row.refresh_token):
        return None
    return ProviderTokens(sid=row.sid, access_token=row.access_token, refresh_token=row.refresh_token)


def update_roles(
    *, session: Session, session_id: str, roles: tuple[str, ...], tokens: ProviderTokens
) -> str | None:
    """Store what the provider answered; returns the previous roles when they changed (for the
    audit), else None."""
    row = session.get(StaffSession, session_id)
    if row is None or row.revoked_at is not None:
        return None
    previous = row.roles
    row.roles = ",".join(roles)
    row.access_token = tokens.access_token or row.access_token
    row.refresh_token = tokens.refresh_token or row.refresh_token
    session.add(row)
    return previous if previous != row.roles else None


def end_sessions_of(
    *, session: Session, now: datetime, subject: str | None = None, sid: str | None = None
) -> list[StaffSession]:
    """End every live session of one person (`subject`), or of one provider session (`sid`), or the
    one session matching both. Returns the sessions ended."""
    if not subject and not sid:
        return []
    statement = select(StaffSession).where(col(StaffSession.revoked_at).is_(None))
    if subject:
        statement = statement.where(col(StaffSession.subject) == subject)
    if sid:
        statement = statement.where(col(StaffSession.sid) == sid)
    ended = list(session.exec(statement))
    for row in ended:
        row.revoked_at = now
        session.add(row)
    return ended


def purge_sessions(*, session: Session, now: datetime, retention: timedelta) -> int:
    """Delete sessions ended or expired more than `retention` ago, ID and provider tokens and tabs with
    them, and the back-channel logout token ids that can no longer be replayed. Returns sessions deleted."""
    cutoff = now - retention
    purged = select(StaffSession.id).where(
        sa.or_(col(StaffSession.revoked_at) < cutoff, col(StaffSession.expires_at) < cutoff)
    )
    session.execute(delete(StaffSessionTab).where(col(StaffSessionTab.session_id).in_(purged)))
    deleted = session.execute(
        delete(StaffSession).where(
            sa.or_(col(StaffSession.revoked_at) < cutoff, col(StaffSession.expires_at) < cutoff)
        )
    )
    session.execute(delete(UsedLogoutToken).where(col(UsedLogoutToken.expires_at) < now))
    return row_count(deleted)


def first_use_of_logout_token(*, session: Session, jti: str, keep_until: datetime) -> bool:
    """Remember a back-channel logout token's id; False when it was seen before (a replay)."""
    if session.get(UsedLogoutToken, jti) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(UsedLogoutToken(jti=jti, expires_at=keep_until))
    except IntegrityError:
        # Another worker took the same token a moment ago.
        return False
    return True
