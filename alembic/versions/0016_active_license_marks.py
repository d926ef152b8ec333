"""each license marks whether it is its company's active license today, with a search index over
the marked ones; SQLite's license search indexes hold the plan and type

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 14:00:00

"Active only" with a word is two sets ANDed: the word's 40,000 licenses and the 183,000 unexpired
ones, each checked for a later valid license of its company, for 3,400 rows (the last page took
26-52 ms on both databases). A mark on each active license, renewed when the day turns, lets a
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

TEXT_FIELDS = ("company", "licensee_name", "email", "subscription_name")
# SQLite's trigram tables hold each license's plan and type too, as PostgreSQL's index does since
# 0015, so a term on a list filtered by plan reads that plan's rows alone ("software" among expired
# starter licenses: 40,013 rows read to check the plan, 22 ms; 5,345). Each is written in characters
# of Unicode's private use area, a hex digit each (text_search.facet_trigram): as plain words they
# would share trigrams such as "clo" and "ult" with what staff type, whose look-ups then read a
# third of the table ("cloud" 4 -> 77 ms).
FACETS = {"plan_facet": "plan", "type_facet": "license_type"}
FACET_BASE = 0xE000
# A license's rule-11 standing changes only with these (and with the date).
RULE_FIELDS = "company, issued_at, starts_at, expires_at"
FORGET_MARKS = "UPDATE active_license_marks SET marked_on = NULL"
TRIGGERS = ("ai", "ad", "au")


def _facet(expression: str) -> str:
    hex_digits = f"hex({expression})"
    for digit, value in zip("0123456789ABCDEF", range(FACET_BASE, FACET_BASE + 16), strict=True):
        hex_digits = f"replace({hex_digits}, '{digit}', char({value}))"
    return hex_digits


def _names(with_facets: bool) -> str:
    return ", ".join((*TEXT_FIELDS, *(FACETS if with_facets else ())))


def _values(prefix: str, with_facets: bool, named: bool = False) -> str:
    """A row's values in the tables' column order; `named` gives each facet its column's name."""
    values = [f'{prefix}."{field}"' for field in TEXT_FIELDS]
    if with_facets:
        for name, field in FACETS.items():
            facet = _facet(f'{prefix}."{field}"')
            values.append(f"{facet} AS {name}" if named else facet)
    return ", ".join(values)


def _create_fts(table: str, content: str, with_facets: bool) -> None:
    op.execute(
        f"CREATE VIRTUAL TABLE {table} USING fts5({_names(with_facets)}, "
        f"content='{content}', content_rowid='id', tokenize='trigram', columnsize=0)"
    )
    op.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")


def _create_whole_table_search(with_facets: bool) -> None:
    """The trigram table of every license, as migration 0001 made it, with the facets or without."""
    names = _names(with_facets)
    if with_facets:
        op.execute(
            f"CREATE VIEW license_search_source AS SELECT id, {_values('license', True, named=True)} FROM license"
        )
    _create_fts("license_fts", "license_search_source" if with_facets else "license", with_facets)
    remove = f"INSERT INTO license_fts(license_fts, rowid, {names}) VALUES ('delete', old.id, {_values('old', with_facets)});"
    add = f"INSERT INTO license_fts(rowid, {names}) VALUES (new.id, {_values('new', with_facets)});"
    # With the facets, a mark changing leaves the table alone; 0001 followed every update.
    update = f'UPDATE OF {", ".join(TEXT_FIELDS)}, "plan", license_type' if with_facets else "UPDATE"
    op.execute(f"CREATE TRIGGER license_fts_ai AFTER INSERT ON license BEGIN {add} END")
    op.execute(f"CREATE TRIGGER license_fts_ad AFTER DELETE ON license BEGIN {remove} END")
    op.execute(f"CREATE TRIGGER license_fts_au AFTER {update} ON license BEGIN {remove} {add} END")


def _create_active_search() -> None:
    """The trigram table of the licenses marked active, over a view of them."""
    names = _names(True)
    op.execute(
        f"CREATE VIEW license_active AS SELECT id, {_values('license', True, named=True)} FROM license WHERE active_mark"
    )
    _create_fts("license_active_fts", "license_active", True)
    remove = (
        f"INSERT INTO license_active_fts(license_active_fts, rowid, {names}) "
        f"SELECT 'delete', old.id, {_values('old', True)} WHERE old.active_mark;"
    )
    add = f"INSERT INTO license_active_fts(rowid, {names}) SELECT new.id, {_values('new', True)} WHERE new.active_mark;"
    op.execute(f"CREATE TRIGGER license_active_fts_ai AFTER INSERT ON license BEGIN {add} END")
    op.execute(f"CREATE TRIGGER license_active_fts_ad AFTER DELETE ON license BEGIN {remove} END")
    op.execute(f"CREATE TRIGGER license_active_fts_au AFTER UPDATE ON license BEGIN {remove} {add} END")


def _drop_whole_table_search() -> None:
    for suffix in TRIGGERS:
        op.execute(f"DROP TRIGGER license_fts_{suffix}")
    op.execute("DROP TABLE license_fts")


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
    _drop_whole_table_search()
    _create_whole_table_search(with_facets=True)
    _create_active_search()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER active_license_marks_forget ON license")
        op.execute("DROP FUNCTION active_license_marks_forget()")
        op.execute("DROP INDEX ix_license_search_trgm_active")
    else:
        for suffix in TRIGGERS:
            op.execute(f"DROP TRIGGER active_license_marks_{suffix}")
            op.execute(f"DROP TRIGGER license_active_fts_{suffix}")
        op.execute("DROP TABLE license_active_fts")
        op.execute("DROP VIEW license_active")
        _drop_whole_table_search()
        op.execute("DROP VIEW license_search_source")
        _create_whole_table_search(with_facets=False)
    op.drop_table("active_license_marks")
    op.drop_column("license", "active_mark")
