"""the outbox: every email the app sends, and what became of it

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", text(length=30), nullable=False),
        sa.Column("to_address", text(length=254), nullable=False),
        sa.Column("subject", text(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("item_type", text(length=50), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", text(length=254), nullable=False),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("request_id", text(length=36), nullable=True),
        sa.Column("status", text(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("message_id", text(length=200), nullable=False),
        sa.Column("last_answer", text(length=500), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_due", "outbox_message", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_item", "outbox_message", ["item_type", "item_id", "id"])
    op.create_index("ux_outbox_message_id", "outbox_message", ["message_id"], unique=True)


def downgrade() -> None:
    op.drop_table("outbox_message")
