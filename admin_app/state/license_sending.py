"""State of a license page's emails: what was sent about the license and what became of it, and the
dialog that sends it again, to the address on record or (support, admin) to a corrected one."""

from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import urlsplit

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.gate import requires
from admin_app.auth.identity import identity_for_cookie_header
from admin_app.auth.permissions import Permission, is_allowed
from admin_app.db.licenses.sending import SendRequest, plan_send, send_license
from admin_app.db.lists.query_params import parse_id
from admin_app.db.models import OutboxMessage
from admin_app.db.outcomes import Outcome, refused
from admin_app.db.session import DATABASE_UNAVAILABLE
from admin_app.license_key import signing_key
from admin_app.settings import get_settings
from admin_app.state.app_state import AppState
from admin_app.state.emails import EmailsState
from admin_app.state.events import Payload, Reply
from admin_app.state.form_errors import LicenseSendErrors, form_errors
from admin_app.state.license_detail import LicenseDetailState, path_tail
from admin_app.state.writes import acting_staff, attempt, form_text

ADDRESS_CHANGE_REFUSED = (
    "Your role may send to the address on record only; support or an admin corrects an address. "
    "Nothing was sent."
)


class LicenseSendingState(EmailsState, AppState):
    """The emails about the license the page loaded (`_email_item_id`), and the send dialog."""

    _read_permission: ClassVar[Permission] = Permission.LICENSES_READ
    _email_item_type: ClassVar[str] = "license"

    send_open: bool = False
    send_errors: LicenseSendErrors = LicenseSendErrors()
    send_message: str = ""

    @rx.event
    @requires(Permission.LICENSES_READ)
    async def load(self) -> None:
        self._email_item_id = parse_id(path_tail(self.router.url.path)) or 0
        self.emails, self.send_open = [], False
        try:
            await self._reload_emails()
        except SQLAlchemyError:
            self.send_message = DATABASE_UNAVAILABLE

    @rx.event
    @requires(Permission.LICENSE_FILES)
    def show_send(self, value: bool) -> None:
        self.send_open = bool(value)
        self.send_errors, self.send_message = LicenseSendErrors(), ""

    @rx.event
    @requires(Permission.LICENSE_FILES)
    async def send(self, form: Payload) -> Reply:
        """Queue the license to the typed address; correcting the address needs customers:edit as well."""
        request = SendRequest(
            form_text(form, "to_address"), form_text(form, "reason"), form_text(form, "ticket")
        )
        license_id = self._email_item_id
        identity = await identity_for_cookie_header(self.router.headers.cookie)
        may_correct = bool(identity and is_allowed(identity.roles, Permission.CUSTOMERS_EDIT))
        actor = await acting_staff(self)
        settings = get_settings()

        def write(session: Session) -> Outcome[OutboxMessage]:
            planned = plan_send(session=session, license_id=license_id, request=request)
            if planned.ok and planned.made().changes_address and not may_correct:
                return refused(ADDRESS_CHANGE_REFUSED)
            return send_license(
                session=session,
                license_id=license_id,
                request=request,
                actor=actor,
                now=datetime.now(UTC),
                key=signing_key(),
                domain=urlsplit(settings.APP_URL).hostname or "localhost",
            )

        outcome = await attempt(write)
        self.send_errors = form_errors(LicenseSendErrors, outcome.field_errors)
        self.send_message = outcome.message
        if not outcome.ok:
            return None
        self.send_open = False
        return [
            rx.toast.success(f"Queued for {request.to_address.strip()}. Its delivery shows below."),
            LicenseDetailState.load,
            LicenseSendingState.follow_emails,
        ]
