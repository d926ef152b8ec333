"""customer links: the token is made when its email is sent and kept only as a hash; links know their
email, the address they went to, and when they were revoked

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 02:30:00

Until now the outbox kept each link's token in the email body for ever. The bodies lose their
tokens here, and the links whose token was in them are revoked: a copy of the database taken
before this upgrade signs nobody in afterwards. A customer asks for a new link.
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINK_IN_BODY = re.compile(r"(/(?:sign-in|confirm)/)\S+")
REMOVED = r"\1(link removed)"


def upgrade() -> None:
    with op.batch_alter_table("customer_token", schema=None) as batch_op:
        batch_op.alter_column("token_hash", existing_type=sqlmodel.sql.sqltypes.AutoString(64), nullable=True)
        batch_op.add_column(sa.Column("outbox_message_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "sent_to", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_customer_token_outbox_message_id", ["outbox_message_id"])
        batch_op.create_foreign_key(
            "fk_customer_token_outbox_message_id", "outbox_message", ["outbox_message_id"], ["id"]
        )
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "UPDATE customer_token SET sent_to = (SELECT email FROM customer WHERE customer.id = customer_id)"
        )
    )
    connection.execute(
        sa.text("UPDATE customer_token SET revoked_at = :now WHERE used_at IS NULL AND revoked_at IS NULL"),
        {"now": datetime.now(UTC)},
    )
    carrying = connection.execute(
        sa.text("SELECT id, body FROM outbox_message WHERE kind IN ('sign_in_link', 'confirmation')")
    ).all()
    for message_id, body in carrying:
        connection.execute(
            sa.text("UPDATE outbox_message SET body = :body WHERE id = :id"),
            {"body": LINK_IN_BODY.sub(REMOVED, body), "id": message_id},
        )
    with op.batch_alter_table("customer_token", schema=None) as batch_op:
        batch_op.alter_column("sent_to", server_default=None)


def downgrade() -> None:
    op.execute("DELETE FROM customer_token WHERE token_hash IS NULL")
    with op.batch_alter_table("customer_token", schema=None) as batch_op:
        batch_op.drop_constraint("fk_customer_token_outbox_message_id", type_="foreignkey")
        batch_op.drop_index("ix_customer_token_outbox_message_id")
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("sent_to")
        batch_op.drop_column("outbox_message_id")
        batch_op.alter_column(
            "token_hash", existing_type=sqlmodel.sql.sqltypes.AutoString(64), nullable=False
        )
