"""Walking a keyset-paged search the way a person clicking Next would, and what it asks the database."""

from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from admin_app.db.lists.paging import Page

T = TypeVar("T")


def every_page(fetch: Callable[[str | None], Page]) -> list[Page]:
    """Each page from the first, following each page's next cursor (`fetch(after)` reads one)."""
    pages, after = [], None
    while True:
        page = fetch(after)
        pages.append(page)
        if not page.next_cursor:
            return pages
        after = page.next_cursor


def with_statements(session: Session, work: Callable[[], T]) -> tuple[T, list[str]]:
    """What `work()` returns, and the SQL statements it sent (whitespace collapsed), in order."""
    result, sent = _recorded(session, work)
    return result, [" ".join(statement.split()) for statement, _ in sent]


def with_parameters(session: Session, work: Callable[[], T]) -> tuple[T, list[object]]:
    """What `work()` returns, and every parameter value its statements carried, in order."""
    result, sent = _recorded(session, work)
    values = [v for _, params in sent for v in (params.values() if isinstance(params, dict) else params)]
    return result, values


def _recorded(session: Session, work: Callable[[], T]) -> tuple[T, list[tuple[str, object]]]:
    sent: list[tuple[str, object]] = []
    bind = session.get_bind()

    def record(_connection, _cursor, statement, parameters, *_rest) -> None:
        sent.append((statement, parameters))

    sa.event.listen(bind, "before_cursor_execute", record)
    try:
        return work(), sent
    finally:
        sa.event.remove(bind, "before_cursor_execute", record)
