"""One page and one capped count of any searchable list: what every list's search_* and count_* share."""

from collections.abc import Callable

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from admin_app.db.paging import COUNT_CAP, EMPTY_PAGE, Match, Page, ResultCount, count_matches, search_page
from admin_app.db.text_search import term_can_match


def page_of(
    session: Session,
    *,
    entity,
    term: str,
    match: Callable[[], Match],
    sort_column: ColumnElement,
    python_type: type,
    descending: bool,
    after: str | None,
    before: str | None,
    limit: int,
) -> Page:
    """A keyset page of `entity`; a term no stored text can contain finds nothing without a query."""
    if term and not term_can_match(term):
        return EMPTY_PAGE
    return search_page(
        session,
        entity=entity,
        sort_column=sort_column,
        python_type=python_type,
        descending=descending,
        match=match(),
        after=after,
        before=before,
        limit=limit,
    )


# A search matching more than this says "1,000+" (type more to narrow it): counting a common term's
# matches to 10,000 took 30 ms at a million rows, to 1,000 about 10 (PostgreSQL, under `make load`).
SEARCH_COUNT_CAP = 1_000


def count_of(
    session: Session, *, id_column: ColumnElement, term: str, match: Callable[[], Match], cap: int = COUNT_CAP
) -> ResultCount:
    """The number of matches, exact up to `cap`, or up to SEARCH_COUNT_CAP when there is a search term."""
    if term and not term_can_match(term):
        return ResultCount(value=0, exact=True)
    cap = min(cap, SEARCH_COUNT_CAP) if term else cap
    return count_matches(session, id_column=id_column, match=match(), cap=cap)
