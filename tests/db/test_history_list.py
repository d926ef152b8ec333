"""The history list: filters by staff member, record type, record, field, dates and free text."""

from datetime import UTC, date, datetime

import pytest

from admin_app.db.history.audit import Actor, record_version
from admin_app.db.history.search import HISTORY_LIST

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
