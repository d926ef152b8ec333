"""How a search term becomes an index lookup, without a database."""

import pytest
from sqlalchemy.dialects import sqlite

from admin_app.db.licenses import LICENSE_SEARCH
from admin_app.db.text_search import index_keys, key_trigrams, search_match


@pytest.mark.parametrize(
    ("term", "trigrams"),
    [
        ("software", ["are", "sof", "twa"]),
        ("acme", ["acm", "cme"]),
        ("abc", ["abc"]),
        ("abcdef", ["abc", "def"]),
        ("aaaaaa", ["aaa"]),
        ("noah.allen@lakewayneholdings-ltd.test", ["all", "ewa", "lak", "len", "neh", "yne"]),
    ],
)
def test_a_terms_keys_are_covered_end_to_end_by_trigrams(term, trigrams):
    assert key_trigrams(index_keys(term, "sqlite")) == trigrams


def test_sqlite_looks_a_term_up_by_its_trigrams_not_as_a_phrase():
    """FTS5 matches a phrase by its tokens' positions: "software" as a phrase took 34 ms at a million
    rows, its covering trigrams ANDed 11 ms, for the same 40,000 candidates."""
    _, index_match = search_match(LICENSE_SEARCH, "Software", "sqlite")
    compiled = index_match.compile(dialect=sqlite.dialect())
    fts_queries = [value for value in compiled.params.values() if str(value).startswith('"')]
    assert fts_queries == ['"are" AND "sof" AND "twa"']
