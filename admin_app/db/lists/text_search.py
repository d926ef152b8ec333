"""Case-insensitive substring search that any user input can safely drive.

Two conditions per searchable table:
- `substring_condition`: a plain LIKE per row; cheap on a small window of rows.
- `indexed_condition`: the same match through the trigram index (FTS5 trigram on
  SQLite, pg_trgm on PostgreSQL); cheap when the term is rare.
Both escape every LIKE wildcard and every full-text operator, so `%`, `_`,
quotes, backslashes or `AND OR NOT *` are searched for literally.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement, SQLColumnExpression
from sqlmodel import Session

from admin_app.db.lists.paging import Match

# No searchable field is longer than this, so a longer term cannot match.
MAX_FIELD_LENGTH = 254
TRIGRAM = 3
INDEX_KEY_LENGTH = 10
INDEX_KEYS = 2
# Hex digit 0 of a facet (facet_trigram); migration 0016 writes facets with the same characters.
FACET_BASE = 0xE000
WORD_RUN = re.compile(r"[^\W_]+")
ASCII_RUN = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class SearchSpec:
    """Where a table's searchable text lives on each database."""

    id_column: SQLColumnExpression[Any]
    columns: tuple[SQLColumnExpression[Any], ...]
    fts_table: str
    pg_search_column: str
    # The rows the index holds, when it holds only some (a partial index): looked up with the term,
    # so PostgreSQL can choose that index even where other filters are checked row by row.
    index_scope: tuple[SQLColumnExpression[bool], ...] = ()


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
    """`term` as one FTS5 phrase string (a trigram, here): operators inside it are plain text."""
    return '"' + term.replace('"', '""') + '"'


def index_keys(term: str, dialect: str) -> list[str]:
    """The parts of `term` to look up in the trigram index (none when it has none).

    The two longest runs of letters and digits (ASCII only on SQLite, whose LIKE folds ASCII
    case alone), each cut to INDEX_KEY_LENGTH: every row containing the term contains its
    keys, a short key skips trigrams such as ".test" that nearly every row has, and a second
    key narrows a name of common words ("Golden Apex Partners") to the rows with both.
    """
    letters = ASCII_RUN if dialect == "sqlite" else WORD_RUN
    runs = sorted({run[:INDEX_KEY_LENGTH].lower() for run in letters.findall(term)}, key=len, reverse=True)
    return [run for run in runs[:INDEX_KEYS] if len(run) >= TRIGRAM]


def substring_condition(spec: SearchSpec, term: str, dialect: str) -> ColumnElement[bool]:
    """Row-by-row case-insensitive substring match (never through the trigram index)."""
    pattern = like_pattern(term)
    if dialect == "postgresql":
        # Concatenating keeps the planner off the GIN index for this recheck.
        column = sa.literal_column(spec.pg_search_column, sa.Text).concat("")
        return column.like(sa.func.lower(sa.literal(pattern, sa.Text)), escape="\\")
    # SQLite's LIKE ignores case for ASCII letters by itself.
    return sa.or_(*(c.like(pattern, escape="\\") for c in spec.columns))


def key_trigrams(keys: list[str]) -> list[str]:
    """Trigrams that cover each key end to end, once each ("software": sof, twa, are).

    SQLite looks these up ANDed rather than each key as a phrase: FTS5 matches a phrase by its
    tokens' positions, and reads every token's list. For "software" the phrase took 34 ms, its
    six trigrams ANDed 20 ms and these three 11 ms, for the same 40,000 rows. A row holding the
    trigrams but not the key is dropped by the recheck.
    """
    return sorted({trigram for key in keys for trigram in _covering_trigrams(key)})


def _covering_trigrams(key: str) -> set[str]:
    last = len(key) - TRIGRAM
    return {key[start : start + TRIGRAM] for start in (*range(0, last, TRIGRAM), last)}


def facet_trigram(value: str) -> str:
    """The first trigram of `value` in a facet column of SQLite's trigram tables (migration 0016): its
    UTF-8 bytes in hex, each digit a character of Unicode's private use area, so no trigram of typed
    text is one of them. The rows holding it are a superset of the value's; the filter checks each.
    """
    return "".join(chr(FACET_BASE + int(digit, 16)) for digit in value.encode().hex().upper()[:TRIGRAM])


def _index_lookup(
    spec: SearchSpec, keys: list[str], dialect: str, facets: list[tuple[str, str]]
) -> ColumnElement[bool]:
    if dialect == "sqlite":
        phrases = [fts_phrase(trigram) for trigram in key_trigrams(keys)]
        phrases += [f"{column} : {fts_phrase(trigram)}" for column, trigram in facets]
        query = " AND ".join(phrases)
        matching_ids: sa.Select[Any] = (
            sa.select(sa.literal_column("rowid"))
            .select_from(sa.table(spec.fts_table))
            .where(sa.literal_column(spec.fts_table).op("MATCH")(query))
        )
        return sa.and_(spec.id_column.in_(matching_ids), *spec.index_scope)
    column = sa.literal_column(spec.pg_search_column, sa.Text)
    return sa.and_(
        *(column.like(sa.func.lower(sa.literal(like_pattern(key), sa.Text)), escape="\\") for key in keys),
        *spec.index_scope,
    )


def search_match(
    spec: SearchSpec, term: str, dialect: str, indexed_filters: Sequence[tuple[str, str | None]] = ()
) -> tuple[ColumnElement[bool], ColumnElement[bool] | None]:
    """The row-by-row condition for `term`, and an index-backed one when the index can help.

    The index-backed condition looks up the term's key and rechecks the whole term, so
    both conditions select exactly the same rows. `indexed_filters` are equality filters as
    (facet column, value) pairs, for the facets SQLite's trigram table holds (an empty value
    filters nothing), looked up with the key there; PostgreSQL's index holds the columns
    themselves, and its planner reads the filters.
    """
    row_match = substring_condition(spec, term, dialect)
    keys = index_keys(term, dialect)
    if not keys:
        return row_match, None
    facets = [(column, facet_trigram(value)) for column, value in indexed_filters if value]
    facets = [(column, trigram) for column, trigram in facets if len(trigram) == TRIGRAM]
    return row_match, sa.and_(_index_lookup(spec, keys, dialect, facets), row_match)


def match_for(
    session: Session,
    spec: SearchSpec,
    term: str,
    filters: Sequence[SQLColumnExpression[bool]],
    in_order: tuple[SQLColumnExpression[bool], ...] = (),
    indexed_filters: Sequence[tuple[str, str | None]] = (),
) -> Match:
    """The filters plus, when there is a term, both ways of matching it (see paging.fetch_keyset_page);
    `in_order` as in paging.Match, `indexed_filters` as in search_match."""
    if not term:
        return Match(filters=filters, in_order=in_order)
    row_match, index_match = search_match(spec, term, session.get_bind().dialect.name, indexed_filters)
    return Match(filters=filters, row_match=row_match, index_match=index_match, in_order=in_order)
