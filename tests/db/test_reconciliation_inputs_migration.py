"""The migration that records a reconciliation's seat price and billed months goes down and up again,
and the reconciliation table keeps its triggers (the charts' roll-up) both ways."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from admin_app.db import migrate
from admin_app.db.session import engine_for
from alembic import command
from tests.conftest import fresh_postgres_database
from tests.factories import add_reconciliations

INPUTS = {"seat_price", "billed_months"}
INDEX = "ix_reconciliation_subscription_date_id"
ADD_ONE = """
    INSERT INTO reconciliation (billing_account_id, customer_name, subscription_name, status,
        reconciliation_date, user_count, currency)
    SELECT billing_account_id, customer_name, subscription_name, 'done', :day, 12, 'USD'
    FROM reconciliation LIMIT 1
"""


def _counted(connection: sa.Connection) -> int:
    return connection.execute(
        sa.text("SELECT coalesce(sum(reconciliations), 0) FROM reconciliation_rollup")
    ).scalar_one()


def _schema(connection: sa.Connection) -> tuple[set[str], set[str]]:
    inspector = sa.inspect(connection)
    columns = {c["name"] for c in inspector.get_columns("reconciliation")}
    indexes = {str(i["name"]) for i in inspector.get_indexes("reconciliation")}
    return columns & INPUTS, indexes & {INDEX}


def _round_trip(url: str) -> None:
    with Session(engine_for(url), expire_on_commit=False) as session:
        add_reconciliations(
            session,
            [{"user_count": 59, "seats_before": 45, "seat_price": Decimal("29.00"), "billed_months": 3}],
        )
    command.downgrade(migrate._config(url), "0020")
    with engine_for(url).begin() as connection:
        assert _schema(connection) == (set(), set())
        connection.execute(sa.text(ADD_ONE), {"day": date(2025, 10, 1)})
        assert _counted(connection) == 2
    migrate.upgrade_to_head(url)
    with engine_for(url).begin() as connection:
        assert _schema(connection) == (INPUTS, {INDEX})
        assert (
            connection.execute(
                sa.text("SELECT count(*) FROM reconciliation WHERE seat_price IS NULL")
            ).scalar_one()
            == 2
        )
        connection.execute(sa.text(ADD_ONE), {"day": date(2026, 1, 1)})
        assert _counted(connection) == 3
    engine_for(url).dispose()


def test_the_inputs_migration_goes_down_and_up_again_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'round_trip.db'}"
    migrate.upgrade_to_head(url)
    _round_trip(url)


def test_the_inputs_migration_goes_down_and_up_again_on_postgresql():
    with fresh_postgres_database("customer_admin_inputs") as url:
        _round_trip(url)
