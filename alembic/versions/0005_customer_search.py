"""customer search: trigram index over name, email and company

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 11:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = "first_name, last_name, email, company"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE customer_fts USING fts5({FIELDS}, "
            "content='customer', content_rowid='id', tokenize='trigram', columnsize=0)"
        )
        new = "new.first_name, new.last_name, new.email, new.company"
        old = "old.first_name, old.last_name, old.email, old.company"
        delete = f"INSERT INTO customer_fts(customer_fts, rowid, {FIELDS}) VALUES ('delete', old.id, {old});"
        insert = f"INSERT INTO customer_fts(rowid, {FIELDS}) VALUES (new.id, {new});"
        op.execute(f"CREATE TRIGGER customer_fts_ai AFTER INSERT ON customer BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER customer_fts_ad AFTER DELETE ON customer BEGIN {delete} END")
        op.execute(
            f"CREATE TRIGGER customer_fts_au AFTER UPDATE OF {FIELDS} ON customer BEGIN {delete} {insert} END"
        )
        op.execute("INSERT INTO customer_fts(customer_fts) VALUES ('rebuild')")
    else:
        op.execute(
            "ALTER TABLE customer ADD COLUMN search_text text GENERATED ALWAYS AS ("
            "lower(first_name || ' ' || last_name || chr(31) || email || chr(31) || company)) STORED"
        )
        op.execute("CREATE INDEX ix_customer_search_trgm ON customer USING gin (search_text gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS customer_fts_{suffix}")
        op.execute("DROP TABLE IF EXISTS customer_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_customer_search_trgm")
        op.execute("ALTER TABLE customer DROP COLUMN IF EXISTS search_text")
