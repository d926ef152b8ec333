"""What every searchable list page shares: the URL is the source of truth for search, filters, sort, page.

A page's state mixes this in and says how to read its query from the URL, fetch a page and
count; the handlers here do the rest. Their permission is the page's `_read_permission`.
"""

import asyncio
import json
from collections.abc import Mapping
from typing import ClassVar, Generic, TypeVar
from urllib.parse import urlencode

import reflex as rx
from reflex.event import EventSpec
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.gate import PAGE_PERMISSION, requires
from admin_app.auth.permissions import Permission
from admin_app.db.lists.listing import ListQuery
from admin_app.db.lists.paging import UNINDEXED_SCAN_LIMIT, Page, ResultCount
from admin_app.db.lists.query_params import parse_id
from admin_app.db.lists.spec import ListSpec, Query
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.state.events import Replies, Reply
from admin_app.state.loading import done_within

ALL = "all"
PARTIAL_SEARCH = (
    "“{term}” has fewer than three letters or digits in a row, so only the newest "
    f"{UNINDEXED_SCAN_LIMIT:,} {{noun}} in this order were searched. Type more to search them all."
)
MAX_PAGE_NUMBER = 1_000_000
# The search box's id: "/" focuses it, and `load` sets what it holds (components.filters.search_box).
SEARCH_BOX_ID = "search"


def filter_box_id(name: str) -> str:
    """The id of a filter typed into (components.filters.text_filter), which `load` sets."""
    return f"filter-{name}"


T = TypeVar("T")
# How long rows that are ready wait for their count, to go to the browser in one update.
COUNT_GRACE_S = 0.05


def _ignore_outcome(task: "asyncio.Future[T]") -> None:
    """Retrieve a no longer wanted task's error, so asyncio does not log it as never retrieved."""
    if not task.cancelled():
        task.exception()


Q = TypeVar("Q", bound=ListQuery)
R = TypeVar("R")


