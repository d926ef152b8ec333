"""License search, filters, sort, keyset pages and rule 11, on SQLite and PostgreSQL."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from admin_app.db.licenses import search as licenses_module
from admin_app.db.licenses.search import (
    LICENSE_LIST,
    active_license_for,
    active_license_ids,
    license_status,
    mark_active_licenses,
)
from admin_app.db.lists import listing, paging
from admin_app.db.lists.paging import ResultCount, encode_cursor
from admin_app.db.lists.spec import Query
from admin_app.db.models import License
from tests.db.pages import every_page, with_parameters, with_statements
from tests.factories import add_licenses, day

TODAY = date(2026, 3, 1)
Q = LICENSE_LIST.query
SORT_ATTRS = {
    "issued": "issued_at",
    "starts": "starts_at",
    "expires": "expires_at",
    "company": "company",
    "users": "user_count",
}


def ids(licenses) -> list[int]:
    return [license.id for license in licenses]


def all_pages(session, query: Query, limit: int) -> list[list[int]]:
    pages = every_page(
        lambda after: LICENSE_LIST.rows(session=session, query=query, after=after, limit=limit, today=TODAY)
    )
    return [ids(page.rows) for page in pages]


@pytest.fixture
def search_rows(session):
    return add_licenses(
        session,
        [
            {"company": "ACME Corporation", "email": "jane@acme.test", "licensee_name": "Jane Doe"},
            {"company": "Acme Robotics", "email": "ops@robotics.test", "licensee_name": "Ravi Shah"},
            {"company": "Globex", "email": "hank@globex.test", "licensee_name": "Hank Scorpio"},
            {"company": "100% Pure Ltd", "email": "info@pure.test"},
            {"company": "under_score Inc", "email": "u@score.test"},
            {"company": "O'Brien & Sons", "licensee_name": 'Pat "the cat" O\'Brien'},
            {"company": "Back\\slash Co"},
            {"company": "Emoji 🚀 Rockets", "licensee_name": "Zoë Müller"},
            {"company": "Initech", "subscription_name": "A-S99990001"},
        ],
    )


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("acme", {"ACME Corporation", "Acme Robotics"}),
        ("ACME", {"ACME Corporation", "Acme Robotics"}),
        ("jane@ACME", {"ACME Corporation"}),
        ("scorpio", {"Globex"}),
        ("a-s99990001", {"Initech"}),
        ("%", {"100% Pure Ltd"}),
        ("_", {"under_score Inc"}),
        ("'", {"O'Brien & Sons"}),
        ('"the cat"', {"O'Brien & Sons"}),
        ("\\", {"Back\\slash Co"}),
        ("🚀", {"Emoji 🚀 Rockets"}),
        ("Zoë", {"Emoji 🚀 Rockets"}),
        ("ob", {"Globex", "Acme Robotics"}),
        ("  globex  ", {"Globex"}),
    ],
)
def test_search_is_a_case_insensitive_substring_of_any_field(
    session, search_rows, probe_window, term, expected
):
    query = LICENSE_LIST.parse({"q": term}).query
    page = LICENSE_LIST.rows(session=session, query=query, today=TODAY)
    assert {row.company for row in page.rows} == expected
    assert LICENSE_LIST.count(session=session, query=query, today=TODAY).value == len(expected)


def test_a_row_holding_a_terms_trigrams_apart_is_not_a_match(session, probe_window):
    """SQLite looks a term up by trigrams that cover it (sof, twa, are), not as one phrase: a row
    with all of them but not the term itself is a candidate, and the recheck must drop it."""
    add_licenses(session, [{"company": "Software Ltd"}, {"company": "Sofa Twain Hardware"}])
    query = Q(q="software")
    page = LICENSE_LIST.rows(session=session, query=query, today=TODAY)
    assert [row.company for row in page.rows] == ["Software Ltd"]
    assert LICENSE_LIST.count(session=session, query=query, today=TODAY).value == 1


BAD_INPUT = [
    "%%",
    "%_%",
    "' OR 1=1 --",
    '"a" OR "b"',
    "NEAR(acme corp)",
    "acme*",
    "^acme",
    "-acme",
    "AND",
    "col:acme",
    "👩‍💻",
    "x" * 10_000,
    "\x00",
    "acme\x00",
    "\ud800",
    "𝔄𝔠𝔪𝔢",
    ";DROP TABLE license;",
]


@pytest.mark.parametrize("term", BAD_INPUT, ids=range(len(BAD_INPUT)))
def test_hostile_search_input_finds_only_literal_matches(session, search_rows, probe_window, term):
    query = Q(q=term)
    page = LICENSE_LIST.rows(session=session, query=query, today=TODAY)
    count = LICENSE_LIST.count(session=session, query=query, today=TODAY)
    assert page.rows == []
    assert (count.value, count.exact) == (0, True)


def test_filters_match_what_the_rows_say(session, probe_window):
    rows = add_licenses(
        session,
        [
            {"plan": "premium", "trial": True, "license_type": "cloud"},
            {"plan": "ultimate", "trial": False, "license_type": "offline"},
            {"plan": "ultimate", "trial": True, "license_type": "legacy"},
            {"starts_at": day("2026-04-01"), "expires_at": day("2027-04-01")},
            {"starts_at": day("2024-01-01"), "expires_at": day("2025-01-01")},
            {"starts_at": day("2025-03-01"), "expires_at": TODAY},
            {"issued_at": datetime(2023, 5, 31, 23, 59, tzinfo=UTC)},
            {"issued_at": datetime(2023, 6, 1, 0, 0, tzinfo=UTC)},
            {"issued_at": datetime(2023, 6, 30, 23, 59, tzinfo=UTC)},
            {"issued_at": datetime(2023, 7, 1, 0, 0, tzinfo=UTC)},
        ],
    )

    def found(**params) -> set[int]:
        query = LICENSE_LIST.parse(params).query
        return set(ids(LICENSE_LIST.rows(session=session, query=query, today=TODAY).rows))

    assert found(plan="ultimate") == {r.id for r in rows if r.plan == "ultimate"}
    assert found(trial="trial") == {r.id for r in rows if r.trial}
    assert found(trial="paid") == {r.id for r in rows if not r.trial}
    assert found(type="offline") == {rows[1].id}
    assert found(status="not_started") == {rows[3].id}
    assert found(status="expired") == {rows[4].id, rows[5].id}
    assert found(status="active") == {r.id for r in rows} - {rows[3].id, rows[4].id, rows[5].id}
    assert found(issued_from="2023-06-01", issued_to="2023-06-30") == {rows[7].id, rows[8].id}
    assert found(plan="ultimate", trial="trial", type="legacy") == {rows[2].id}


def test_bad_filter_values_are_ignored_with_a_message():
    parsed = LICENSE_LIST.parse(
        {"plan": "platinum", "status": "1; DROP", "sort": "-password", "issued_from": "yesterday", "type": ""}
    )
    assert parsed.query == Q()
    assert len(parsed.errors) == 4
    assert any("platinum" in error for error in parsed.errors)

    swapped = LICENSE_LIST.parse({"issued_from": "2024-12-31", "issued_to": "2024-01-01"})
    assert LICENSE_LIST.to_params(swapped.query) == {"issued_from": "2024-01-01", "issued_to": "2024-12-31"}
    assert "swapped" in swapped.errors[0]


@pytest.fixture
def paging_rows(session):
    base = datetime(2025, 1, 1, 9, tzinfo=UTC)
    rows = []
    for n in range(67):
        rows.append(
            {
                # Groups of three share every sort value, so only the id breaks ties.
                "issued_at": base + timedelta(hours=n // 3),
                "starts_at": date(2025, 1, 1) + timedelta(days=n // 3),
                "expires_at": date(2026, 1, 1) + timedelta(days=(n // 3) % 5),
                "company": ["Acme", "Globex", "Initech"][n % 3] + f" {n // 9}",
                "user_count": (n * 7) % 11,
                "plan": "premium" if n % 2 else "ultimate",
            }
        )
    return add_licenses(session, rows)


@pytest.mark.parametrize("sort", sorted(SORT_ATTRS))
@pytest.mark.parametrize("descending", [True, False], ids=["desc", "asc"])
def test_keyset_pages_cover_every_row_once_in_order(session, paging_rows, probe_window, sort, descending):
    query = Q(sort=("-" if descending else "") + sort)
    attr = SORT_ATTRS[sort]
    expected = sorted(paging_rows, key=lambda r: (getattr(r, attr), r.id), reverse=descending)

    pages = all_pages(session, query, limit=10)

    assert [i for page in pages for i in page] == ids(expected)
    assert [len(p) for p in pages] == [10] * 6 + [7]


@pytest.fixture
def one_plan_among_many(session):
    """Premium licenses scattered among many newer ultimate ones, some of each with "acme" in their name."""
    base = datetime(2025, 1, 1, 9, tzinfo=UTC)
    rows = [
        {
            # Pairs share an issue time, so only the id breaks ties.
            "issued_at": base + timedelta(hours=n // 2),
            "plan": "premium" if n % 5 == 0 or n < 12 else "ultimate",
            "company": ("Acme" if n % 3 else "Globex") + f" {n}",
            "email": f"staff{n}@example.test",
            "licensee_name": f"Licensee {n}",
        }
        for n in range(70)
    ]
    return add_licenses(session, rows)


@pytest.mark.parametrize("descending", [True, False], ids=["desc", "asc"])
@pytest.mark.parametrize("term", ["", "acme"])
def test_pages_of_one_plan_in_issue_order_hold_its_rows_once(
    session, one_plan_among_many, probe_window, descending, term
):
    """Search windows are counted among one plan's rows (paging.Match.in_order), never skip one,
    forwards or back."""
    query = Q(q=term, plan="premium", sort="-issued" if descending else "issued")
    expected = sorted(
        (r for r in one_plan_among_many if r.plan == "premium" and term in r.company.lower()),
        key=lambda r: (r.issued_at, r.id),
        reverse=descending,
    )

    def page_before(token: str):
        return LICENSE_LIST.rows(session=session, query=query, before=token, limit=4, today=TODAY)

    forward = every_page(
        lambda after: LICENSE_LIST.rows(session=session, query=query, after=after, limit=4, today=TODAY)
    )
    backward = [forward[-1]]
    while backward[-1].prev_cursor:
        backward.append(page_before(backward[-1].prev_cursor))

    assert [i for page in forward for i in ids(page.rows)] == ids(expected)
    assert all(len(page.rows) == 4 for page in forward[:-1])
    assert [ids(page.rows) for page in reversed(backward)] == [ids(page.rows) for page in forward]


def test_a_plans_first_page_comes_from_one_window_of_its_own_rows(session, one_plan_among_many, monkeypatch):
    """The ten newest licenses hold two premium ones, the ten newest premium ones a page: the window
    is counted in the plan's index, so the page takes two statements (its end, its rows), not a
    third that sorts every premium license."""
    monkeypatch.setattr(paging, "PROBE_WINDOW", 10)
    page, statements = with_statements(
        session,
        lambda: LICENSE_LIST.rows(session=session, query=Q(plan="premium"), limit=4, today=TODAY),
    )

    premium = [r for r in one_plan_among_many if r.plan == "premium"]
    assert ids(page.rows) == ids(sorted(premium, key=lambda r: (r.issued_at, r.id), reverse=True)[:4])
    assert len(statements) == 2


@pytest.mark.parametrize(("sort", "in_the_plans_index"), [("-issued", True), ("-users", False)])
def test_a_plans_windows_are_counted_in_its_index_in_issue_order_only(
    session, one_plan_among_many, monkeypatch, sort, in_the_plans_index
):
    """The plan's index keeps its rows in issue order: sorted otherwise, a window is counted among
    every license."""
    monkeypatch.setattr(paging, "PROBE_WINDOW", 10)
    query = Q(plan="premium", sort=sort)
    page, statements = with_statements(
        session, lambda: LICENSE_LIST.rows(session=session, query=query, limit=4, today=TODAY)
    )

    premium = [r for r in one_plan_among_many if r.plan == "premium"]
    attr = "issued_at" if sort == "-issued" else "user_count"
    assert ids(page.rows) == ids(sorted(premium, key=lambda r: (getattr(r, attr), r.id), reverse=True)[:4])
    window_end = statements[0]
    assert "OFFSET" in window_end
    assert bool(re.search(r'plan"? = ', window_end)) is in_the_plans_index


def test_a_windows_rows_are_bounded_by_the_sort_column_on_its_own(session, one_plan_among_many, monkeypatch):
    """PostgreSQL estimates a range of (issued_at, id) pairs at five times a window's size and ANDed
    the window with the unexpired licenses' index (10 ms to build) instead of reading its rows: a
    bound on issued_at alone gives it the column's own statistics."""
    monkeypatch.setattr(paging, "PROBE_WINDOW", 10)
    page, statements = with_statements(
        session, lambda: LICENSE_LIST.rows(session=session, query=Q(q="acme"), limit=4, today=TODAY)
    )

    acme = [r for r in one_plan_among_many if "Acme" in r.company]
    assert ids(page.rows) == ids(sorted(acme, key=lambda r: (r.issued_at, r.id), reverse=True)[:4])
    window_end, rows = statements[:2]
    assert "OFFSET" in window_end
    # SQLite reads a window in two parts, the first bounded by the column alone (paging.rows_up_to).
    assert re.search(r"\blicense\.issued_at >=? [?%]", rows)


