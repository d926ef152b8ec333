"""reconciliation search and filter indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 10:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = "customer_name, subscription_name"


def upgrade() -> None:
    op.create_index(
        "ix_reconciliation_status_date", "reconciliation", ["status", "reconciliation_date", "id"]
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE reconciliation_fts USING fts5({FIELDS}, "
            "content='reconciliation', content_rowid='id', tokenize='trigram', columnsize=0)"
        )
        new = "new.customer_name, new.subscription_name"
        old = "old.customer_name, old.subscription_name"
        delete = f"INSERT INTO reconciliation_fts(reconciliation_fts, rowid, {FIELDS}) VALUES ('delete', old.id, {old});"
        insert = f"INSERT INTO reconciliation_fts(rowid, {FIELDS}) VALUES (new.id, {new});"
        op.execute(f"CREATE TRIGGER reconciliation_fts_ai AFTER INSERT ON reconciliation BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER reconciliation_fts_ad AFTER DELETE ON reconciliation BEGIN {delete} END")
        op.execute(
            f"CREATE TRIGGER reconciliation_fts_au AFTER UPDATE ON reconciliation BEGIN {delete} {insert} END"
        )
        op.execute("INSERT INTO reconciliation_fts(reconciliation_fts) VALUES ('rebuild')")
    else:
        op.execute(
            "ALTER TABLE reconciliation ADD COLUMN search_text text GENERATED ALWAYS AS ("
            "lower(customer_name || chr(31) || subscription_name)) STORED"
        )
        op.execute(
            "CREATE INDEX ix_reconciliation_search_trgm ON reconciliation USING gin (search_text gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS reconciliation_fts")
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS reconciliation_fts_{suffix}")
    else:
        op.execute("DROP INDEX IF EXISTS ix_reconciliation_search_trgm")
        op.execute("ALTER TABLE reconciliation DROP COLUMN IF EXISTS search_text")
    op.drop_index("ix_reconciliation_status_date", table_name="reconciliation")