class ListPageState(rx.State, Generic[Q, R], mixin=True):
    """Search, filters, sort and one keyset page of rows: the list's query is a Q, its rows Rs."""

    _path: ClassVar[str]
    _noun: ClassVar[str]
    _filter_names: ClassVar[tuple[str, ...]]
    _read_permission: ClassVar[Permission]

    q: str = ""
    filters: dict[str, str] = {}
    sort: str = ""
    descending: bool = True
    # Each list declares its rows again, with their type (a view from state.views or its own module).
    rows: list[R] = []
    page_number: int = 1
    # How many pages the rows fill, when the count is exact (0: not known).
    page_count: int = 0
    next_cursor: str = ""
    prev_cursor: str = ""
    count_label: str = ""
    loaded_query: str = ""
    loading: bool = True
    error: str = ""
    notices: list[str] = []
    partial_notice: str = ""
    # The connection the page's boxes were last drawn on (see load).
    _drawn_on: str = ""

    def _parse(self, params: Mapping[str, object]) -> tuple[Q, list[str]]:
        """(query, messages about ignored values) read from URL parameters."""
        raise NotImplementedError

    def _to_params(self, query: Q) -> dict[str, str]:
        """The query as URL parameters, defaults left out."""
        raise NotImplementedError

    def _with_sort(self, query: Q, key: str) -> Q:
        raise NotImplementedError

    def _fetch_rows(
        self, session: Session, query: Q, after: str | None, before: str | None
    ) -> tuple[Page, list[R]]:
        """One page and its rows shaped for the table."""
        raise NotImplementedError

    def _count(self, session: Session, query: Q) -> ResultCount:
        raise NotImplementedError

    def _current_params(self) -> dict[str, str]:
        params = {"q": self.q, "sort": ("-" if self.descending else "") + self.sort}
        params.update({name: value for name, value in self.filters.items() if value and value != ALL})
        return params

    def _typed(self) -> dict[str, str]:
        """What the boxes typed into hold, by id, as this tab's state knows it: the search box and the
        filters typed into (a box a page does not have is left alone by rx.set_value)."""
        return {SEARCH_BOX_ID: self.q} | {
            filter_box_id(name): self.filters.get(name, "") for name in self._filter_names
        }

    def _query(self) -> Q:
        return self._parse(self._current_params())[0]

    def _url(self, query: Q, **cursor: str) -> str:
        params = {**self._to_params(query), **{k: v for k, v in cursor.items() if v}}
        return self._path + (f"?{urlencode(params)}" if params else "")

    @rx.var
    def has_filters(self) -> bool:
        """True when any filter or search narrows the list."""
        return bool(self.q) or any(value not in ("", ALL) for value in self.filters.values())

    @rx.var
    def query_string(self) -> str:
        """The current search and filters as a URL query (for exports and links to other views)."""
        params = self._to_params(self._query())
        return f"?{urlencode(params)}" if params else ""

    def _show(self, query: Q, errors: list[str]) -> None:
        params = self._to_params(query)
        self.q = params.get("q", "")
        self.filters = {name: params.get(name, "") for name in self._filter_names}
        self.sort, self.descending = query.sort, query.descending
        self.notices = errors

    @rx.event
    @requires(PAGE_PERMISSION)
    async def load(self) -> Replies:
        """Read the view from the URL and fetch its page (runs on every URL change)."""
        params = dict(self.router.url.query_parameters)
        query, errors = self._parse(params)
        # A page opened on a new connection (a reload) drew its boxes empty, whatever this tab's
        # state held; on the same connection they hold this state's values.
        fresh = self.router.session.session_id != self._drawn_on
        shown = {box: "" for box in self._typed()} if fresh else self._typed()
        self._drawn_on = self.router.session.session_id
        self._show(query, errors)
        page = params.get("page", "1")
        number = parse_id(page)
        self.page_number = number if number and number < MAX_PAGE_NUMBER else 1
        self.loading = True
        # The boxes typed into hold what the browser typed (components.filters.typed_box): a term
        # of the URL this tab opened that is not what they hold goes into them, as the rows do.
        typed = [rx.set_value(box, value) for box, value in self._typed().items() if shown.get(box) != value]
        fetched = self._fetch(
            query,
            after=params.get("after"),
            before=params.get("before"),
            first_update=typed,
            announce_loading=True,
        )
        async for update in fetched:
            yield update
        await self._load_options()

    async def _load_options(self) -> None:
        """Fetch choices a filter offers from the data (none by default); runs after the rows."""

    @rx.event
    @requires(PAGE_PERMISSION)
    async def set_search(self, value: str) -> Replies:
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
        query: Q,
        after: str | None = None,
        before: str | None = None,
        first_update: EventSpec | list[EventSpec] | None = None,
        announce_loading: bool = False,
    ) -> Replies:
        """Fetch one page and its count side by side, off the event loop, and hold what the page shows.

        Each update costs the worker a delta and an emit, so the rows and their count go in one when
        the count comes within COUNT_GRACE_S of the rows; a slower count follows in a second. With
        `announce_loading`, the page hears it is loading when the rows are slow (see state.loading).
        `first_update` rides along with the rows, saving a round trip while typing.
        """
        self.error = ""
        rows = asyncio.ensure_future(in_session(lambda s: self._fetch_rows(s, query, after, before)))
        count = asyncio.ensure_future(in_session(lambda s: self._count(s, query)))
        if announce_loading and not await done_within(rows):
            yield None
        try:
            result, self.rows = await rows
        except SQLAlchemyError:
            count.add_done_callback(_ignore_outcome)
            self.rows, self.next_cursor, self.prev_cursor = [], "", ""
            self.loading, self.error, self.count_label = False, DATABASE_UNAVAILABLE, ""
            yield first_update
            return
        term = query.q[:40]
        self.partial_notice = PARTIAL_SEARCH.format(term=term, noun=self._noun) if result.partial else ""
        self.next_cursor = result.next_cursor or ""
        self.prev_cursor = result.prev_cursor or ""
        if not self.prev_cursor:
            self.page_number = 1
        self.loading = False
        self.loaded_query = query.q
        self.count_label, self.page_count = "", 0
        if not await done_within(count, COUNT_GRACE_S):
            yield first_update
            first_update = None
        try:
            counted = await count
            self.count_label, self.page_count = counted.label, counted.pages or 0
        except SQLAlchemyError:
            self.count_label, self.page_count = "?", 0
        if first_update is not None:
            yield first_update

    @rx.event
    @requires(PAGE_PERMISSION)
    def set_filter(self, name: str, value: str) -> Reply:
        """Change one allowlisted filter and go back to the first page."""
        if name not in self._filter_names or not isinstance(value, str):
            return None
        self.filters = {**self.filters, name: "" if value == ALL else value}
        return rx.redirect(self._url(self._query()))

    @rx.event
    @requires(PAGE_PERMISSION)
    def sort_by(self, key: str) -> Reply:
        """Sort by an allowlisted column; choosing it again flips the direction."""
        return rx.redirect(self._url(self._with_sort(self._query(), key)))

    @rx.event
    @requires(PAGE_PERMISSION)
    def clear_filters(self) -> Reply:
        """Back to the whole list in its default order."""
        return rx.redirect(self._path)

    @rx.event
    @requires(PAGE_PERMISSION)
    def next_page(self) -> Reply:
        if not self.next_cursor:
            return None
        return rx.redirect(self._url(self._query(), after=self.next_cursor, page=str(self.page_number + 1)))

    @rx.event
    @requires(PAGE_PERMISSION)
    def prev_page(self) -> Reply:
        if not self.prev_cursor:
            return None
        page = str(max(1, self.page_number - 1))
        return rx.redirect(self._url(self._query(), before=self.prev_cursor, page=page))


class DescribedListState(ListPageState[Query, R], Generic[R], mixin=True):
    """A list described by a ListSpec (`_spec`): reading the URL, writing it, sorting, the rows and
    their count follow from it. The list says how a row is shown (`_views`) and offers the spec's
    filters (`_filter_names = SPEC.filter_names`)."""

    _spec: ClassVar[ListSpec]

    def _views(self, session: Session, records: list[object]) -> list[R]:
        """The rows of a page, as the table shows them (`session` reads what else they show)."""
        raise NotImplementedError

    def _parse(self, params: Mapping[str, object]) -> tuple[Query, list[str]]:
        parsed = self._spec.parse(params)
        return parsed.query, parsed.errors

    def _to_params(self, query: Query) -> dict[str, str]:
        return self._spec.to_params(query)

    def _with_sort(self, query: Query, key: str) -> Query:
        return self._spec.with_sort(query, key)

    def _fetch_rows(
        self, session: Session, query: Query, after: str | None, before: str | None
    ) -> tuple[Page, list[R]]:
        page = self._spec.rows(session=session, query=query, after=after, before=before)
        return page, self._views(session, page.rows)

    def _count(self, session: Session, query: Query) -> ResultCount:
        return self._spec.count(session=session, query=query)
