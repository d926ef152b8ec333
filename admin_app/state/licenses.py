"""State of the Licenses page: the shared list behaviour over the license data layer."""

from collections.abc import Mapping
from typing import ClassVar

from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db.licenses import search as db
from admin_app.db.lists.paging import Page, ResultCount
from admin_app.state.app_state import AppState
from admin_app.state.list_page import ListPageState
from admin_app.state.views import LicenseView, license_view


class LicensesState(ListPageState[db.LicenseQuery, LicenseView], AppState):
    """Search, filters, sort and one page of licenses."""

    _path: ClassVar[str] = "/licenses"
    _noun: ClassVar[str] = "licenses"
    _filter_names: ClassVar[tuple[str, ...]] = (
        "plan",
        "trial",
        "status",
        "type",
        "active",
        "issued_from",
        "issued_to",
    )
    _read_permission: ClassVar[Permission] = Permission.LICENSES_READ
    rows: list[LicenseView] = []

    def _parse(self, params: Mapping[str, object]) -> tuple[db.LicenseQuery, list[str]]:
        parsed = db.parse_license_query(params)
        return parsed.query, parsed.errors

    def _to_params(self, query: db.LicenseQuery) -> dict[str, str]:
        return query.to_params()

    def _with_sort(self, query: db.LicenseQuery, key: str) -> db.LicenseQuery:
        return db.with_sort(query, key)

    def _fetch_rows(
        self, session: Session, query: db.LicenseQuery, after: str | None, before: str | None
    ) -> tuple[Page, list[LicenseView]]:
        today = db.today_utc()
        result = db.search_licenses(session=session, query=query, after=after, before=before)
        active = db.active_license_ids(session=session, companies=[r.company for r in result.rows])
        return result, [license_view(r, active, today) for r in result.rows]

    def _count(self, session: Session, query: db.LicenseQuery) -> ResultCount:
        return db.count_licenses(session=session, query=query)