def test_previous_page_returns_exactly_the_page_before(session, paging_rows, probe_window):
    query = Q(q="acme", plan="premium", sort="company")
    forward = every_page(
        lambda after: LICENSE_LIST.rows(session=session, query=query, after=after, limit=4, today=TODAY)
    )
    assert len(forward) > 2
    assert forward[0].prev_cursor is None

    backward = [forward[-1]]
    while backward[-1].prev_cursor:
        backward.append(
            LICENSE_LIST.rows(
                session=session, query=query, before=backward[-1].prev_cursor, limit=4, today=TODAY
            )
        )
    assert [ids(p.rows) for p in reversed(backward)] == [ids(p.rows) for p in forward]
    assert backward[-1].prev_cursor is None


@pytest.mark.parametrize("cursor", ["garbage", "", "eyJhIjoxfQ", encode_cursor("not a date", 5), "%00"])
def test_a_tampered_cursor_gives_the_first_page(session, paging_rows, cursor):
    first = LICENSE_LIST.rows(session=session, query=Q(), limit=5, today=TODAY)
    page = LICENSE_LIST.rows(session=session, query=Q(), after=cursor, limit=5, today=TODAY)
    assert ids(page.rows) == ids(first.rows)


def test_count_is_exact_under_the_cap_and_says_so_above_it(session, paging_rows):
    exact = LICENSE_LIST.count(session=session, query=Q(plan="premium"), today=TODAY)
    assert (exact.value, exact.exact, exact.label) == (33, True, "33")
    capped = LICENSE_LIST.count(session=session, query=Q(), cap=20, today=TODAY)
    assert (capped.value, capped.exact, capped.label) == (20, False, "20+")


