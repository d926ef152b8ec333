"""subscription and billing-account name search: trigram indexes, and keyset sorts of subscriptions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 12:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> the index of its name (SQLite: an FTS5 trigram table kept by triggers; PostgreSQL: pg_trgm)
TABLES = ("subscription", "billing_account")
SORTS = {"ix_subscription_term_end_id": ["term_end", "id"], "ix_subscription_seats_id": ["seats", "id"]}


def _sqlite_name_index(table: str) -> None:
    fts = f"{table}_fts"
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5(name, content='{table}', content_rowid='id', "
        "tokenize='trigram', columnsize=0)"
    )
    delete = f"INSERT INTO {fts}({fts}, rowid, name) VALUES ('delete', old.id, old.name);"
    insert = f"INSERT INTO {fts}(rowid, name) VALUES (new.id, new.name);"
    op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END")
    op.execute(f"CREATE TRIGGER {fts}_au AFTER UPDATE OF name ON {table} BEGIN {delete} {insert} END")
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def upgrade() -> None:
    for name, columns in SORTS.items():
        op.create_index(name, "subscription", columns)
    for table in TABLES:
        if op.get_bind().dialect.name == "sqlite":
            _sqlite_name_index(table)
        else:
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN search_text text GENERATED ALWAYS AS (lower(name)) STORED"
            )
            op.execute(f"CREATE INDEX ix_{table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)")


def downgrade() -> None:
    for table in TABLES:
        if op.get_bind().dialect.name == "sqlite":
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
        else:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_trgm")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_text")
    for name in SORTS:
        op.drop_index(name, table_name="subscription")
