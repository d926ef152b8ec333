"""the seat price and billed months a reconciliation invoiced with, and a subscription's reconciliations
in date order

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 10:00:00

A reconciliation's page explains its amount (seats added x seat price per month x billed months), so it
keeps the two inputs the billing system priced with; reconciliations recorded before have neither, and
their page says so. The page also links the same subscription's previous and next reconciliation, one
step along (subscription_name, reconciliation_date, id) each.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch copy: on SQLite a copied table would lose its triggers.
    op.add_column("reconciliation", sa.Column("seat_price", sa.Numeric(precision=12, scale=2), nullable=True))
    op.add_column("reconciliation", sa.Column("billed_months", sa.Integer(), nullable=True))
    op.create_index(
        "ix_reconciliation_subscription_date_id",
        "reconciliation",
        ["subscription_name", "reconciliation_date", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_reconciliation_subscription_date_id", table_name="reconciliation")
    op.drop_column("reconciliation", "billed_months")
    op.drop_column("reconciliation", "seat_price")
