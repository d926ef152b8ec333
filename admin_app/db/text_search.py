"""Case-insensitive substring search that any user input can safely drive.

Two conditions per searchable table:
- `substring_condition`: a plain LIKE per row; cheap on a small window of rows.
- `indexed_condition`: the same match through the trigram index (FTS5 trigram on
  SQLite, pg_trgm on PostgreSQL); cheap when the term is rare.
Both escape every LIKE wildcard and every full-text operator, so `%`, `_`,
quotes, backslashes or `AND OR NOT *` are searched for literally.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

# No searchable field is longer than this, so a longer term cannot match.
MAX_FIELD_LENGTH = 254
TRIGRAM = 3


@dataclass(frozen=True)
class SearchSpec:
    """Where a table's searchable text lives on each database."""

    id_column: ColumnElement
    columns: tuple[ColumnElement, ...]
    fts_table: str
    pg_search_column: str


def normalize_term(raw: object) -> str:
    """The search term as typed, trimmed; anything not a string searches for nothing."""
    return raw.strip() if isinstance(raw, str) else ""


def term_can_match(term: str) -> bool:
    """False for terms no stored text can contain (too long, NUL bytes, broken Unicode)."""
    if len(term) > MAX_FIELD_LENGTH or "\x00" in term:
        return False
    try:
        term.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def like_pattern(term: str) -> str:
    """`%term%` with LIKE's own wildcards escaped by a backslash."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts_phrase(term: str) -> str:
    """The term as one FTS5 phrase string: operators inside it are plain text."""
    return '"' + term.replace('"', '""') + '"'


def substring_condition(spec: SearchSpec, term: str, dialect: str) -> ColumnElement[bool]:
    """Row-by-row case-insensitive substring match."""
    pattern = like_pattern(term)
    if dialect == "postgresql":
        column = sa.literal_column(spec.pg_search_column, sa.Text)
        return column.like(sa.func.lower(sa.literal(pattern, sa.Text)), escape="\\")
    # SQLite's LIKE ignores case for ASCII letters by itself.
    return sa.or_(*(c.like(pattern, escape="\\") for c in spec.columns))


def indexed_condition(spec: SearchSpec, term: str, dialect: str) -> ColumnElement[bool]:
    """The same match, answered by the trigram index when the term is long enough for it."""
    if dialect == "sqlite" and len(term) >= TRIGRAM and term.isascii():
        matching_ids = (
            sa.select(sa.literal_column("rowid"))
            .select_from(sa.table(spec.fts_table))
            .where(sa.literal_column(spec.fts_table).op("MATCH")(fts_phrase(term)))
        )
        return spec.id_column.in_(matching_ids)
    return substring_condition(spec, term, dialect)
