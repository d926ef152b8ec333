"""the browser tabs of each staff session, so that ending a session can empty them and send them to
sign in on whichever worker holds their websocket

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_session_tab",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("client_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["staff_session.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("session_id", "client_token"),
    )


def downgrade() -> None:
    op.drop_table("staff_session_tab")
