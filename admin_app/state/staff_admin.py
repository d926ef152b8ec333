"""States of the admin pages: active staff sessions (admin) and the sign-in audit trail (admin, support)."""

from datetime import UTC, datetime

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from admin_app.auth.client_address import of_state
from admin_app.auth.gate import requires
from admin_app.auth.identity import identity_for_cookie_header, session_policy
from admin_app.auth.permissions import Permission
from admin_app.db.auth_events import KINDS, recent_auth_events, record_auth_event
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.db.staff_sessions import active_sessions, revoke_session
from admin_app.settings import get_settings
from admin_app.state.app_state import AppState

TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"
ALL_KINDS = "all"


class SessionsState(AppState):
    """Live staff sessions; an admin can end any of them."""

    rows: list[dict[str, str]] = []
    error: str = ""

    async def _refresh(self) -> None:
        now, policy = datetime.now(UTC), session_policy(get_settings())

        def fetch(session) -> list[dict[str, str]]:
            return [
                {
                    "id": s.id,
                    "email": s.email,
                    "name": s.name,
                    "roles": s.roles.replace(",", ", ") or "none",
                    "signed_in": s.created_at.strftime(TIME_FORMAT),
                    "last_seen": s.last_seen_at.strftime(TIME_FORMAT),
                    "client_address": s.client_address,
                }
                for s in active_sessions(session=session, now=now, policy=policy)
            ]

        try:
            self.rows, self.error = await in_session(fetch), ""
        except SQLAlchemyError:
            self.error = DATABASE_UNAVAILABLE

    @rx.event
    @requires(Permission.SESSIONS_ADMIN)
    async def load(self):
        await self._refresh()

    @rx.event
    @requires(Permission.SESSIONS_ADMIN)
    async def revoke(self, session_id: str):
        """End one session; its owner is sent to sign in at their next action."""
        if not isinstance(session_id, str) or len(session_id) != 64:
            return rx.toast.error("That is not a session id.")
        admin = await identity_for_cookie_header(self.router.headers.cookie)

        def end(session) -> str | None:
            ended = revoke_session(session=session, session_id=session_id, now=datetime.now(UTC))
            if ended is None:
                return None
            record_auth_event(
                session=session,
                kind="session_revoked",
                at=datetime.now(UTC),
                email=ended.email,
                subject=ended.subject,
                client_address=of_state(self),
                detail=f"by {admin.email if admin else 'unknown'}",
            )
            return ended.email

        try:
            ended_email = await in_session(end)
        except SQLAlchemyError:
            return rx.toast.error(DATABASE_UNAVAILABLE)
        await self._refresh()
        if ended_email is None:
            return rx.toast.info("That session had already ended.")
        return rx.toast.success(f"Session of {ended_email} ended.")


class AuditState(AppState):
    """The newest sign-in audit entries, optionally of one kind."""

    kind: str = ALL_KINDS
    rows: list[dict[str, str]] = []
    error: str = ""

    async def _refresh(self) -> None:
        kind = self.kind if self.kind in KINDS else None

        def fetch(session) -> list[dict[str, str]]:
            return [
                {
                    "at": e.at.strftime(TIME_FORMAT),
                    "kind": e.kind.replace("_", " "),
                    "email": e.email or "—",
                    "client_address": e.client_address or "—",
                    "detail": e.detail,
                }
                for e in recent_auth_events(session=session, limit=200, kind=kind)
            ]

        try:
            self.rows, self.error = await in_session(fetch), ""
        except SQLAlchemyError:
            self.error = DATABASE_UNAVAILABLE

    @rx.event
    @requires(Permission.AUDIT_READ)
    async def load(self):
        await self._refresh()

    @rx.event
    @requires(Permission.AUDIT_READ)
    async def set_kind(self, kind: str):
        """Show one kind of entry (an allowlisted value), or all."""
        self.kind = kind if kind in KINDS else ALL_KINDS
        await self._refresh()
