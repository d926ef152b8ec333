"""an index the top-10 chart sums a date range from without reading the table

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    invoiced = sa.text("invoiced_amount <> 0")
    op.create_index(
        "ix_reconciliation_invoiced",
        "reconciliation",
        [
            "currency",
            "reconciliation_date",
            "billing_account_id",
            "invoiced_amount",
            "status",
            "plan",
            "channel",
        ],
        postgresql_where=invoiced,
        sqlite_where=invoiced,
    )


def downgrade() -> None:
    op.drop_index("ix_reconciliation_invoiced", table_name="reconciliation")
