"""The history list: by time, newest or oldest first, through keyset pages; filters by staff member,
record type, record, field, dates and free text, each read through an index rather than by sorting the
table."""

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from admin_app.db.history.audit import Actor, record_version
from admin_app.db.history.search import HISTORY_LIST
from admin_app.db.lists.paging import encode_cursor
from admin_app.db.models import Version, table_of
from tests.db.pages import every_page

NOW = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture
def versions(session):
    rows = [
        (
            "customer",
            1,
            "ann@example.com",
            {"first_name": ["Jane", "Janet"]},
            "Ticket #1",
            datetime(2026, 1, 5, tzinfo=UTC),
        ),
        (
            "customer",
            2,
            "bob@example.com",
            {"login_activated": [True, False]},
            "Fraud",
            datetime(2026, 2, 5, tzinfo=UTC),
        ),
        (
            "billing_account_contact",
            1,
            "ann@example.com",
            {"email": ["a@x.test", "b@x.test"]},
            None,
            datetime(2026, 3, 5, tzinfo=UTC),
        ),
        (
            "billing_account_membership",
            9,
            "Bob@Example.com",
            {"customer_id": [None, 2]},
            "100% sure",
            datetime(2026, 3, 6, tzinfo=UTC),
        ),
    ]
    for item_type, item_id, actor, changes, reason, at in rows:
        record_version(
            session,
            item_type=item_type,
            item_id=item_id,
            event="update",
            actor=Actor(actor),
            changes=changes,
            at=at,
            reason=reason,
        )
    session.commit()


def found(session, **params) -> list[tuple[str, int]]:
    query = HISTORY_LIST.parse(params).query
    page = HISTORY_LIST.rows(session=session, query=query)
    assert HISTORY_LIST.count(session=session, query=query).value == len(page.rows)
    return [(v.item_type, v.item_id) for v in page.rows]


def test_newest_first(session, versions):
    assert found(session) == [
        ("billing_account_membership", 9),
        ("billing_account_contact", 1),
        ("customer", 2),
        ("customer", 1),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"actor": "BOB@example.com"}, [("billing_account_membership", 9), ("customer", 2)]),
        ({"type": "customer"}, [("customer", 2), ("customer", 1)]),
        ({"type": "customer", "record": "1"}, [("customer", 1)]),
        ({"field": "login activated"}, [("customer", 2)]),
        ({"field": "email"}, [("billing_account_contact", 1)]),
        ({"from": "2026-02-01", "to": "2026-03-05"}, [("billing_account_contact", 1), ("customer", 2)]),
        ({"q": "janet"}, [("customer", 1)]),
        ({"q": "fraud"}, [("customer", 2)]),
        ({"q": "100%"}, [("billing_account_membership", 9)]),
        # A literal underscore (in field names), not LIKE's any-character: the contact row has none.
        ({"q": "_"}, [("billing_account_membership", 9), ("customer", 2), ("customer", 1)]),
        ({"q": "x" * 10_000}, []),
    ],
)
def test_filters(session, versions, params, expected):
    assert found(session, **params) == expected


def test_bad_values_are_dropped_with_a_message():
    parsed = HISTORY_LIST.parse({"type": "password", "record": "1 OR 1=1", "from": "2026-13-01"})
    assert parsed.query.values == {}
    assert len(parsed.errors) == 3
    swapped = HISTORY_LIST.parse({"from": "2026-03-01", "to": "2026-01-01"}).query
    assert swapped.value("from") == date(2026, 1, 1).isoformat()


def test_one_request_shows_the_rows_of_one_action_only(session, versions):
    action = Actor("support@example.com")
    for item_type, item_id in (("billing_account_membership", 20), ("billing_account", 7)):
        record_version(
            session, item_type=item_type, item_id=item_id, event="update", actor=action, changes={}, at=NOW
        )
    session.commit()
    assert found(session, request=action.request_id) == [
        ("billing_account", 7),
        ("billing_account_membership", 20),
    ]


