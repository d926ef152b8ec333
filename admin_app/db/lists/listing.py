"""One page, one capped count and every row of any searchable list: what every list shares."""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.sql.elements import ColumnElement, SQLColumnExpression
from sqlmodel import Session

from admin_app.db.lists.paging import (
    COUNT_CAP,
    EMPTY_PAGE,
    PAGE_SIZE,
    Match,
    Page,
    ResultCount,
    count_matches,
    every_page,
    search_page,
)
from admin_app.db.lists.text_search import term_can_match


class ListQuery(Protocol):
    """What every list's query has: a search term and a sort (a key of the list's sort columns)."""

    @property
    def q(self) -> str: ...

    @property
    def sort(self) -> str: ...

    @property
    def descending(self) -> bool: ...


def page_of(
    session: Session,
    *,
    entity: type[Any],
    query: ListQuery,
    sort_columns: Mapping[str, tuple[Any, type]],
    match: Callable[[], Match],
    after: str | None,
    before: str | None,
    limit: int,
) -> Page:
    """A keyset page of `entity` in the query's sort; a term no stored text can contain finds nothing
    without a query."""
    if query.q and not term_can_match(query.q):
        return EMPTY_PAGE
    sort_column, python_type = sort_columns[query.sort]
    return search_page(
        session,
        entity=entity,
        sort_column=sort_column,
        python_type=python_type,
        descending=query.descending,
        match=match(),
        after=after,
        before=before,
        limit=limit,
    )


# A search matching more than this says "1,000+" (type more to narrow it): counting a common term's
# matches to 10,000 took 30 ms at a million rows, to 1,000 about 10 (PostgreSQL, under `make load`).
SEARCH_COUNT_CAP = 1_000


def count_of(
    session: Session,
    *,
    id_column: SQLColumnExpression[Any],
    term: str,
    match: Callable[[], Match],
    cap: int = COUNT_CAP,
    densest_first: Sequence[ColumnElement[Any]] | None = None,
) -> ResultCount:
    """The number of matches, exact up to `cap`, or up to SEARCH_COUNT_CAP when there is a search term
    (`densest_first` as in paging.count_matches)."""
    if term and not term_can_match(term):
        return ResultCount(value=0, exact=True)
    cap = min(cap, SEARCH_COUNT_CAP) if term else cap
    return count_matches(session, id_column=id_column, match=match(), cap=cap, densest_first=densest_first)


Q = TypeVar("Q", bound=ListQuery)
R = TypeVar("R")


@dataclass(frozen=True)
class ListSource(Generic[Q, R]):
    """One list's rows, described once: the table, its sorts, and how a query narrows it (`match`).
    A page, a capped count and every row in page order follow from these."""

    entity: type[R]
    id_column: SQLColumnExpression[Any]
    sort_columns: Mapping[str, tuple[Any, type]]
    match: Callable[[Session, Q], Match]

    def search(
        self,
        *,
        session: Session,
        query: Q,
        after: str | None = None,
        before: str | None = None,
        limit: int = PAGE_SIZE,
    ) -> Page:
        """A page of rows matching `query`, after or before a cursor of an earlier page."""
        return page_of(
            session,
            entity=self.entity,
            query=query,
            sort_columns=self.sort_columns,
            match=lambda: self.match(session, query),
            after=after,
            before=before,
            limit=limit,
        )

    def count(
        self,
        *,
        session: Session,
        query: Q,
        cap: int = COUNT_CAP,
        densest_first: Sequence[ColumnElement[Any]] | None = None,
    ) -> ResultCount:
        """How many rows match, exact up to `cap` (see count_of)."""
        match = lambda: self.match(session, query)  # noqa: E731
        return count_of(
            session, id_column=self.id_column, term=query.q, match=match, cap=cap, densest_first=densest_first
        )

    def every(self, *, session: Session, query: Q, batch_size: int = 2000) -> Iterator[R]:
        """Every matching row, in page order, fetched a batch at a time (see every_page)."""
        return every_page(
            session, lambda after: self.search(session=session, query=query, after=after, limit=batch_size)
        )
