"""cloud activation codes on licenses, and the instances that activated them

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: a batch copy of the table would drop its search triggers.
    op.add_column(
        "license", sa.Column("activation_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
    )
    op.create_index("ux_license_activation_code", "license", ["activation_code"], unique=True)
    op.create_table(
        "cloud_activation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("license_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("activated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["license_id"], ["license.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("license_id", "instance_id"),
    )
    op.create_index("ix_cloud_activation_license_id", "cloud_activation", ["license_id"])


def downgrade() -> None:
    op.drop_index("ix_cloud_activation_license_id", table_name="cloud_activation")
    op.drop_table("cloud_activation")
    op.drop_index("ux_license_activation_code", table_name="license")
    op.drop_column("license", "activation_code")