def test_a_search_is_counted_to_the_lower_search_cap_and_filters_to_the_whole_cap(
    session, paging_rows, monkeypatch
):
    monkeypatch.setattr(listing, "SEARCH_COUNT_CAP", 10)
    searched = LICENSE_LIST.count(session=session, query=Q(q="acme"), today=TODAY)
    assert (searched.value, searched.exact, searched.label) == (10, False, "10+")
    filtered = LICENSE_LIST.count(session=session, query=Q(plan="premium"), today=TODAY)
    assert (filtered.value, filtered.exact) == (33, True)


def test_a_terms_candidates_are_counted_against_the_filters_row_by_row(session, paging_rows):
    """PostgreSQL ANDed the term's candidates with a common filter's own index, the 540,000 premium
    licenses' bitmap (32 ms to build), to count to 1,000 what 2,000 candidates held."""
    query = Q(q="acme", plan="premium")
    count, statements = with_statements(
        session, lambda: LICENSE_LIST.count(session=session, query=query, today=TODAY)
    )
    expected = [r for r in paging_rows if "acme" in r.company.lower() and r.plan == "premium"]
    assert count == ResultCount(len(expected), True)
    assert re.search(r'plan"? = \S+\) IS TRUE', statements[-1])


def test_active_licenses_are_counted_newest_first(session):
    """A company's active license is its latest: the newest valid licenses are mostly active, the
    soonest to expire mostly not, and PostgreSQL read those first (active licenses of one plan,
    counted to 1,000: 115 ms; newest first 11 ms)."""
    base = datetime(2025, 6, 1, 9, tzinfo=UTC)
    add_licenses(
        session,
        [
            {
                "company": f"Company {n % 4}",
                "issued_at": base + timedelta(days=n),
                "starts_at": day("2025-06-01"),
                "expires_at": day("2026-06-01") + timedelta(days=n),
                "plan": "premium" if n > 3 else "starter",
            }
            for n in range(10)
        ],
    )
    query = Q(active="only", plan="premium")
    count, statements = with_statements(
        session, lambda: LICENSE_LIST.count(session=session, query=query, today=TODAY)
    )
    # Each company's latest license (days 6-9) is premium and valid on TODAY.
    assert count == ResultCount(4, True)
    assert "ORDER BY license.issued_at DESC LIMIT" in statements[-1]


