"""Every table of the schema is emptied (or put back) between tests, so no test sees another's rows."""

import sqlalchemy as sa
from sqlmodel import SQLModel

import admin_app.db.models  # noqa: F401  (registers every table)
from admin_app.db.session import engine_for
from tests.conftest import ONE_ROW_TABLES, TABLES, empty_tables


def test_the_tables_emptied_between_tests_are_every_table_of_the_models():
    assert sorted([*TABLES, *ONE_ROW_TABLES]) == sorted(SQLModel.metadata.tables)
    assert len(set(TABLES)) == len(TABLES)


def test_emptying_leaves_the_one_row_tables_as_a_fresh_database_has_them(db_url):
    engine = engine_for(db_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE active_license_marks SET marked_on = '2026-01-02'"))
        before = connection.scalar(sa.text("SELECT version FROM reconciliation_rollup_version"))
    empty_tables(db_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT marked_on FROM active_license_marks")).all() == [(None,)]
        [(after,)] = connection.execute(sa.text("SELECT version FROM reconciliation_rollup_version")).all()
    assert after != before
