"""Run data-layer work off the event loop: one slow query must not stall every user's events."""

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from admin_app.db.session import session_scope

T = TypeVar("T")


def _in_session(work: Callable[[Session], T]) -> T:
    with session_scope() as session:
        return work(session)


async def in_session(work: Callable[[Session], T]) -> T:
    """`work(session)` in a worker thread, inside a session that commits or rolls back."""
    return await asyncio.to_thread(_in_session, work)
