"""State of a customer page's emails: what was sent to the customer, and support's two ways to send one
(a confirmation email, a one-time sign-in link to the portal)."""

from datetime import UTC, datetime
from typing import ClassVar, Protocol
from urllib.parse import urlsplit

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.gate import requires
from admin_app.auth.permissions import Permission
from admin_app.db.customers import emails as db
from admin_app.db.history.audit import Actor
from admin_app.db.lists.query_params import parse_id
from admin_app.db.models import OutboxMessage
from admin_app.db.outcomes import Outcome
from admin_app.db.session import DATABASE_UNAVAILABLE
from admin_app.settings import get_settings
from admin_app.state.app_state import AppState
from admin_app.state.emails import EmailsState
from admin_app.state.events import Reply
from admin_app.state.license_detail import path_tail
from admin_app.state.writes import acting_staff, attempt


class Send(Protocol):
    """One of the customer emails support sends (db.send_sign_in_link, db.send_confirmation)."""

    def __call__(
        self, *, session: Session, customer_id: int, actor: Actor, now: datetime, portal_url: str, domain: str
    ) -> Outcome[OutboxMessage]: ...


class CustomerEmailsState(EmailsState, AppState):
    """The emails about the customer the page loaded (`_email_item_id`)."""

    _read_permission: ClassVar[Permission] = Permission.CUSTOMERS_READ
    _email_item_type: ClassVar[str] = "customer"

    send_message: str = ""

    @rx.event
    @requires(Permission.CUSTOMERS_READ)
    async def load(self) -> None:
        self._email_item_id = parse_id(path_tail(self.router.url.path)) or 0
        self.emails, self.send_message = [], ""
        try:
            await self._reload_emails()
        except SQLAlchemyError:
            self.send_message = DATABASE_UNAVAILABLE

    async def _send(self, send: Send, done: str) -> Reply:
        actor = await acting_staff(self)
        settings = get_settings()
        customer_id = self._email_item_id
        outcome = await attempt(
            lambda session: send(
                session=session,
                customer_id=customer_id,
                actor=actor,
                now=datetime.now(UTC),
                portal_url=settings.PORTAL_URL,
                domain=urlsplit(settings.APP_URL).hostname or "localhost",
            )
        )
        self.send_message = outcome.message
        if not outcome.ok:
            return rx.toast.error(outcome.message)
        await self._reload_emails()
        return [rx.toast.success(done), CustomerEmailsState.follow_emails]

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    async def send_sign_in_link(self) -> Reply:
        return await self._send(db.send_sign_in_link, "Sign-in link queued. Its delivery shows under Emails.")

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    async def send_confirmation(self) -> Reply:
        return await self._send(
            db.send_confirmation, "Confirmation email queued. Its delivery shows under Emails."
        )
