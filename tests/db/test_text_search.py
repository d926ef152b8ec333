"""How a search term becomes an index lookup, without a database."""

import pytest
from sqlalchemy.dialects import sqlite

from admin_app.db.licenses import LICENSE_SEARCH
from admin_app.db.text_search import facet_trigram, index_keys, key_trigrams, search_match


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


def test_a_filter_value_is_looked_up_in_its_facet_in_characters_no_typed_text_has():
    """Written as plain words, the plan and type shared trigrams ("clo", "ult") with typed terms,
    whose look-ups then read a third of the table."""
    _, index_match = search_match(
        LICENSE_SEARCH, "Software", "sqlite", [("plan_facet", "starter"), ("type_facet", "x")]
    )
    compiled = index_match.compile(dialect=sqlite.dialect())
    fts_queries = [value for value in compiled.params.values() if str(value).startswith('"')]
    # "starter" is 73 74 61 ... in UTF-8; a one-byte value has no trigram and is left to the filter.
    assert fts_queries == ['"are" AND "sof" AND "twa" AND plan_facet : "\ue007\ue003\ue007"']
    assert all(0xE000 <= ord(c) < 0xE010 for c in facet_trigram("ultimate") + facet_trigram("Zoë"))
