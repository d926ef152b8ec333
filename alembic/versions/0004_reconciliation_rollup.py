"""reconciliation plan/channel/seats as they were, roll-ups for the charts, sort indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 11:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from admin_app.db.reconciliations.rollup import drop_trigger_ddl, rebuild_statements, trigger_ddl
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_FIELDS = "customer_name, subscription_name"


def _sqlite_fts_update_trigger(columns: str) -> str:
    old = "old.customer_name, old.subscription_name"
    new = "new.customer_name, new.subscription_name"
    return (
        f"CREATE TRIGGER reconciliation_fts_au AFTER UPDATE{columns} ON reconciliation BEGIN "
        f"INSERT INTO reconciliation_fts(reconciliation_fts, rowid, {FTS_FIELDS}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO reconciliation_fts(rowid, {FTS_FIELDS}) VALUES (new.id, {new}); END"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("reconciliation", sa.Column("plan", sqlmodel.AutoString(length=20), nullable=True))
    op.add_column("reconciliation", sa.Column("channel", sqlmodel.AutoString(length=20), nullable=True))
    op.add_column("reconciliation", sa.Column("seats_before", sa.Integer(), nullable=True))
    if dialect == "sqlite":
        # The search index only needs refreshing when a searched column changes.
        op.execute("DROP TRIGGER reconciliation_fts_au")
        op.execute(_sqlite_fts_update_trigger(" OF customer_name, subscription_name"))
    # Existing rows get the subscription as it is now: the best record there is of how it was.
    op.execute(
        "UPDATE reconciliation SET plan = s.plan, channel = s.channel, seats_before = s.seats "
        "FROM subscription AS s WHERE s.name = reconciliation.subscription_name"
    )
    op.create_index("ix_reconciliation_customer_id", "reconciliation", ["customer_name", "id"])
    op.create_index("ix_reconciliation_user_count_id", "reconciliation", ["user_count", "id"])
    op.create_table(
        "reconciliation_rollup",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.AutoString(length=20), nullable=False),
        sa.Column("currency", sqlmodel.AutoString(length=3), nullable=False),
        sa.Column("plan", sqlmodel.AutoString(length=20), nullable=False),
        sa.Column("channel", sqlmodel.AutoString(length=20), nullable=False),
        sa.Column("skip_reason", sqlmodel.AutoString(length=200), nullable=False),
        sa.Column("reconciliations", sa.Integer(), nullable=False),
        sa.Column("invoiced_count", sa.Integer(), nullable=False),
        sa.Column("invoiced_cents", sa.BigInteger(), nullable=False),
        sa.Column("seats_added", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", "status", "currency", "plan", "channel", "skip_reason"),
    )
    op.create_table(
        "reconciliation_account_total",
        sa.Column("billing_account_id", sa.Integer(), nullable=False),
        sa.Column("currency", sqlmodel.AutoString(length=3), nullable=False),
        sa.Column("reconciliations", sa.Integer(), nullable=False),
        sa.Column("invoiced_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("billing_account_id", "currency"),
    )
    op.create_index(
        "ix_reconciliation_account_total_rank", "reconciliation_account_total", ["currency", "invoiced_cents"]
    )
    for statement in rebuild_statements(dialect) + trigger_ddl(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_trigger_ddl(dialect):
        op.execute(statement)
    op.drop_table("reconciliation_account_total")
    op.drop_table("reconciliation_rollup")
    op.drop_index("ix_reconciliation_user_count_id", table_name="reconciliation")
    op.drop_index("ix_reconciliation_customer_id", table_name="reconciliation")
    if dialect == "sqlite":
        op.execute("DROP TRIGGER reconciliation_fts_au")
        op.execute(_sqlite_fts_update_trigger(""))
    op.drop_column("reconciliation", "seats_before")
    op.drop_column("reconciliation", "channel")
    op.drop_column("reconciliation", "plan")
