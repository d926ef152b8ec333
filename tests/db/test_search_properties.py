"""Whatever is typed into a search, it finds text that contains it literally: `%`, `_`, quotes,
backslashes, full-text operators and any Unicode are characters to look for, never syntax."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from admin_app.db.licenses.search import LICENSE_LIST
from tests.factories import add_licenses

# Characters that mean something to LIKE, to FTS5 or to SQL, beside plain letters.
ALPHABET = "ab%_'\"\\*^:()-+ ANDORNOT\tß😀"
COMPANIES = [
    "50% off_sale",
    'O\'Brien "Quoted" \\slash',
    "AND OR NOT NEAR(x y)",
    "col:name ^start *star",
    "Straße 😀 emoji",
    "ab_ab%ab",
    "plain company",
    "ABBA %% __",
]


SEARCHED = ("company", "licensee_name", "email", "subscription_name")


@pytest.fixture
def companies(session) -> list[tuple[str, ...]]:
    """Each license's searched fields."""
    rows = add_licenses(session, [{"company": name} for name in COMPANIES])
    return [tuple(getattr(row, field) for field in SEARCHED) for row in rows]


def found(session, term: str) -> list[str]:
    query = LICENSE_LIST.parse({"q": term}).query
    page = LICENSE_LIST.rows(session=session, query=query, limit=50)
    assert LICENSE_LIST.count(session=session, query=query).value == len(page.rows)
    return sorted(row.company for row in page.rows)


def expected(rows: list[tuple[str, ...]], term: str) -> list[str]:
    """The companies of the licenses with a searched field that holds the term, ignoring ASCII case."""
    needle = term.strip().lower()
    return sorted(fields[0] for fields in rows if any(needle in field.lower() for field in fields))


terms = st.one_of(
    st.text(alphabet=ALPHABET, min_size=1, max_size=6),
    st.sampled_from(COMPANIES).flatmap(
        lambda name: st.tuples(st.integers(0, len(name) - 1), st.integers(1, 6)).map(
            lambda cut: name[cut[0] : cut[0] + cut[1]]
        )
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(term=terms)
def test_a_term_finds_exactly_the_rows_that_contain_it(session, companies, term):
    assert found(session, term) == expected(companies, term)