@pytest.mark.parametrize("request_id", ["abc", "' OR 1=1 --", "Z" * 32, "0" * 33])
def test_a_request_that_is_not_an_id_is_dropped_with_a_message(request_id):
    parsed = HISTORY_LIST.parse({"request": request_id})
    assert parsed.query.value("request") == ""
    assert parsed.errors == [f"Request {request_id[:40]!r} is not a request id and was ignored."]


# Written in this order, dated otherwise (demo data and imports wrote old changes late); the three of
# 2022-06-01 share a moment, as the rows of one action do.
WRITTEN = [
    ("customer", 11, datetime(2021, 3, 1, tzinfo=UTC)),
    ("customer", 12, datetime(2021, 3, 1, tzinfo=UTC)),
    ("billing_account", 13, datetime(2023, 1, 1, tzinfo=UTC)),
    ("customer", 14, datetime(2020, 7, 1, tzinfo=UTC)),
    ("customer", 15, datetime(2022, 6, 1, tzinfo=UTC)),
    ("billing_account", 16, datetime(2022, 6, 1, tzinfo=UTC)),
    ("customer", 17, datetime(2022, 6, 1, tzinfo=UTC)),
    ("customer", 18, datetime(2019, 12, 31, 23, 59, tzinfo=UTC)),
]
NEWEST_FIRST = [13, 17, 16, 15, 12, 11, 14, 18]


@pytest.fixture
def out_of_order(session) -> None:
    for item_type, item_id, at in WRITTEN:
        record_version(
            session,
            item_type=item_type,
            item_id=item_id,
            event="update",
            actor=Actor("ann@example.com"),
            changes={"x": [1, 2]},
            at=at,
        )
    session.commit()


def test_the_newest_change_comes_first_by_when_it_was_made_not_when_it_was_written(session, out_of_order):
    assert [item_id for _, item_id in found(session)] == NEWEST_FIRST


def test_sorted_by_when_again_the_oldest_change_comes_first(session, out_of_order):
    oldest_first = HISTORY_LIST.with_sort(HISTORY_LIST.query(), "when")
    assert HISTORY_LIST.to_params(oldest_first) == {"sort": "when"}
    assert HISTORY_LIST.parse({"sort": "when"}).query == oldest_first
    assert [item_id for _, item_id in found(session, sort="when")] == list(reversed(NEWEST_FIRST))
    assert HISTORY_LIST.to_params(HISTORY_LIST.with_sort(oldest_first, "when")) == {}


def ids_of_pages(pages) -> list[int]:
    return [version.item_id for page in pages for version in page.rows]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, NEWEST_FIRST),
        ({"sort": "when"}, list(reversed(NEWEST_FIRST))),
        ({"type": "customer"}, [17, 15, 12, 11, 14, 18]),
        ({"type": "customer", "sort": "when"}, [18, 14, 11, 12, 15, 17]),
    ],
)
def test_pages_run_forward_and_back_across_changes_made_at_one_moment(
    session, out_of_order, probe_window, params, expected
):
    query = HISTORY_LIST.parse(params).query

    def page(after=None, before=None):
        return HISTORY_LIST.rows(session=session, query=query, after=after, before=before, limit=2)

    forward = every_page(lambda after: page(after=after))
    assert ids_of_pages(forward) == expected
    assert all(len(p.rows) == 2 for p in forward)
    back, before = [forward[-1]], forward[-1].prev_cursor
    while before:
        back.insert(0, page(before=before))
        before = back[0].prev_cursor
    assert ids_of_pages(back) == expected
    assert back[0].prev_cursor is None


def test_a_cursor_of_the_id_order_an_old_link_holds_starts_from_the_first_page(session, out_of_order):
    page = HISTORY_LIST.rows(session=session, query=HISTORY_LIST.query(), after=encode_cursor(5, 5))
    assert [v.item_id for v in page.rows] == NEWEST_FIRST


STAFF_MEMBERS = [f"staff{n}@example.com" for n in range(6)]
REQUEST = "c" * 32