def test_the_export_streams_every_match_in_page_order(session, paging_rows):
    query = Q(plan="ultimate", sort="-users")
    streamed = ids(LICENSE_LIST.every(session=session, query=query, batch_size=7, today=TODAY))
    assert streamed == [i for page in all_pages(session, query, limit=50) for i in page]
    assert len(streamed) == 34


def test_active_license_is_latest_issued_started_and_unexpired(session):
    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    company = "Rule Eleven Ltd"
    expired, valid_older, valid_newest, future, trial = add_licenses(
        session,
        [
            {
                "company": company,
                "issued_at": at("2024-01-01"),
                "starts_at": day("2024-01-01"),
                "expires_at": day("2025-01-01"),
            },
            {
                "company": company,
                "issued_at": at("2025-06-01"),
                "starts_at": day("2025-06-01"),
                "expires_at": day("2026-06-01"),
            },
            {
                "company": company,
                "issued_at": at("2025-09-01"),
                "starts_at": day("2025-09-01"),
                "expires_at": day("2026-09-01"),
            },
            {
                "company": company,
                "issued_at": at("2026-02-01"),
                "starts_at": day("2026-04-01"),
                "expires_at": day("2027-04-01"),
            },
            {
                "company": company,
                "issued_at": at("2025-10-01"),
                "starts_at": day("2025-10-01"),
                "expires_at": day("2025-10-31"),
                "trial": True,
            },
        ],
    )
    add_licenses(
        session,
        [
            {
                "company": "Lapsed Inc",
                "expires_at": day("2020-01-01"),
                "starts_at": day("2019-01-01"),
                "issued_at": at("2019-01-01"),
            }
        ],
    )

    assert active_license_for(session=session, company=company, today=TODAY).id == valid_newest.id
    assert active_license_for(session=session, company=company, today=date(2026, 4, 1)).id == future.id
    assert active_license_for(session=session, company=company, today=date(2024, 6, 1)).id == expired.id
    # A license expires on its expiry date.
    assert active_license_for(session=session, company=company, today=date(2027, 4, 1)) is None
    assert active_license_for(session=session, company="Lapsed Inc", today=TODAY) is None
    assert active_license_ids(session=session, companies=[company, "Lapsed Inc", "Nobody"], today=TODAY) == {
        company: valid_newest.id
    }
    assert [license_status(x, TODAY) for x in (expired, valid_older, future, trial)] == [
        "expired",
        "active",
        "not_started",
        "expired",
    ]


