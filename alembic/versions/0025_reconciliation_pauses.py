"""reconciliations of one subscription paused until a date, with a reason and a ticket

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 21:00:00

A pause holds from when it is made until the start of its `until` date, or until someone lifts it
earlier (lifted_at and lifted_by together). A subscription has one pause in force at a time; the
subscription page reads its newest pauses through ix_reconciliation_pause_subscription, and the billing
system's list of pauses in force reads the ones not yet run out through ix_reconciliation_pause_until.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reconciliation_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("paused_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("paused_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("ticket", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("lifted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("lifted_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.CheckConstraint(
            "(lifted_at IS NULL AND lifted_by IS NULL) OR (lifted_at IS NOT NULL AND lifted_by IS NOT NULL)",
            name="ck_reconciliation_pause_lifted",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_reconciliation_pause_subscription", "reconciliation_pause", ["subscription_name", "id"]
    )
    op.create_index("ix_reconciliation_pause_until", "reconciliation_pause", ["until", "id"])


def downgrade() -> None:
    op.drop_index("ix_reconciliation_pause_until", table_name="reconciliation_pause")
    op.drop_index("ix_reconciliation_pause_subscription", table_name="reconciliation_pause")
    op.drop_table("reconciliation_pause")
