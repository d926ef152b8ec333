"""Keyset pagination: opaque cursors and the WHERE/ORDER BY that follow them."""

import base64
import binascii
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement, SQLColumnExpression, UnaryExpression
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session


@dataclass(frozen=True)
class Cursor:
    """A position in a sorted result: the sort value and the id of one row."""

    value: object
    id: int


def encode_cursor(value: object, row_id: int) -> str:
    """An opaque, URL-safe token for the position (value, id)."""
    if isinstance(value, (date, datetime)):
        value = value.isoformat()
    raw = json.dumps([value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, python_type: type) -> Cursor | None:
    """The position in `token`, or None when the token is not one we issued."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, row_id = json.loads(raw)
        if not isinstance(row_id, int) or isinstance(row_id, bool):
            return None
        if python_type is datetime:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                return None
        elif python_type is date:
            value = date.fromisoformat(value)
        elif not isinstance(value, python_type) or isinstance(value, bool):
            return None
        return Cursor(value=value, id=row_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        return None


def keyset_after(
    column: ColumnElement[Any], id_column: ColumnElement[Any], cursor: Cursor, descending: bool
) -> ColumnElement[bool]:
    """Rows strictly after `cursor` in the order (column, id), ascending or descending.

    The column is bounded on its own as well: PostgreSQL estimates a range of (column, id) pairs
    poorly (10,000 rows for a 2,000-row search window) and would AND the window with another
    index, such as the 180,000 unexpired licenses' (10 ms to build), instead of reading it.
    """
    value = sa.literal(cursor.value, column.type)
    key, position = sa.tuple_(column, id_column), sa.tuple_(value, sa.literal(cursor.id))
    if descending:
        return sa.and_(column <= value, key < position)
    return sa.and_(column >= value, key > position)


def keyset_until(
    column: ColumnElement[Any], id_column: ColumnElement[Any], cursor: Cursor, descending: bool
) -> ColumnElement[bool]:
    """Rows up to and including `cursor` in the order (column, id); bounded as in keyset_after."""
    value = sa.literal(cursor.value, column.type)
    key, position = sa.tuple_(column, id_column), sa.tuple_(value, sa.literal(cursor.id))
    if descending:
        return sa.and_(column >= value, key >= position)
    return sa.and_(column <= value, key <= position)


def keyset_order(
    column: ColumnElement[Any], id_column: ColumnElement[Any], descending: bool
) -> list[UnaryExpression[Any]]:
    """ORDER BY clauses for (column, id)."""
    if descending:
        return [column.desc(), id_column.desc()]
    return [column.asc(), id_column.asc()]


# Rows read in sort order before the search falls back to its index: a term or
# filter that matches at least one row in 40 fills a page from this window.
PROBE_WINDOW = 2000
# Terms the trigram index cannot serve (under three letters or digits) are looked
# for in at most this many rows after the cursor, and the page says so.
UNINDEXED_SCAN_LIMIT = 10_000
# The most rows walked after a first window (see further_window).
FURTHER_WINDOW_CAP = 6 * PROBE_WINDOW


@dataclass(frozen=True)
class Match:
    """What narrows a list: filters, and optionally a search term asked two ways.

    `in_order` names the filter an index keeps in the list's sort order, such as a plan when the
    index is (plan, issued_at, id) and the list sorts by issue date. A window then counts its rows
    among the rows that filter allows, not among all rows, so it holds a rarer filter's matches too.
    """

    filters: Sequence[SQLColumnExpression[bool]]
    row_match: ColumnElement[bool] | None = None
    index_match: ColumnElement[bool] | None = None
    in_order: tuple[SQLColumnExpression[bool], ...] = ()


@dataclass(frozen=True)
class FetchedPage:
    """Rows of one page; `partial` when only the first UNINDEXED_SCAN_LIMIT rows were searched."""

    rows: list[Any]
    partial: bool = False


def fetch_keyset_page(
    session: Session,
    *,
    entity: type[Any],
    sort_column: ColumnElement[Any],
    id_column: ColumnElement[Any],
    descending: bool,
    cursor: Cursor | None,
    limit: int,
    match: Match,
) -> FetchedPage:
    """Up to `limit` rows after `cursor`, planned so common, rare and short matches all stay fast.

    A common term or filter is found by walking the sort index a bounded window at a time;
    when that window does not fill the page, the search index answers, and its candidate
    set is small exactly when the window failed. A term the index cannot serve is looked
    for in a bounded number of rows, never the whole table.
    """
    order = keyset_order(sort_column, id_column, descending)
    bounds = [keyset_after(sort_column, id_column, cursor, descending)] if cursor else []

    def rows_where(count: int, *conditions: SQLColumnExpression[bool]) -> list[Any]:
        statement = sa.select(entity).where(*conditions).order_by(*order).limit(count)
        return list(session.scalars(statement))

    def ordered(*conditions: SQLColumnExpression[bool]) -> list[Any]:
        return rows_where(limit, *bounds, *conditions)

    def from_window(
        size: int, conditions: Sequence[SQLColumnExpression[bool]], start: Cursor | None = None
    ) -> tuple[list[Any], Cursor | None]:
        # The window ends at the size-th row after its start, found on an index alone;
        # a key range then bounds the scan without joining the table to itself.
        after = [*bounds, keyset_after(sort_column, id_column, start, descending)] if start else bounds
        last = session.execute(
            sa.select(sort_column, id_column)
            .where(*after, *match.in_order)
            .order_by(*order)
            .offset(size - 1)
            .limit(1)
        ).first()
        if last is None:
            return rows_where(limit, *after, *conditions), None
        edge = Cursor(*last)
        return rows_up_to(edge, after, conditions), edge

    def rows_up_to(
        edge: Cursor,
        after: Sequence[SQLColumnExpression[bool]],
        conditions: Sequence[SQLColumnExpression[bool]],
    ) -> list[Any]:
        if not windows_split_at_their_last_value(session):
            return rows_where(
                limit, *after, keyset_until(sort_column, id_column, edge, descending), *conditions
            )
        value = sa.literal(edge.value, sort_column.type)
        before_value = sort_column > value if descending else sort_column < value
        rows = rows_where(limit, *after, before_value, *conditions)
        if len(rows) < limit:
            up_to_edge = id_column >= edge.id if descending else id_column <= edge.id
            rows += rows_where(limit - len(rows), *after, sort_column == value, up_to_edge, *conditions)
        return rows

    if match.row_match is None:
        if match.filters:
            rows, _ = from_window(PROBE_WINDOW, match.filters)
            if len(rows) >= limit:
                return FetchedPage(rows)
        return FetchedPage(ordered(*match.filters))

    row_conditions = [match.row_match, *match.filters]
    rows, edge = from_window(PROBE_WINDOW, row_conditions)
    walked = PROBE_WINDOW
    if len(rows) >= limit:
        return FetchedPage(rows)
    if edge is not None and (further := further_window(len(rows), limit)):
        if match.index_match is None:
            further = min(further, UNINDEXED_SCAN_LIMIT - walked)
        more, edge = from_window(further, row_conditions, start=edge)
        rows, walked = rows + more[: limit - len(rows)], walked + further
        if len(rows) >= limit:
            return FetchedPage(rows)
    if edge is None:
        # The windows reached the last row: they hold every match.
        return FetchedPage(rows)
    if match.index_match is not None:
        return FetchedPage(ordered(match.index_match, *match.filters))
    # The bounded scan goes on from where the windows stopped.
    if walked < UNINDEXED_SCAN_LIMIT:
        more, edge = from_window(UNINDEXED_SCAN_LIMIT - walked, row_conditions, start=edge)
        rows = rows + more[: limit - len(rows)]
    return FetchedPage(rows, partial=edge is not None and len(rows) < limit)


def windows_split_at_their_last_value(session: Session) -> bool:
    """Whether a window is read in two parts: the rows before the value it ends on, then those of
    that value up to its last row.

    SQLite ends an index scan at a (column, id) bound by the column alone: a window ending among
    many rows of one value (a month's reconciliations share a date) read every one of them, 60,000
    rows for a 2,000-row window. Each part's bound is one SQLite keeps to; PostgreSQL keeps to the
    pair, so reads it as one range.
    """
    return session.get_bind().dialect.name == "sqlite"


def further_window(found: int, limit: int) -> int:
    """How many more rows to walk in sort order after a PROBE_WINDOW that found `found` of `limit`
    rows, or 0 when the search index is the cheaper way on.

    It walks twice what the density seen so far needs, and at least half a first window: a walk
    stops once the page is full, but one that comes up short costs the index's answer on top. It
    does not walk when that would take more than FURTHER_WINDOW_CAP rows (fewer than one match in
    160 for a page of 51).
    Walking 2,000 rows takes 1-2 ms; the index's answer costs as many candidates as the term has
    in the whole table, and a filter as common as a plan is ANDed from an index of its own: a
    term on a page of premium licenses sorted by users ("partners", 24 in the first window) took
    34 ms (SQLite) and 63 ms (PostgreSQL) from the index, where 3,000 more rows hold the page.
    """
    if found == 0:
        return 0
    needed = (limit - found) * PROBE_WINDOW / found
    if needed * 2 > FURTHER_WINDOW_CAP:
        return 0
    return max(PROBE_WINDOW // 2, math.ceil(needed * 2))


@dataclass(frozen=True)
class Page:
    """One page of rows and the cursors to its neighbours; `partial` as in FetchedPage."""

    rows: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    partial: bool = False


EMPTY_PAGE = Page(rows=[], next_cursor=None, prev_cursor=None)


def every_page(session: Session, fetch: Callable[[str | None], Page]) -> Iterator[Any]:
    """Every row of a keyset-paged search, one page at a time (`fetch(after)` reads the page after a
    cursor). The transaction ends before a page's rows are handed out, so a slow reader, such as a
    CSV download, holds no database connection while it reads."""
    after: str | None = None
    while True:
        page = fetch(after)
        session.expunge_all()
        session.rollback()
        yield from page.rows
        if not page.next_cursor:
            return
        after = page.next_cursor


def search_page(
    session: Session,
    *,
    entity: type[Any],
    sort_column: ColumnElement[Any],
    python_type: type,
    descending: bool,
    match: Match,
    after: str | None,
    before: str | None,
    limit: int,
) -> Page:
    """A page after the `after` cursor (or before the `before` cursor) of an earlier page."""
    backwards = before is not None and after is None
    token = before if backwards else after
    cursor = decode_cursor(token, python_type) if token else None
    fetched = fetch_keyset_page(
        session,
        entity=entity,
        sort_column=sort_column,
        id_column=entity.id,
        descending=descending != backwards,
        cursor=cursor,
        limit=limit + 1,
        match=match,
    )
    rows = fetched.rows[:limit]
    more = len(fetched.rows) > limit
    if backwards:
        rows.reverse()
    has_next = more if not backwards else cursor is not None
    has_prev = (cursor is not None) if not backwards else more
    key = sort_column.key
    if key is None:
        raise ValueError("a keyset page sorts by a named column")
    return Page(
        rows=rows,
        next_cursor=encode_cursor(getattr(rows[-1], key), rows[-1].id) if has_next and rows else None,
        prev_cursor=encode_cursor(getattr(rows[0], key), rows[0].id) if has_prev and rows else None,
        partial=fetched.partial,
    )


# Rows on one page of a list.
PAGE_SIZE = 50


@dataclass(frozen=True)
class ResultCount:
    """How many rows match: exact up to the cap, otherwise "more than cap"."""

    value: int
    exact: bool

    @property
    def label(self) -> str:
        """What a page shows, e.g. "1,234" or "10,000+"."""
        return f"{self.value:,}" if self.exact else f"{self.value:,}+"

    @property
    def pages(self) -> int | None:
        """How many pages of PAGE_SIZE the rows fill (at least one), when the count is exact."""
        return max(1, -(-self.value // PAGE_SIZE)) if self.exact else None


COUNT_CAP = 10_000


class checked_row_by_row(FunctionElement[bool]):
    """A condition each row is checked against, never looked up in an index of its own."""

    type = sa.Boolean()
    inherit_cache = True


@compiles(checked_row_by_row)
def _row_by_row(element: checked_row_by_row, compiler: SQLCompiler, **kw: Any) -> str:
    return f"(({compiler.process(element.clauses, **kw)}) IS TRUE)"


def count_matches(
    session: Session,
    *,
    id_column: SQLColumnExpression[Any],
    match: Match,
    cap: int = COUNT_CAP,
    densest_first: Sequence[ColumnElement[Any]] | None = None,
) -> ResultCount:
    """Count matches, stopping at `cap` so a huge result never stalls the page.

    A term the index cannot serve is counted among the newest UNINDEXED_SCAN_LIMIT rows only.
    `densest_first` orders the rows looked at (ORDER BY clauses) when matches are densest there.
    """
    newest: list[ColumnElement[bool]] = []
    edge = None
    if match.row_match is not None and match.index_match is None:
        edge = session.scalar(
            sa.select(id_column).order_by(id_column.desc()).offset(UNINDEXED_SCAN_LIMIT - 1).limit(1)
        )
        newest = [id_column >= edge] if edge is not None else []
    filters = match.filters
    if match.index_match is not None:
        # The term's candidates are checked against the filters one by one, and the count stops at
        # the cap. PostgreSQL would otherwise AND them with a filter's own index: the 540,000
        # premium licenses' bitmap took 32 ms to build, to count "partners" among them to 1,000.
        # Since the license search index holds the plan (migration 0015) it would read the plan
        # there instead, which is still slower for a common plan (17 ms, row by row 13-14 ms).
        filters = [checked_row_by_row(f) for f in filters]
    term = match.index_match if match.index_match is not None else match.row_match
    conditions = [c for c in (term, *filters) if c is not None]
    capped = sa.select(id_column).where(*newest, *conditions).order_by(*(densest_first or [])).limit(cap + 1)
    value = session.scalar(sa.select(sa.func.count()).select_from(capped.subquery())) or 0
    return ResultCount(value=min(value, cap), exact=value <= cap and edge is None)
