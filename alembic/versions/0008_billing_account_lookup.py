"""billing-account search through indexes: its Zuora id and its contacts' emails get trigram indexes

Without them every account search (the Billing accounts list, the command palette) read all 100,000
accounts and 200,000 contacts: 150-330 ms at the large demo data.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 15:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column): SQLite keeps an FTS5 trigram table {table}_{column}_fts by triggers; PostgreSQL indexes
# lower(column) with pg_trgm.
COLUMNS = (("billing_account", "zuora_account_id"), ("billing_account_contact", "email"))


def _sqlite_trigram_index(table: str, column: str) -> None:
    fts = f"{table}_{column}_fts"
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', content_rowid='id', "
        "tokenize='trigram', columnsize=0)"
    )
    delete = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    insert = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END")
    op.execute(f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN {delete} {insert} END")
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def upgrade() -> None:
    for table, column in COLUMNS:
        if op.get_bind().dialect.name == "sqlite":
            _sqlite_trigram_index(table, column)
        else:
            op.execute(
                f"CREATE INDEX ix_{table}_{column}_trgm ON {table} USING gin (lower({column}) gin_trgm_ops)"
            )


def downgrade() -> None:
    for table, column in COLUMNS:
        if op.get_bind().dialect.name == "sqlite":
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{column}_fts_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {table}_{column}_fts")
        else:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