@pytest.fixture
def analyzed_history(session):
    """20,000 changes laid out as the demo data and a year of use lay them out, with the statistics a
    large database has: mostly sign-ups by the portal, one in ten old but written late, a few staff
    members, few license changes, one staff member with a single change. Made and analysed in the
    test's transaction, and rolled back with it."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    types = ["customer"] * 60 + ["billing_account_membership"] * 30 + ["billing_account_contact"] * 9
    rows = [
        {
            "item_type": "license" if n % 100 == 0 else types[n % 99],
            "item_id": n % 5_000 + 1,
            "event": "update",
            "actor": STAFF_MEMBERS[n % 6] if n % 3 == 0 else "portal-signup",
            "changes": {"x": [1, 2]},
            "created_at": start - timedelta(days=n % 700) if n % 10 == 0 else start + timedelta(minutes=n),
            "request_id": f"{n // 2:032x}" if n % 3 == 0 else None,
        }
        for n in range(20_000)
    ]
    rows[5_001].update(actor="rare@example.com", request_id=REQUEST)
    session.execute(sa.insert(table_of(Version)), rows)
    session.execute(sa.text("ANALYZE version"))
    yield
    session.rollback()


def plans(session, work) -> list[list[str]]:
    """The query plan of each statement `work()` sends, read on the session's connection (which holds
    the test's statistics)."""
    sent = []

    def record(_connection, _cursor, statement, parameters, *_rest) -> None:
        sent.append((statement, parameters))

    connection = session.connection()
    sa.event.listen(connection.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        sa.event.remove(connection.engine, "before_cursor_execute", record)
    if connection.dialect.name == "sqlite":
        return [
            [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
            for statement, parameters in sent
        ]
    return [
        list(connection.exec_driver_sql("EXPLAIN (COSTS OFF) " + statement, parameters).scalars())
        for statement, parameters in sent
    ]


def read_how(plan: list[str]) -> set[str]:
    """How a plan reads the history: "whole table", "sort", and the indexes it uses."""
    how = set()
    for line in plan:
        step = line.strip().removeprefix("->").strip()
        if step == "SCAN version" or step.startswith("Seq Scan on version"):
            how.add("whole table")
        if step.startswith(("Sort", "Incremental Sort")) or re.match(r"USE TEMP B-TREE FOR .*ORDER BY", step):
            how.add("sort")
        how.update(re.findall(r"ix_version_\w+", step))
    return how


# Each page asked for, and the index that may find its few rows by an equality before they are put in
# order (a record, one action); the others walk an index in the list's order: the list's own,
# ix_version_created_at_id, or a filter's (a kind, a staff member) in the same order.
IN_ORDER = {
    "ix_version_created_at_id",
    "ix_version_item_type_created_at_id",
    "ix_version_actor_lower_created_at_id",
}
PAGES = [
    ({}, None),
    ({"sort": "when"}, None),
    ({"from": "2025-01-02", "to": "2025-01-03"}, None),
    ({"type": "customer"}, None),
    ({"actor": "staff1@example.com"}, None),
    ({"actor": "rare@example.com"}, None),
    ({"type": "license"}, "ix_version_item"),
    ({"record": "42"}, "ix_version_item"),
    ({"type": "customer", "record": "42"}, "ix_version_item"),
    ({"request": REQUEST}, "ix_version_request_id"),
]


def unsound_plans(session, spec=HISTORY_LIST) -> dict[str, list[str]]:
    """The plans of PAGES that read the whole table, or sort rows no equality on an index found."""
    unsound = {}
    for params, lookup in PAGES:
        query = spec.parse(params).query
        for plan in plans(session, lambda q=query: spec.rows(session=session, query=q)):
            how = read_how(plan)
            sorts_the_table = "sort" in how and lookup not in how
            if "whole table" in how or sorts_the_table or not how & (IN_ORDER | {lookup}):
                unsound[str(params)] = plan
    return unsound


def test_every_page_is_read_through_an_index_never_by_sorting_the_table(session, analyzed_history):
    assert unsound_plans(session) == {}


def test_a_sort_no_index_keeps_is_seen_to_sort_the_table(session, analyzed_history):
    by_reason = replace(HISTORY_LIST, sort_columns={"when": (Version.reason, str)})
    assert set(unsound_plans(session, by_reason)) >= {"{}", "{'sort': 'when'}", "{'type': 'customer'}"}