def test_a_short_term_searches_a_bounded_number_of_rows_and_says_so(session, monkeypatch):
    monkeypatch.setattr(paging, "UNINDEXED_SCAN_LIMIT", 10)
    monkeypatch.setattr(paging, "PROBE_WINDOW", 3)
    base = datetime(2025, 1, 1, tzinfo=UTC)
    # Newest first: "Newest QX Co" is the 1st row, "QX Tenth" the 10th, "QX Eleventh" the 11th.
    named = {0: "QX Old Ltd", 10: "QX Eleventh", 11: "QX Tenth"}
    rows = add_licenses(
        session,
        [{"company": named.get(n, f"Filler {n}"), "issued_at": base + timedelta(days=n)} for n in range(20)]
        + [{"company": "Newest QX Co", "issued_at": base + timedelta(days=30)}],
    )
    page = LICENSE_LIST.rows(session=session, query=Q(q="qx"), today=TODAY)
    assert ids(page.rows) == [rows[-1].id, rows[11].id]
    assert page.partial
    count = LICENSE_LIST.count(session=session, query=Q(q="qx"), today=TODAY)
    assert (count.value, count.exact, count.label) == (2, False, "2+")

    monkeypatch.setattr(paging, "UNINDEXED_SCAN_LIMIT", 1000)
    page = LICENSE_LIST.rows(session=session, query=Q(q="qx"), today=TODAY)
    assert ids(page.rows) == [rows[-1].id, rows[11].id, rows[10].id, rows[0].id]
    assert not page.partial


