"""the servers that report usage under a self-managed license, and their daily usage pings

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 20:30:00

A server's name often does not resemble its company's domain (acmeinc.com runs gitlab.acmeinc.ninja):
the usage it reports under a license is the only way to find it. One row per server of a license, with
what its newest ping said; one ping per server and day. A license's page lists its servers, the one
that reported last first; the licenses list finds a license from a server's host name.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "license_instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("license_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hostname", sqlmodel.sql.sqltypes.AutoString(length=253), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("first_ping_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_ping_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("active_users", sa.Integer(), nullable=False),
        sa.Column("peak_users", sa.Integer(), nullable=False),
        sa.CheckConstraint("active_users >= 0", name="ck_license_instance_active_users"),
        sa.CheckConstraint("peak_users >= active_users", name="ck_license_instance_peak_users"),
        sa.CheckConstraint("first_ping_at <= last_ping_at", name="ck_license_instance_ping_order"),
        sa.ForeignKeyConstraint(["license_id"], ["license.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("license_id", "instance_id", name="ux_license_instance_license_instance"),
    )
    op.create_index(
        "ix_license_instance_license_last_ping", "license_instance", ["license_id", "last_ping_at", "id"]
    )
    op.create_index("ix_license_instance_hostname_lower", "license_instance", [sa.text("lower(hostname)")])
    op.create_table(
        "usage_ping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("license_instance_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("active_users", sa.Integer(), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("active_users >= 0", name="ck_usage_ping_active_users"),
        sa.ForeignKeyConstraint(["license_instance_id"], ["license_instance.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("license_instance_id", "day", name="ux_usage_ping_instance_day"),
    )


def downgrade() -> None:
    op.drop_table("usage_ping")
    op.drop_index("ix_license_instance_hostname_lower", table_name="license_instance")
    op.drop_index("ix_license_instance_license_last_ping", table_name="license_instance")
    op.drop_table("license_instance")
