"""How a search term becomes an index lookup, without a database."""

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from admin_app.db.licenses.search import ACTIVE_LICENSE_SEARCH, LICENSE_SEARCH
from admin_app.db.lists.text_search import (
    facet_trigram,
    fts_phrase,
    index_keys,
    key_trigrams,
    like_pattern,
    match_for,
    normalize_term,
    search_match,
    term_can_match,
)
from admin_app.db.models import License


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


def compiled(expression, dialect: str) -> tuple[str, dict]:
    made = expression.compile(dialect=postgresql.dialect() if dialect == "postgresql" else sqlite.dialect())
    return str(made), made.params


@pytest.mark.parametrize(
    ("raw", "term"), [("  Acme Corp \n", "Acme Corp"), (None, ""), (42, ""), (["a"], "")]
)
def test_a_term_is_what_was_typed_trimmed_and_anything_else_searches_for_nothing(raw, term):
    assert normalize_term(raw) == term


@pytest.mark.parametrize(
    ("term", "can_match"),
    [("x" * 254, True), ("x" * 255, False), ("ab\x00c", False), ("bad\ud800", False), ("Zoë 🚀", True)],
    ids=["longest", "too-long", "nul", "lone-surrogate", "unicode"],
)
def test_only_a_term_some_stored_text_could_contain_can_match(term, can_match):
    assert term_can_match(term) is can_match


def test_like_wildcards_and_quotes_are_searched_for_literally():
    assert like_pattern('50%_off\\"x"') == '%50\\%\\_off\\\\"x"%'
    assert fts_phrase('say "hi"') == '"say ""hi"""'


@pytest.mark.parametrize(
    ("term", "dialect", "keys"),
    [
        ("Golden Apex Partners", "sqlite", ["partners", "golden"]),
        ("Supercalifragilistic Ltd", "sqlite", ["supercalif", "ltd"]),
        ("Zoë Ångström", "sqlite", ["ngstr"]),
        ("Zoë Ångström", "postgresql", ["ångström", "zoë"]),
        ("fooo_bar", "postgresql", ["fooo", "bar"]),
        ("ab cd", "sqlite", []),
    ],
    ids=["two-longest", "cut", "ascii-runs-on-sqlite", "any-letters-on-the-server", "underscore", "no-key"],
)
def test_a_term_is_looked_up_by_its_two_longest_runs_of_letters(term, dialect, keys):
    assert index_keys(term, dialect) == keys


def test_the_server_database_rechecks_the_whole_term_row_by_row_and_looks_up_each_key_in_its_index():
    row_match, index_match = search_match(ACTIVE_LICENSE_SEARCH, "Acme_100% Software", "postgresql")
    recheck = (
        "(license.search_text || %(license_search_text_1)s::VARCHAR) LIKE lower(%(param_1)s::VARCHAR) "
        "ESCAPE '\\'"
    )
    assert compiled(row_match, "postgresql") == (
        recheck,
        {"license_search_text_1": "", "param_1": "%Acme\\_100\\% Software%"},
    )
    assert compiled(index_match, "postgresql") == (
        "license.search_text LIKE lower(%(param_1)s::VARCHAR) ESCAPE '\\' AND license.search_text LIKE "
        "lower(%(param_2)s::VARCHAR) ESCAPE '\\' AND license.active_mark AND "
        + recheck.replace("param_1", "param_3"),
        {
            "param_1": "%software%",
            "param_2": "%acme%",
            "license_search_text_1": "",
            "param_3": "%Acme\\_100\\% Software%",
        },
    )


def test_sqlite_matches_each_column_row_by_row_and_looks_up_the_trigrams_in_the_indexed_rows_alone():
    row_match, index_match = search_match(ACTIVE_LICENSE_SEARCH, "Acme_100% Software", "sqlite")
    columns = ("company", "licensee_name", "email", "subscription_name")
    recheck = " OR ".join(f"license.{c} LIKE ? ESCAPE '\\'" for c in columns)
    patterns = {f"{c}_1": "%Acme\\_100\\% Software%" for c in columns}
    assert compiled(row_match, "sqlite") == (recheck, patterns)
    assert compiled(index_match, "sqlite") == (
        "license.id IN (SELECT rowid \nFROM license_active_fts \nWHERE license_active_fts MATCH ?) AND "
        f"license.active_mark = 1 AND ({recheck})",
        {"license_active_fts_1": '"acm" AND "are" AND "cme" AND "sof" AND "twa"', **patterns},
    )


def test_on_sqlite_a_terms_letters_beyond_ascii_are_left_to_the_row_by_row_recheck():
    """SQLite's LIKE folds the case of ASCII letters alone: "Zoë Ångström" is looked up by "ngstr"."""
    _, index_match = search_match(LICENSE_SEARCH, "Zoë Ångström", "sqlite")
    fts_queries = [
        value for value in compiled(index_match, "sqlite")[1].values() if str(value).startswith('"')
    ]
    assert fts_queries == ['"ngs" AND "str"']


def test_a_term_without_a_run_of_three_letters_is_matched_row_by_row_alone():
    row_match, index_match = search_match(LICENSE_SEARCH, "a-b", "sqlite", [("plan_facet", "starter")])
    assert index_match is None
    assert compiled(row_match, "sqlite")[1]["company_1"] == "%a-b%"


def test_without_a_term_the_filters_alone_choose_the_rows(session):
    filters = [License.plan == "premium"]
    match = match_for(session, LICENSE_SEARCH, "", filters, in_order=("x",))
    assert (match.filters, match.row_match, match.index_match, match.in_order) == (
        filters,
        None,
        None,
        ("x",),
    )
    searched = match_for(
        session,
        LICENSE_SEARCH,
        "Software",
        filters,
        in_order=("x",),
        indexed_filters=[("plan_facet", "starter")],
    )
    assert (searched.filters, searched.in_order) == (filters, ("x",))
    dialect = session.get_bind().dialect.name
    name, value = {
        "sqlite": ("license_fts_1", '"are" AND "sof" AND "twa" AND plan_facet : "\ue007\ue003\ue007"'),
        "postgresql": ("param_1", "%software%"),
    }[dialect]
    assert compiled(searched.index_match, dialect)[1][name] == value
