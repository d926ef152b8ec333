"""Engine and session factory for SQLite (embedded default) and PostgreSQL (production)."""

import asyncio
import contextvars
import functools
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

from admin_app.settings import get_settings

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA cache_size=-65536",
    "PRAGMA mmap_size=1073741824",
    "PRAGMA temp_store=MEMORY",
)


def _apply_sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per database URL, configured for its dialect."""
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _apply_sqlite_pragmas)
        return engine
    settings = get_settings()
    return sa.create_engine(
        url,
        pool_size=settings.DB_POOL_SIZE,
        max_overflow=settings.DB_MAX_OVERFLOW,
        # No ping before each checkout: it cost a round trip per unit of work, and a dropped connection
        # is retried instead (RETRY_DELAYS_S).
        pool_recycle=1800,
        connect_args={
            # A database that went away should be reported in seconds, not after a TCP timeout.
            "connect_timeout": 5,
            # psycopg prepares a statement on its fifth run, and after five more PostgreSQL may keep
            # one plan for every value: for a search, one that cannot see how common the term is
            # (a license term with two filters went from 33 to 100 ms on its eleventh run).
            # No parallel workers: starting them cost a deep page 6-10 ms of its 15, and under load
            # they take the cores other staff's events are waiting for.
            # A page read from the cache costs about what a sequential one does, not four times as
            # much: at the default cost PostgreSQL read a search window's 2,000 rows in full and
            # sorted them rather than walk them in order and stop at a page (active licenses, page 1,
            # 8.5 -> 3.6 ms p95 in make bench).
            "options": (
                "-c plan_cache_mode=force_custom_plan -c max_parallel_workers_per_gather=0"
                " -c random_page_cost=1.1"
            ),
        },
    )


def get_engine() -> Engine:
    """The engine of the configured DATABASE_URL."""
    return engine_for(get_settings().DATABASE_URL)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def row_count(result: Result[*tuple[Any, ...]]) -> int:
    """The rows an UPDATE or DELETE run by `Session.execute` matched. Its result is typed as any
    statement's, but for these it is a CursorResult, which holds the count."""
    return cast(CursorResult[*tuple[Any, ...]], result).rowcount


T = TypeVar("T")


# A pooled connection the database dropped fails on first use and is retried at once (the pool then
# replaces every connection older than the failure); a restarting database refuses connections for a
# second or two, which the later retries wait out before giving up.
RETRY_DELAYS_S = (0.0, 0.3, 1.0, 2.0)
# What staff read when the retries did not help.
DATABASE_UNAVAILABLE = (
    "The database is unavailable; the app retried for a few seconds. "
    "Nothing was changed: try again in a moment."
)


def is_disconnect(error: BaseException) -> bool:
    """True for a lost or refused connection (worth retrying), not for a constraint or a bad query."""
    return isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and bool(error.connection_invalidated)
    )


def _in_session(work: Callable[[Session], T]) -> T:
    for delay in (*RETRY_DELAYS_S, None):
        try:
            with session_scope() as session:
                return work(session)
        except DBAPIError as error:
            # Safe to run again: the transaction rolled back, and a write that did commit before
            # the link dropped is refused the second time by its lock_version or unique key.
            if delay is None or not is_disconnect(error):
                raise
            time.sleep(delay)
    raise RuntimeError("the retry loop ends by returning or raising")


@lru_cache(maxsize=1)
def database_threads() -> ThreadPoolExecutor:
    # asyncio's default pool has cpu_count + 4 threads: on a small host, a few queries waiting on
    # the database would queue every other event behind them. One thread per pooled connection.
    settings = get_settings()
    return ThreadPoolExecutor(
        max_workers=settings.DB_POOL_SIZE + settings.DB_MAX_OVERFLOW, thread_name_prefix="database"
    )


async def in_session(work: Callable[[Session], T]) -> T:
    """`work(session)` in a worker thread, so async code (Reflex events, HTTP routes) never blocks on the
    database; the session commits on success and rolls back on any error. A lost connection is
    retried a few times (RETRY_DELAYS_S) before the error reaches the caller."""
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(
        database_threads(), functools.partial(context.run, _in_session, work)
    )
