"""State of the Licenses page: the URL is the source of truth for search, filters, sort, page."""

import json
from urllib.parse import urlencode

import reflex as rx
from reflex.event import EventSpec
from sqlalchemy.exc import SQLAlchemyError

from admin_app.auth.gate import requires
from admin_app.auth.permissions import Permission
from admin_app.db import licenses as db
from admin_app.db.paging import UNINDEXED_SCAN_LIMIT
from admin_app.db.session import in_session
from admin_app.state.views import DATABASE_UNAVAILABLE, license_view

ALL = "all"
PARTIAL_SEARCH = (
    "“{term}” has fewer than three letters or digits in a row, so only the newest "
    f"{UNINDEXED_SCAN_LIMIT:,} licenses in this order were searched. Type more to search them all."
)
FILTER_PARAMS = {
    "plan": "plan",
    "trial": "trial",
    "status": "status",
    "license_type": "type",
    "issued_from": "issued_from",
    "issued_to": "issued_to",
}


class LicensesState(rx.State):
    """Search, filters, sort and one page of licenses."""

    q: str = ""
    plan: str = ALL
    trial: str = ALL
    status: str = ALL
    license_type: str = ALL
    issued_from: str = ""
    issued_to: str = ""
    sort: str = "issued"
    descending: bool = True
    rows: list[dict[str, str]] = []
    page_number: int = 1
    next_cursor: str = ""
    prev_cursor: str = ""
    count_label: str = ""
    loaded_query: str = ""
    loading: bool = True
    error: str = ""
    notices: list[str] = []
    partial_notice: str = ""

    def _query(self) -> db.LicenseQuery:
        return db.parse_license_query(self._url_params()).query

    def _url_params(self) -> dict[str, str]:
        params = {"q": self.q, "sort": ("-" if self.descending else "") + self.sort}
        for attr, param in FILTER_PARAMS.items():
            value = getattr(self, attr)
            if value and value != ALL:
                params[param] = value
        return params

    def _url(self, query: db.LicenseQuery, **cursor: str) -> str:
        params = {**query.to_params(), **{k: v for k, v in cursor.items() if v}}
        return "/licenses" + (f"?{urlencode(params)}" if params else "")

    @rx.var
    def export_url(self) -> str:
        """The CSV download of everything the current search and filters match."""
        params = self._query().to_params()
        return "/api/export/licenses.csv" + (f"?{urlencode(params)}" if params else "")

    @rx.var
    def has_filters(self) -> bool:
        """True when any filter or search narrows the list."""
        return bool(self.q) or any(getattr(self, attr) not in ("", ALL) for attr in FILTER_PARAMS)

    @rx.event
    @requires(Permission.LICENSES_READ)
    async def load(self):
        """Read the view from the URL and fetch its page (runs on every URL change)."""
        params = dict(self.router.url.query_parameters)
        parsed = db.parse_license_query(params)
        query = parsed.query
        self.q = query.q
        self.plan = query.plan or ALL
        self.trial = query.trial or ALL
        self.status = query.status or ALL
        self.license_type = query.license_type or ALL
        self.issued_from = query.issued_from.isoformat() if query.issued_from else ""
        self.issued_to = query.issued_to.isoformat() if query.issued_to else ""
        self.sort, self.descending = query.sort, query.descending
        self.notices = parsed.errors
        page = params.get("page", "1")
        self.page_number = int(page) if page.isdigit() and 0 < int(page) < 1_000_000 else 1
        self.loading = True
        yield
        async for update in self._fetch(query, after=params.get("after"), before=params.get("before")):
            yield update

    @rx.event
    @requires(Permission.LICENSES_READ)
    async def set_search(self, value: str):
        """Search as the user types; the URL is rewritten in place, so Back is not flooded."""
        self.q = value if isinstance(value, str) else ""
        query = self._query()
        self.page_number = 1
        replace_url = rx.call_script(
            f"window.history.replaceState(window.history.state, '', {json.dumps(self._url(query))})"
        )
        async for update in self._fetch(query, first_update=replace_url):
            yield update

    async def _fetch(
        self,
        query: db.LicenseQuery,
        after: str | None = None,
        before: str | None = None,
        first_update: EventSpec | None = None,
    ):
        """Fetch one page (then its count) off the event loop and hold what the page shows.

        `first_update` rides along with the rows, saving a round trip while typing.
        """
        today = db.today_utc()
        self.error = ""

        def fetch_page(session):
            result = db.search_licenses(session=session, query=query, after=after, before=before)
            active = db.active_license_ids(session=session, companies=[r.company for r in result.rows])
            return result, [license_view(r, active, today) for r in result.rows]

        try:
            result, self.rows = await in_session(fetch_page)
        except SQLAlchemyError:
            self.rows, self.next_cursor, self.prev_cursor = [], "", ""
            self.loading, self.error, self.count_label = False, DATABASE_UNAVAILABLE, ""
            yield first_update
            return
        self.partial_notice = PARTIAL_SEARCH.format(term=query.q[:40]) if result.partial else ""
        self.next_cursor = result.next_cursor or ""
        self.prev_cursor = result.prev_cursor or ""
        if not self.prev_cursor:
            self.page_number = 1
        self.loading = False
        self.loaded_query = query.q
        self.count_label = ""
        yield first_update
        try:
            count = await in_session(lambda session: db.count_licenses(session=session, query=query))
            self.count_label = count.label
        except SQLAlchemyError:
            self.count_label = "?"

    @rx.event
    @requires(Permission.LICENSES_READ)
    def set_filter(self, name: str, value: str):
        """Change one allowlisted filter and go back to the first page."""
        if name not in FILTER_PARAMS or not isinstance(value, str):
            return None
        setattr(self, name, value)
        return rx.redirect(self._url(self._query()))

    @rx.event
    @requires(Permission.LICENSES_READ)
    def sort_by(self, key: str):
        """Sort by an allowlisted column; choosing it again flips the direction."""
        return rx.redirect(self._url(db.with_sort(self._query(), key)))

    @rx.event
    @requires(Permission.LICENSES_READ)
    def clear_filters(self):
        """Back to all licenses, newest first."""
        return rx.redirect("/licenses")

    @rx.event
    @requires(Permission.LICENSES_READ)
    def next_page(self):
        if not self.next_cursor:
            return None
        return rx.redirect(self._url(self._query(), after=self.next_cursor, page=str(self.page_number + 1)))

    @rx.event
    @requires(Permission.LICENSES_READ)
    def prev_page(self):
        if not self.prev_cursor:
            return None
        page = str(max(1, self.page_number - 1))
        return rx.redirect(self._url(self._query(), before=self.prev_cursor, page=page))
