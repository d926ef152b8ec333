"""each license marks whether it is its company's active license today, with a search index over
the marked ones

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 14:00:00

"Active only" with a word is two sets ANDed: the word's 40,000 licenses and the 183,000 unexpired
ones, each checked for a later valid license of its company, for 3,400 rows (the last page took
26-34 ms on both databases). A mark on each active license, renewed when the day turns, lets a
search index hold the active licenses alone: PostgreSQL a partial GIN index, SQLite a second FTS5
table over a view of them. The marks are empty until the app (or the demo loader) makes them;
searches work out the rule row by row meanwhile.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_FIELDS = "company, licensee_name, email, subscription_name"
# A license's rule-11 standing changes only with these (and with the date).
RULE_FIELDS = "company, issued_at, starts_at, expires_at"
FORGET_MARKS = "UPDATE active_license_marks SET marked_on = NULL"


def _fts_row(prefix: str) -> str:
    return ", ".join(f"{prefix}.{field.strip()}" for field in SEARCH_FIELDS.split(","))


def _replace_whole_table_update_trigger(event: str) -> None:
    op.execute("DROP TRIGGER license_fts_au")
    op.execute(
        f"CREATE TRIGGER license_fts_au AFTER {event} ON license BEGIN "
        f"INSERT INTO license_fts(license_fts, rowid, {SEARCH_FIELDS}) VALUES ('delete', old.id, {_fts_row('old')}); "
        f"INSERT INTO license_fts(rowid, {SEARCH_FIELDS}) VALUES (new.id, {_fts_row('new')}); END"
    )


def upgrade() -> None:
    op.add_column(
        "license", sa.Column("active_mark", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table(
        "active_license_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marked_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO active_license_marks (id, marked_on) VALUES (1, NULL)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_license_search_trgm_active ON license "
            "USING gin (search_text gin_trgm_ops) WHERE active_mark"
        )
        op.execute(
            "CREATE FUNCTION active_license_marks_forget() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {FORGET_MARKS}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER active_license_marks_forget AFTER INSERT OR DELETE OR TRUNCATE "
            f"OR UPDATE OF {RULE_FIELDS} ON license "
            "FOR EACH STATEMENT EXECUTE FUNCTION active_license_marks_forget()"
        )
        return
    for suffix, event in (("ai", "INSERT"), ("ad", "DELETE"), ("au", f"UPDATE OF {RULE_FIELDS}")):
        op.execute(
            f"CREATE TRIGGER active_license_marks_{suffix} AFTER {event} ON license BEGIN {FORGET_MARKS}; END"
        )
    # The whole-table index followed every update of a license; a mark changing leaves it alone.
    _replace_whole_table_update_trigger(f"UPDATE OF {SEARCH_FIELDS}")
    op.execute(f"CREATE VIEW license_active AS SELECT id, {SEARCH_FIELDS} FROM license WHERE active_mark")
    op.execute(
        f"CREATE VIRTUAL TABLE license_active_fts USING fts5({SEARCH_FIELDS}, "
        "content='license_active', content_rowid='id', tokenize='trigram', columnsize=0)"
    )
    remove = (
        f"INSERT INTO license_active_fts(license_active_fts, rowid, {SEARCH_FIELDS}) "
        f"SELECT 'delete', old.id, {_fts_row('old')} WHERE old.active_mark;"
    )
    add = f"INSERT INTO license_active_fts(rowid, {SEARCH_FIELDS}) SELECT new.id, {_fts_row('new')} WHERE new.active_mark;"
    op.execute(f"CREATE TRIGGER license_active_fts_ai AFTER INSERT ON license BEGIN {add} END")
    op.execute(f"CREATE TRIGGER license_active_fts_ad AFTER DELETE ON license BEGIN {remove} END")
    op.execute(f"CREATE TRIGGER license_active_fts_au AFTER UPDATE ON license BEGIN {remove} {add} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER active_license_marks_forget ON license")
        op.execute("DROP FUNCTION active_license_marks_forget()")
        op.execute("DROP INDEX ix_license_search_trgm_active")
    else:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER active_license_marks_{suffix}")
            op.execute(f"DROP TRIGGER license_active_fts_{suffix}")
        op.execute("DROP TABLE license_active_fts")
        op.execute("DROP VIEW license_active")
        _replace_whole_table_update_trigger("UPDATE")
    op.drop_table("active_license_marks")
    op.drop_column("license", "active_mark")
