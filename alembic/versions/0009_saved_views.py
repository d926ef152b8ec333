"""saved views: a staff member's named searches of a list

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("page", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("query", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner_subject", "page", "name_key"),
    )
    op.create_index("ix_saved_view_owner_subject", "saved_view", ["owner_subject"])


def downgrade() -> None:
    op.drop_index("ix_saved_view_owner_subject", table_name="saved_view")
    op.drop_table("saved_view")
