"""When a page says it is loading: only when its data is slow.

Each update a handler sends costs the worker a delta and an emit, and a spinner that flashes for a
quick page is noise; so a page's read starts first, and the loading update goes out only when the
read has not finished within LOADING_AFTER_S.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.db.session import DATABASE_UNAVAILABLE, in_session

LOADING_AFTER_S = 0.15
T = TypeVar("T")


async def done_within(task: asyncio.Future[T], seconds: float = LOADING_AFTER_S) -> bool:
    """Wait up to `seconds` for `task`; True when it has finished (its result is not taken)."""
    done, _ = await asyncio.wait({task}, timeout=seconds)
    return bool(done)


class DetailPageState(rx.State, mixin=True):
    """What a page showing one record shares: loading while its read is slow, "not found", and a
    plain word when the database is away."""

    not_found: bool = False
    loading: bool = True
    error: str = ""

    async def _read(self, fetch: Callable[[Session], T], show: Callable[[T], bool]) -> AsyncIterator[None]:
        """Read with `fetch` in a database thread and hand the result to `show`, which keeps what the
        page shows and says whether the record was found. Yields when the page should hear it is
        loading (see done_within)."""
        self.loading, self.error, self.not_found = True, "", False
        fetching = asyncio.ensure_future(in_session(fetch))
        if not await done_within(fetching):
            yield
        try:
            self.not_found = not show(await fetching)
        except SQLAlchemyError:
            self.error = DATABASE_UNAVAILABLE
        self.loading = False
