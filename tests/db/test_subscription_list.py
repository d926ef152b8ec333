"""Finding subscriptions: by name or account name, filters, keyset pages in every sort, bad input."""

from datetime import date, timedelta

import pytest

from admin_app.db.lists.paging import ResultCount
from admin_app.db.models import Subscription
from admin_app.db.subscriptions.search import SUBSCRIPTION_LIST, account_names
from tests.db.pages import every_page
from tests.factories import add_account

NAMES = ("ACME Corp", "Globex 100% Ltd", "under_score Inc", "Zoë 🚀 GmbH")


@pytest.fixture
def subscriptions(session) -> list[Subscription]:
    accounts = [
        add_account(
            session, sold_to={"first_name": "A", "last_name": "B", "email": f"a{n}@x.test"}, name=name
        )
        for n, name in enumerate(NAMES)
    ]
    rows = []
    for n in range(23):
        account = accounts[n % len(accounts)]
        rows.append(
            Subscription(
                name=f"A-S{10_000_000 + n:08d}",
                billing_account_id=account.id,
                plan=("starter", "premium", "ultimate")[n % 3],
                deployment="saas" if n % 2 else "self-managed",
                # Groups of three share seats and term end, so the id breaks ties.
                seats=10 * (n // 3),
                term_start=date(2026, 1, 1),
                term_end=date(2026, 6, 1) + timedelta(days=n // 3),
                auto_renew=True,
                status=("active", "cancelled", "expired")[(n // 2) % 3],
                channel=("direct", "reseller", "marketplace")[n % 3],
            )
        )
    session.add_all(rows)
    session.commit()
    return rows


def found(session, **params) -> list[str]:
    query = SUBSCRIPTION_LIST.parse(params).query
    return [s.name for s in SUBSCRIPTION_LIST.rows(session=session, query=query, limit=100).rows]


def test_a_term_matches_the_name_or_the_accounts_name_literally(session, subscriptions, probe_window):
    by_account = {s.name: NAMES[i % len(NAMES)] for i, s in enumerate(subscriptions)}
    assert found(session, q="a-s10000017") == ["A-S10000017"]
    assert set(found(session, q="globex")) == {n for n, a in by_account.items() if a.startswith("Globex")}
    assert set(found(session, q="%")) == {n for n, a in by_account.items() if "%" in a}
    assert set(found(session, q="_")) == {n for n, a in by_account.items() if "_" in a}
    assert set(found(session, q="🚀")) == {n for n, a in by_account.items() if "🚀" in a}
    assert found(session, q="x" * 10_000) == []
    assert found(session, q="'; DROP TABLE subscription; --") == []
    assert set(found(session, q="Zoë")) == {n for n, a in by_account.items() if a.startswith("Zoë")}
    assert set(found(session, q="corp", plan="premium")) == {
        s.name
        for i, s in enumerate(subscriptions)
        if NAMES[i % len(NAMES)] == "ACME Corp" and s.plan == "premium"
    }


def test_filters_match_what_the_rows_say(session, subscriptions):
    assert set(found(session, plan="ultimate", channel="marketplace")) == {
        s.name for s in subscriptions if s.plan == "ultimate" and s.channel == "marketplace"
    }
    assert set(found(session, status="cancelled", deployment="saas")) == {
        s.name for s in subscriptions if s.status == "cancelled" and s.deployment == "saas"
    }
    query = SUBSCRIPTION_LIST.parse({"status": "expired"}).query
    expected = sum(s.status == "expired" for s in subscriptions)
    assert expected > 0
    assert SUBSCRIPTION_LIST.count(session=session, query=query) == ResultCount(expected, True)


@pytest.mark.parametrize("sort", sorted(SUBSCRIPTION_LIST.sort_columns))
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_cover_every_row_once_in_order(session, subscriptions, sort, descending):
    query = SUBSCRIPTION_LIST.query(sort=("-" if descending else "") + sort)
    pages = [
        [s.name for s in page.rows]
        for page in every_page(
            lambda after: SUBSCRIPTION_LIST.rows(session=session, query=query, after=after, limit=4)
        )
    ]
    attribute = {"name": "name", "term_end": "term_end", "seats": "seats"}[sort]
    expected = sorted(subscriptions, key=lambda s: (getattr(s, attribute), s.id), reverse=descending)
    assert [name for page in pages for name in page] == [s.name for s in expected]
    assert all(len(page) == 4 for page in pages[:-1])


def test_account_names_of_a_page(session, subscriptions):
    page = SUBSCRIPTION_LIST.rows(session=session, query=SUBSCRIPTION_LIST.query(q="a-s1000000"), limit=3)
    names = account_names(session, page.rows)
    assert {names[s.billing_account_id] for s in page.rows} == {
        "ACME Corp",
        "Globex 100% Ltd",
        "under_score Inc",
    }
    assert account_names(session, []) == {}


def test_bad_parameters_are_ignored_with_a_message():
    bad = {"plan": "gold", "channel": "1; DROP", "sort": "-password", "status": ""}
    parsed = SUBSCRIPTION_LIST.parse(bad)
    assert parsed.query == SUBSCRIPTION_LIST.query()
    assert len(parsed.errors) == 3
    sorted_by_seats = SUBSCRIPTION_LIST.parse({"sort": "-seats"}).query
    assert SUBSCRIPTION_LIST.to_params(sorted_by_seats) == {"sort": "-seats"}
