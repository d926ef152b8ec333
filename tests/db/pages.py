"""Walking a keyset-paged search the way a person clicking Next would."""

from collections.abc import Callable

from admin_app.db.paging import Page


def every_page(fetch: Callable[[str | None], Page]) -> list[Page]:
    """Each page from the first, following each page's next cursor (`fetch(after)` reads one)."""
    pages, after = [], None
    while True:
        page = fetch(after)
        pages.append(page)
        if not page.next_cursor:
            return pages
        after = page.next_cursor
