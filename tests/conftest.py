"""One SQLite file and one PostgreSQL database per test run, migrated with Alembic."""

import hashlib
import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from admin_app.db.migrate import upgrade_to_head
from admin_app.db.session import engine_for
from admin_app.settings import PROJECT_ROOT

pytest_plugins = ["tests.ci_skips", "tests.license_routes", "pytester"]

TEST_POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# Children before parents, for emptying tables between tests.
TABLES = (
    "version",
    "failure_note",
    "failure_triage",
    "reconciliation_pause",
    "customer_token",
    "billing_account_membership",
    "reconciliation",
    "reconciliation_rollup",
    "reconciliation_account_total",
    "subscription",
    "usage_ping",
    "license_instance",
    "cloud_activation",
    "license",
    "billing_account_contact",
    "billing_account",
    "customer",
    "staff_session_tab",
    "staff_session",
    "auth_event",
    "used_logout_token",
    "saved_view",
    "outbox_message",
)
# One-row tables the migrations fill: put back as a fresh database has them rather than emptied.
ONE_ROW_TABLES = {
    "active_license_marks": "UPDATE active_license_marks SET marked_on = NULL",
    "reconciliation_rollup_version": "UPDATE reconciliation_rollup_version SET version = :fresh",
}


def _migrated_sqlite_template() -> Path:
    """A SQLite file at the newest schema, migrated once per version of the migrations and kept in the
    temporary directory: `make mutation` starts the tests once for every mutant."""
    migrations = sorted((PROJECT_ROOT / "alembic" / "versions").glob("*.py"))
    version = hashlib.sha256(b"".join(path.read_bytes() for path in migrations)).hexdigest()[:16]
    template = Path(tempfile.gettempdir()) / f"customer-admin-schema-{version}.db"
    if not template.exists():
        building = template.with_suffix(f".{uuid.uuid4().hex}.tmp")
        url = f"sqlite:///{building}"
        upgrade_to_head(url)
        engine_for(url).dispose()
        # Everything in the one file, so that copying the file copies the whole schema.
        with closing(sqlite3.connect(building)) as connection:
            connection.execute("PRAGMA journal_mode=DELETE")
        os.replace(building, template)
    return template


@pytest.fixture(scope="session")
def sqlite_url() -> Iterator[str]:
    """A copy of the migrated template in a folder of this run's own, outside pytest's numbered
    folders (which another pytest run on the machine may clean up)."""
    folder = Path(tempfile.mkdtemp(prefix="customer-admin-test-"))
    path = folder / "test.db"
    shutil.copyfile(_migrated_sqlite_template(), path)
    yield f"sqlite:///{path}"
    engine_for(f"sqlite:///{path}").dispose()
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """A new, migrated PostgreSQL database of its own, dropped afterwards."""
    admin = sa.create_engine(TEST_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        connection = admin.connect()
    except OperationalError as error:
        message = f"PostgreSQL is not reachable at {TEST_POSTGRES_URL} (set TEST_POSTGRES_URL): {error}"
        if os.environ.get("REQUIRE_POSTGRES") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    # A test database need not survive a crash: a commit waits for no disk flush.
    connection.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    url = sa.engine.make_url(TEST_POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_to_head(url)
        yield url
    finally:
        engine_for(url).dispose()
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.close()
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database("customer_admin_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request) -> str:
    """Each test that takes this runs on both databases."""
    return request.getfixturevalue(f"{request.param}_url")


# The sequences of the emptied tables, started again at 1 (TRUNCATE ... RESTART IDENTITY would do
# both, but costs PostgreSQL tens of milliseconds a test: new files for every table).
RESTART_SEQUENCES = """
SELECT setval(d.objid::regclass, 1, false)
FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
WHERE d.refobjid = ANY(CAST(:tables AS regclass[])) AND d.deptype IN ('a', 'i')
"""


def empty_tables(url: str) -> None:
    engine = engine_for(url)
    with engine.begin() as connection:
        for table in TABLES:
            connection.execute(sa.text(f"DELETE FROM {table}"))
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text(RESTART_SEQUENCES), {"tables": list(TABLES)})
        for reset in ONE_ROW_TABLES.values():
            connection.execute(sa.text(reset), {"fresh": time.time_ns() // 1000})


@pytest.fixture
def session(db_url) -> Iterator[Session]:
    """A session on an empty database; the test makes the data it needs."""
    from admin_app.auth.gate import REFUSALS

    empty_tables(db_url)
    # Refusals repeated within a minute are counted, not written: each test starts with none counted.
    REFUSALS.clear()
    with Session(engine_for(db_url), expire_on_commit=False) as session:
        yield session


def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests last, each group in its shuffled order (pytest-randomly): the other tests run
    asyncio loops of their own, which a Playwright loop already running in this thread would refuse."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
