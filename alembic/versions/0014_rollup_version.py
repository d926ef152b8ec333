"""a version of the reconciliation roll-up, changed by every change to reconciliations

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 21:40:00
"""

import time
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUMP = "UPDATE reconciliation_rollup_version SET version = version + 1"


def upgrade() -> None:
    op.create_table(
        "reconciliation_rollup_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # Starts at the clock in microseconds: a database rebuilt under a running app does not count
    # again through versions whose results that app may still hold.
    op.execute(
        f"INSERT INTO reconciliation_rollup_version (id, version) VALUES (1, {time.time_ns() // 1000})"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION reconciliation_rollup_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {BUMP}; RETURN NULL; END $$"
        )
        # Once per statement, TRUNCATE included.
        op.execute(
            "CREATE TRIGGER reconciliation_rollup_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            "ON reconciliation FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_rollup_version_bump()"
        )
        return
    for suffix, event in (("ai", "INSERT"), ("au", "UPDATE"), ("ad", "DELETE")):
        op.execute(
            f"CREATE TRIGGER reconciliation_rollup_version_{suffix} AFTER {event} ON reconciliation "
            f"BEGIN {BUMP}; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER reconciliation_rollup_version ON reconciliation")
        op.execute("DROP FUNCTION reconciliation_rollup_version_bump()")
    else:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER reconciliation_rollup_version_{suffix}")
    op.drop_table("reconciliation_rollup_version")
