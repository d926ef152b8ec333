"""Each of the newest migrations goes down and up again on both databases: its tables and indexes go
with the downgrade and come back with the upgrade, and a later migration is never left half undone."""

import pytest
import sqlalchemy as sa

from admin_app.db import migrate
from admin_app.db.session import engine_for
from alembic import command
from tests.conftest import fresh_postgres_database

# What each migration adds, by the revision before it.
ADDED_AFTER = {
    "0021": {"license_instance", "usage_ping"},
    "0023": {"failure_triage", "failure_note"},
    "0024": {"reconciliation_pause"},
}


def tables(url: str) -> set[str]:
    with engine_for(url).connect() as connection:
        return set(sa.inspect(connection).get_table_names())


def walk_down_and_up(url: str) -> None:
    migrate.upgrade_to_head(url)
    every = set().union(*ADDED_AFTER.values())
    assert every <= tables(url)
    for before, added in sorted(ADDED_AFTER.items(), reverse=True):
        command.downgrade(migrate._config(url), before)
        engine_for(url).dispose()
        assert not added & tables(url), f"downgrading to {before} left {added & tables(url)}"
    migrate.upgrade_to_head(url)
    engine_for(url).dispose()
    assert every <= tables(url)


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_the_newest_migrations_go_down_and_up_again(database, tmp_path):
    if database == "sqlite":
        walk_down_and_up(f"sqlite:///{tmp_path / 'walk.db'}")
        return
    with fresh_postgres_database("customer_admin_walk") as url:
        walk_down_and_up(url)