def test_a_term_on_one_plan_and_type_is_looked_up_with_their_facets(session, monkeypatch):
    base = datetime(2025, 1, 1, tzinfo=UTC)
    rows = add_licenses(
        session,
        [
            {
                "company": f"Facet Works {n}",
                "plan": plan,
                "license_type": kind,
                "issued_at": base + timedelta(days=n),
            }
            for n, (plan, kind) in enumerate(
                [("starter", "cloud"), ("premium", "cloud"), ("starter", "offline"), ("starter", "cloud")] * 3
            )
        ]
        + [
            {
                "company": "Unrelated",
                "plan": "starter",
                "license_type": "cloud",
                "issued_at": base + timedelta(days=30),
            }
        ],
    )
    # A window of one row, the newest, which does not match: the search index answers.
    monkeypatch.setattr(paging, "PROBE_WINDOW", 1)
    query = Q(q="facet works", plan="starter", type="cloud")
    found, sent = with_parameters(
        session, lambda: ids(LICENSE_LIST.rows(session=session, query=query, today=TODAY).rows)
    )
    expected = [
        r.id
        for r in rows
        if r.company.startswith("Facet") and (r.plan, r.license_type) == ("starter", "cloud")
    ]
    assert sorted(found) == sorted(expected)
    # A plan changed afterwards is found under its new value (the index follows the row).
    session.execute(sa.update(License).where(License.id == expected[0]).values(plan="premium"))
    session.commit()
    assert expected[0] not in ids(LICENSE_LIST.rows(session=session, query=query, today=TODAY).rows)
    premium = Q(q="facet works", plan="premium", type="cloud")
    assert expected[0] in ids(LICENSE_LIST.rows(session=session, query=premium, today=TODAY).rows)
    if session.get_bind().dialect.name == "sqlite":
        assert any("plan_facet :" in str(value) and "type_facet :" in str(value) for value in sent)
        session.execute(sa.text("INSERT INTO license_fts(license_fts) VALUES ('integrity-check')"))


