"""failed reconciliations worked off as a queue: who took one, how it was closed, and notes on it

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 12:00:00

A failed reconciliation gets a triage row when someone takes it: one per reconciliation (the unique key
decides between two people taking it at once), closed with an outcome and a reason. Notes are kept
apart, any number per reconciliation. The queue reads failed reconciliations oldest first through
ix_reconciliation_status_date and finds each one's triage row by its unique key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES = "'fixed_in_billing', 'customer_contacted', 'not_our_error', 'duplicate'"


def upgrade() -> None:
    op.create_table(
        "failure_triage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reconciliation_id", sa.Integer(), nullable=False),
        sa.Column("taken_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.Column("close_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"outcome IS NULL OR outcome IN ({OUTCOMES})", name="ck_failure_triage_outcome"),
        sa.CheckConstraint(
            "(closed_at IS NULL AND closed_by IS NULL AND outcome IS NULL AND close_reason IS NULL) OR "
            "(closed_at IS NOT NULL AND closed_by IS NOT NULL AND outcome IS NOT NULL "
            "AND close_reason IS NOT NULL)",
            name="ck_failure_triage_closed",
        ),
        sa.ForeignKeyConstraint(["reconciliation_id"], ["reconciliation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reconciliation_id", name="ux_failure_triage_reconciliation"),
    )
    op.create_table(
        "failure_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reconciliation_id", sa.Integer(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("written_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.ForeignKeyConstraint(["reconciliation_id"], ["reconciliation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_failure_note_reconciliation_id", "failure_note", ["reconciliation_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_failure_note_reconciliation_id", table_name="failure_note")
    op.drop_table("failure_note")
    op.drop_table("failure_triage")
