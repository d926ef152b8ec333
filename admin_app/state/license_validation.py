"""State of "Validate license": what a pasted license file says, whether its signature is ours, and
how it compares with the license in the database. The pasted text itself is not kept."""

from dataclasses import dataclass

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from admin_app.auth.gate import requires
from admin_app.auth.permissions import Permission
from admin_app.db.licenses.files import FIELDS, DatabaseMatch, check_license_file, match_in_database
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.license_key import verification_keys
from admin_app.state.app_state import AppState
from admin_app.state.events import Payload
from admin_app.state.writes import form_text


@dataclass
class FieldRow:
    label: str = ""
    in_file: str = ""
    in_database: str = ""
    differs: bool = False


class LicenseValidationState(AppState):
    """The last check of this tab; `verdict` is "" until something was checked."""

    verdict: str = ""
    message: str = ""
    fields: list[FieldRow] = []
    match_message: str = ""
    match_href: str = ""
    error: str = ""

    @rx.var
    def trusted(self) -> bool:
        return self.verdict == "valid"

    @rx.event
    @requires(Permission.LICENSE_FILES)
    async def validate(self, form: Payload) -> None:
        check = check_license_file(form_text(form, "license_text"), verification_keys())
        self.verdict, self.message, self.error = check.verdict, check.message, ""
        self.fields, self.match_message, self.match_href = [], "", ""
        if not check.claims:
            return
        try:
            match: DatabaseMatch = await in_session(
                lambda s: match_in_database(session=s, claims=check.claims)
            )
        except SQLAlchemyError:
            self.error = DATABASE_UNAVAILABLE
            self.fields = [FieldRow(label, str(check.claims.get(name, ""))) for name, label in FIELDS]
            return
        self.fields = [FieldRow(f.label, f.in_file, f.in_database, f.differs) for f in match.fields]
        self.match_message = match.message
        self.match_href = f"/licenses/{match.license_id}" if match.license_id else ""

    @rx.event
    @requires(Permission.LICENSE_FILES)
    def clear(self) -> None:
        self.reset()  # type: ignore[no-untyped-call]  # Reflex's State.reset has no annotations
