"""servers' host names are searched for any part of them

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 09:00:00

Sales find a license from a part of a server's host name ("acmeinc.ninja", "ninja"): a substring
anywhere in the name, which 0022's index on lower(hostname) cannot serve. PostgreSQL gets a trigram
GIN index on lower(hostname); SQLite an FTS5 trigram table over license_instance, kept by triggers
(a server's row changes with every ping, its host name seldom: only a change of name rewrites it) and
filled for the servers already there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = ("ai", "ad", "au")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_license_instance_hostname_trgm ON license_instance "
            "USING gin (lower(hostname) gin_trgm_ops)"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE license_instance_fts USING fts5(hostname, "
        "content='license_instance', content_rowid='id', tokenize='trigram', columnsize=0)"
    )
    op.execute("INSERT INTO license_instance_fts(license_instance_fts) VALUES ('rebuild')")
    remove = (
        "INSERT INTO license_instance_fts(license_instance_fts, rowid, hostname) "
        "VALUES ('delete', old.id, old.hostname);"
    )
    add = "INSERT INTO license_instance_fts(rowid, hostname) VALUES (new.id, new.hostname);"
    op.execute(f"CREATE TRIGGER license_instance_fts_ai AFTER INSERT ON license_instance BEGIN {add} END")
    op.execute(f"CREATE TRIGGER license_instance_fts_ad AFTER DELETE ON license_instance BEGIN {remove} END")
    op.execute(
        "CREATE TRIGGER license_instance_fts_au AFTER UPDATE OF hostname ON license_instance "
        f"BEGIN {remove} {add} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_license_instance_hostname_trgm")
        return
    for suffix in TRIGGERS:
        op.execute(f"DROP TRIGGER license_instance_fts_{suffix}")
    op.execute("DROP TABLE license_instance_fts")
