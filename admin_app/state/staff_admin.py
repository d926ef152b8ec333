"""States of the admin pages: active staff sessions (admin) and the sign-in audit trail (admin, support)."""

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.client_address import of_state
from admin_app.auth.gate import requires
from admin_app.auth.identity import identity_for_cookie_header, session_policy
from admin_app.auth.permissions import Permission
from admin_app.auth.tabs import end_tabs_soon
from admin_app.db.lists.spec import ListSpec
from admin_app.db.models import AuthEvent, StaffSession
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.db.staff.auth_events import record_auth_event
from admin_app.db.staff.search import AUTH_EVENT_LIST
from admin_app.db.staff.sessions import active_sessions, end_sessions_of, revoke_session
from admin_app.settings import get_settings
from admin_app.state.app_state import AppState
from admin_app.state.events import Reply
from admin_app.state.list_page import DescribedListState
from admin_app.state.views import TIME_FORMAT, AuthEventView, auth_event_view


@dataclass
class SessionRow:
    """A live staff session as the admin's list shows it; `ref` stands for its id on this page only."""

    ref: str = ""
    email: str = ""
    name: str = ""
    roles: str = ""
    signed_in: str = ""
    last_seen: str = ""
    client_address: str = ""
    # How many live sessions the same person has (this one included).
    sessions_of_person: int = 0


class SessionsState(AppState):
    """Live staff sessions; an admin can end one of them, or every session of one person.

    The browser never sees a session's stored id: each row carries a reference made for this page
    load, which the server maps back (`_sessions`)."""

    rows: list[SessionRow] = []
    error: str = ""
    _sessions: dict[str, tuple[str, str]] = {}

    async def _refresh(self) -> None:
        now, policy = datetime.now(UTC), session_policy(get_settings())

        def fetch(session: Session) -> list[StaffSession]:
            return active_sessions(session=session, now=now, policy=policy)

        try:
            found = await in_session(fetch)
        except SQLAlchemyError:
            self.error = DATABASE_UNAVAILABLE
            return
        per_person = Counter(s.subject for s in found)
        self._sessions, self.rows, self.error = {}, [], ""
        for s in found:
            ref = secrets.token_urlsafe(9)
            self._sessions[ref] = (s.id, s.subject)
            self.rows.append(
                SessionRow(
                    ref=ref,
                    email=s.email,
                    name=s.name,
                    roles=s.roles.replace(",", ", ") or "none",
                    signed_in=s.created_at.strftime(TIME_FORMAT),
                    last_seen=s.last_seen_at.strftime(TIME_FORMAT),
                    client_address=s.client_address,
                    sessions_of_person=per_person[s.subject],
                )
            )

    @rx.event
    @requires(Permission.SESSIONS_ADMIN)
    async def load(self) -> None:
        await self._refresh()

    async def _end(self, ref: str, everything: bool) -> Reply:
        """End the session a row names, or every session of its person; audited with the admin's name."""
        target = self._sessions.get(ref) if isinstance(ref, str) else None
        if target is None:
            await self._refresh()
            return rx.toast.error("That session is no longer listed; the list has been reloaded.")
        session_id, subject = target
        admin = await identity_for_cookie_header(self.router.headers.cookie)
        address, now = of_state(self), datetime.now(UTC)
        detail = f"by {admin.email if admin else 'unknown'}" + (
            " (every session of this person)" if everything else ""
        )

        def end(session: Session) -> list[tuple[str, str]]:
            if everything:
                ended = end_sessions_of(session=session, now=now, subject=subject)
            else:
                ended = [
                    row for row in [revoke_session(session=session, session_id=session_id, now=now)] if row
                ]
            for row in ended:
                record_auth_event(
                    session=session,
                    kind="session_revoked",
                    at=now,
                    email=row.email,
                    subject=row.subject,
                    client_address=address,
                    detail=detail,
                )
            return [(row.id, row.email) for row in ended]

        try:
            ended_sessions = await in_session(end)
        except SQLAlchemyError:
            return rx.toast.error(DATABASE_UNAVAILABLE)
        end_tabs_soon([session_id for session_id, _ in ended_sessions])
        ended = [email for _, email in ended_sessions]
        await self._refresh()
        if not ended:
            return rx.toast.info("That session had already ended.")
        if everything:
            return rx.toast.success(f"{len(ended)} session(s) of {ended[0]} ended.")
        return rx.toast.success(f"Session of {ended[0]} ended.")

    @rx.event
    @requires(Permission.SESSIONS_ADMIN)
    async def revoke(self, ref: str) -> Reply:
        """End one session; its open tabs are emptied and sent to sign in."""
        return await self._end(ref, everything=False)

    @rx.event
    @requires(Permission.SESSIONS_ADMIN)
    async def revoke_all_of_person(self, ref: str) -> Reply:
        """End every session of the person a row names (a lost laptop, a leaver)."""
        return await self._end(ref, everything=True)


class AuditState(DescribedListState[AuthEventView], AppState):
    """The sign-in audit, newest first, through the shared list behaviour: every entry is a page away."""

    _path: ClassVar[str] = "/audit"
    _noun: ClassVar[str] = "entries"
    _spec: ClassVar[ListSpec] = AUTH_EVENT_LIST
    _filter_names: ClassVar[tuple[str, ...]] = AUTH_EVENT_LIST.filter_names
    _read_permission: ClassVar[Permission] = Permission.AUDIT_READ
    rows: list[AuthEventView] = []

    def _views(self, session: Session, records: list[object]) -> list[AuthEventView]:
        return [auth_event_view(e) for e in records if isinstance(e, AuthEvent)]
