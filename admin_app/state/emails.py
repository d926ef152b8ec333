"""What every record page's Emails section shares: the emails about the page's record, newest first,
and following a new one while the mail server answers. A state mixes this in and names its record
(`_email_item_type`, `_email_item_id`, set when it loads) and the permission to read it."""

import asyncio
from dataclasses import dataclass
from typing import ClassVar

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from admin_app.auth.gate import PAGE_PERMISSION, requires
from admin_app.auth.identity import still_live
from admin_app.auth.permissions import Permission
from admin_app.db.mail.outbox import KINDS, messages_about
from admin_app.db.models import OutboxMessage
from admin_app.db.session import in_session
from admin_app.state.app_state import AppState

# After a send, the page follows its email this long (seconds) while the mail server answers.
FOLLOW_SECONDS = 20
UNFINISHED = ("queued", "sending", "sent")


@dataclass
class EmailRow:
    requested: str = ""
    what: str = ""
    to_address: str = ""
    requested_by: str = ""
    status: str = ""
    answer: str = ""


def email_row(message: OutboxMessage) -> EmailRow:
    return EmailRow(
        message.requested_at.strftime("%Y-%m-%d %H:%M UTC"),
        KINDS.get(message.kind, message.kind),
        message.to_address,
        message.requested_by,
        message.status,
        message.last_answer,
    )


class EmailsState(rx.State, mixin=True):
    """The emails about one record."""

    _read_permission: ClassVar[Permission]
    _email_item_type: ClassVar[str]

    emails: list[EmailRow] = []
    _email_item_id: int = 0

    async def _reload_emails(self) -> None:
        item_type, item_id = self._email_item_type, self._email_item_id
        self.emails = await in_session(
            lambda s: [
                email_row(m) for m in messages_about(session=s, item_type=item_type, item_ids=[item_id])
            ]
        )

    @rx.event(background=True)
    @requires(PAGE_PERMISSION)
    async def follow_emails(self) -> None:
        """Refresh the emails once a second while the mail server answers (outside the state lock);
        stop as soon as the session it was started under ends or the tab is bound to another."""
        async with self:
            bound = await self.get_state(AppState)
            binding = (bound._staff_session, bound._staff_roles)
        for _ in range(FOLLOW_SECONDS):
            await asyncio.sleep(1)
            if not await still_live(binding[0]):
                return
            async with self:
                bound = await self.get_state(AppState)
                if (bound._staff_session, bound._staff_roles) != binding:
                    return
                try:
                    await self._reload_emails()
                except SQLAlchemyError:
                    return
                if not any(row.status in UNFINISHED for row in self.emails):
                    return
