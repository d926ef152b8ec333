"""session provenance, role re-checks, back-channel logout, counted refusals

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 09:30:57.817907
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "used_logout_token",
        sa.Column("jti", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("jti"),
    )
    with op.batch_alter_table("auth_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("count", sa.Integer(), nullable=False, server_default="1"))

    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sid", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column("access_token", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("refresh_token", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("roles_checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_staff_session_sid"), ["sid"], unique=False)

    with op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("client_address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("customer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("billing_account_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_version_request_id", ["request_id"], unique=False)
        batch_op.create_index("ix_version_customer_id", ["customer_id", "id"], unique=False)
        batch_op.create_index("ix_version_billing_account_id", ["billing_account_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.drop_index("ix_version_billing_account_id")
        batch_op.drop_index("ix_version_customer_id")
        batch_op.drop_index("ix_version_request_id")
        batch_op.drop_column("billing_account_id")
        batch_op.drop_column("customer_id")
        batch_op.drop_column("client_address")
        batch_op.drop_column("session_id")
        batch_op.drop_column("subject")

    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_session_sid"))
        batch_op.drop_column("roles_checked_at")
        batch_op.drop_column("refresh_token")
        batch_op.drop_column("access_token")
        batch_op.drop_column("sid")

    with op.batch_alter_table("auth_event", schema=None) as batch_op:
        batch_op.drop_column("count")

    op.drop_table("used_logout_token")
