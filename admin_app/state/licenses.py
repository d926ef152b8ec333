"""State of the Licenses page: the shared list behaviour over the license list's description."""

from typing import ClassVar

from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db.licenses import search as db
from admin_app.db.lists.spec import ListSpec
from admin_app.db.models import License
from admin_app.state.app_state import AppState
from admin_app.state.list_page import DescribedListState
from admin_app.state.views import LicenseView, license_view


class LicensesState(DescribedListState[LicenseView], AppState):
    """Search, filters, sort and one page of licenses."""

    _path: ClassVar[str] = "/licenses"
    _noun: ClassVar[str] = "licenses"
    _spec: ClassVar[ListSpec] = db.LICENSE_LIST
    _filter_names: ClassVar[tuple[str, ...]] = db.LICENSE_LIST.filter_names
    _read_permission: ClassVar[Permission] = Permission.LICENSES_READ
    rows: list[LicenseView] = []

    def _views(self, session: Session, records: list[object]) -> list[LicenseView]:
        licenses = [r for r in records if isinstance(r, License)]
        active = db.active_license_ids(session=session, companies=[r.company for r in licenses])
        today = db.today_utc()
        return [license_view(r, active, today) for r in licenses]