@pytest.mark.parametrize("marked", [False, True], ids=["rule-row-by-row", "marks"])
def test_the_active_only_filter_gives_each_companys_active_license_and_nothing_else(
    session, probe_window, monkeypatch, marked
):
    base = datetime(2025, 1, 1, 9, tzinfo=UTC)
    rows = add_licenses(
        session,
        [
            {
                # Pairs share a company and an issue time, so the id decides which one is active.
                "company": f"Company {(n // 2) % 7}",
                "issued_at": base + timedelta(days=(n // 2) * 3),
                "starts_at": day("2025-01-01") + timedelta(days=((n // 2) * 37) % 500),
                "expires_at": day("2026-01-01") + timedelta(days=(n * 53) % 300),
                "plan": ("starter", "premium", "ultimate")[n % 3],
            }
            for n in range(90)
        ],
    )
    companies = {r.company for r in rows}
    expected = set(active_license_ids(session=session, companies=companies, today=TODAY).values())
    assert 2 <= len(expected) <= len(companies)
    if marked:
        assert mark_active_licenses(session=session, today=TODAY) == len(expected)

    query = LICENSE_LIST.parse({"active": "only"}).query
    assert LICENSE_LIST.to_params(query) == {"active": "only"}
    pages, statements = with_statements(session, lambda: all_pages(session, query, limit=2))
    assert {i for page in pages for i in page} == expected
    assert any(re.search(r"WHERE .*license\.active_mark", s) for s in statements) is marked
    assert any("EXISTS" in s for s in statements) is not marked
    company_3 = Q(q="company 3", active="only")
    active_of_company_3 = {r.id for r in rows if r.id in expected and r.company == "Company 3"}
    assert (
        set(ids(LICENSE_LIST.rows(session=session, query=company_3, today=TODAY).rows)) == active_of_company_3
    )
    counted, statements = with_statements(
        session, lambda: LICENSE_LIST.count(session=session, query=company_3, today=TODAY)
    )
    assert counted == ResultCount(len(active_of_company_3), True)
    if session.get_bind().dialect.name == "sqlite":
        # The marked licenses' text has an index of its own (migration 0016).
        assert any("license_active_fts" in s for s in statements) is marked
    assert LICENSE_LIST.count(session=session, query=query, today=TODAY) == ResultCount(len(expected), True)
    premium = Q(active="only", plan="premium")
    assert set(ids(LICENSE_LIST.rows(session=session, query=premium, today=TODAY).rows)) == {
        r.id for r in rows if r.id in expected and r.plan == "premium"
    }
    # Each match costs a look at the company's later licenses: counted only to the search cap.
    monkeypatch.setattr(licenses_module, "SEARCH_COUNT_CAP", 2)
    assert LICENSE_LIST.count(session=session, query=query, today=TODAY) == ResultCount(2, False)
    unknown = LICENSE_LIST.parse({"active": "yes"})
    assert unknown.errors == ["Unknown active-license choice 'yes' was ignored."]


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        (0, 0),  # nothing in the first window: the index's candidates are few
        (12, 0),  # fewer than one row in 160: the page would take more than FURTHER_WINDOW_CAP rows
        (13, 11_693),  # twice the rows its density needs
        (26, 3847),
        (49, paging.PROBE_WINDOW // 2),  # two rows short: a short walk, never a tiny one
    ],
)
def test_a_first_window_walks_on_only_as_far_as_its_density_needs(found, expected):
    assert paging.further_window(found, 51) == expected
    assert paging.further_window(found, 51) <= paging.FURTHER_WINDOW_CAP
