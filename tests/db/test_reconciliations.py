"""Reconciliation search and chart aggregates against totals computed by hand, on SQLite and PostgreSQL."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from admin_app.db.models import BillingAccount, Reconciliation, Subscription
from admin_app.db.reconciliations.search import RECONCILIATION_LIST as LIST
from admin_app.db.reconciliations.search import reconciliations_of_account, skip_reasons
from admin_app.db.reconciliations.stats import (
    chart_params,
    monthly_failures,
    monthly_invoiced,
    monthly_seats_added,
    monthly_status_counts,
    parse_chart_query,
    quarter_of_range,
    quarter_range,
    recent_quarters,
    skip_reason_counts,
    top_accounts_by_invoiced,
)
from tests.db.pages import every_page

D = Decimal


@pytest.fixture
def accounts(session):
    """ACME pays in USD on a direct premium plan; Globex in EUR through a reseller, ultimate."""
    acme = BillingAccount(zuora_account_id="a" * 32, name="ACME Corp", salesforce_account_id="001A")
    globex = BillingAccount(zuora_account_id="b" * 32, name="Globex GmbH", salesforce_account_id="001B")
    session.add_all([acme, globex])
    session.flush()
    session.add_all(
        [
            Subscription(
                name="A-S00000001",
                billing_account_id=acme.id,
                plan="premium",
                deployment="saas",
                seats=10,
                term_start=date(2025, 1, 1),
                term_end=date(2026, 1, 1),
                auto_renew=True,
                status="active",
                channel="direct",
            ),
            Subscription(
                name="A-S00000002",
                billing_account_id=globex.id,
                plan="ultimate",
                deployment="saas",
                seats=20,
                term_start=date(2025, 1, 1),
                term_end=date(2026, 1, 1),
                auto_renew=True,
                status="active",
                channel="reseller",
            ),
        ]
    )

    as_it_was = {"A-S00000001": ("premium", "direct", 10), "A-S00000002": ("ultimate", "reseller", 20)}

    def rec(account, sub, status, day, users, amount=None, currency="USD", skip=None, error=None):
        plan, channel, seats = as_it_was[sub]
        return Reconciliation(
            plan=plan,
            channel=channel,
            seats_before=seats,
            billing_account_id=account.id,
            customer_name=account.name,
            subscription_name=sub,
            status=status,
            reconciliation_date=day,
            user_count=users,
            invoiced_amount=amount,
            currency=currency,
            skip_reason=skip,
            error_message=error,
        )

    session.add_all(
        [
            rec(acme, "A-S00000001", "done", date(2025, 12, 31), 15, D("150.00")),
            rec(acme, "A-S00000001", "done", date(2026, 1, 1), 12, D("60.00")),
            rec(globex, "A-S00000002", "done", date(2026, 1, 15), 25, D("300.00"), "EUR"),
            rec(
                globex,
                "A-S00000002",
                "failed",
                date(2026, 1, 20),
                20,
                None,
                "EUR",
                error="Timeout from Zuora",
            ),
            rec(acme, "A-S00000001", "skipped", date(2025, 12, 1), 10, skip="No overage"),
            rec(globex, "A-S00000002", "skipped", date(2026, 2, 1), 20, None, "EUR", skip="Reseller-managed"),
            rec(acme, "A-S00000001", "skipped", date(2026, 2, 10), 10, skip="No overage"),
            rec(acme, "A-S00000001", "pending", date(2026, 2, 28), 10),
        ]
    )
    session.commit()
    return acme, globex


ALL = LIST.query()


def test_monthly_counts_by_status_cross_the_year_boundary(session, accounts):
    assert monthly_status_counts(session=session, query=ALL) == [
        ("2025-12", "done", 1),
        ("2025-12", "skipped", 1),
        ("2026-01", "done", 2),
        ("2026-01", "failed", 1),
        ("2026-02", "pending", 1),
        ("2026-02", "skipped", 2),
    ]


def test_invoiced_amounts_per_month_stay_per_currency(session, accounts):
    assert monthly_invoiced(session=session, query=ALL) == [
        ("2025-12", "USD", D("150.00")),
        ("2026-01", "EUR", D("300.00")),
        ("2026-01", "USD", D("60.00")),
    ]


def test_skip_reasons_largest_first(session, accounts):
    assert skip_reason_counts(session=session, query=ALL) == [("No overage", 2), ("Reseller-managed", 1)]


def test_failures_per_month_with_their_counts(session, accounts):
    assert monthly_failures(session=session, query=ALL) == [
        ("2025-12", 0, 2),
        ("2026-01", 1, 3),
        ("2026-02", 0, 3),
    ]


def test_top_accounts_rank_within_one_currency(session, accounts):
    acme, globex = accounts
    assert top_accounts_by_invoiced(session=session, query=ALL, currency="USD") == [
        (acme.id, "ACME Corp", D("210.00"))
    ]
    assert top_accounts_by_invoiced(session=session, query=ALL, currency="EUR") == [
        (globex.id, "Globex GmbH", D("300.00"))
    ]


def test_seats_added_are_users_above_the_subscriptions_seats(session, accounts):
    assert monthly_seats_added(session=session, query=ALL) == [("2025-12", 5), ("2026-01", 7)]


def test_chart_filters_narrow_every_aggregate(session, accounts):
    january = LIST.query(**{"from": "2026-01-01", "to": "2026-01-31"})
    assert monthly_failures(session=session, query=january) == [("2026-01", 1, 3)]
    reseller = LIST.query(channel="reseller")
    assert monthly_status_counts(session=session, query=reseller) == [
        ("2026-01", "done", 1),
        ("2026-01", "failed", 1),
        ("2026-02", "skipped", 1),
    ]
    assert skip_reason_counts(session=session, query=LIST.query(plan="premium")) == [("No overage", 2)]
    assert monthly_invoiced(session=session, query=LIST.query(currency="EUR")) == [
        ("2026-01", "EUR", D("300.00"))
    ]


def test_no_rows_give_empty_charts(session):
    assert monthly_status_counts(session=session, query=ALL) == []
    assert monthly_invoiced(session=session, query=ALL) == []
    assert skip_reason_counts(session=session, query=ALL) == []
    assert monthly_failures(session=session, query=ALL) == []
    assert top_accounts_by_invoiced(session=session, query=ALL, currency="USD") == []
    assert monthly_seats_added(session=session, query=ALL) == []


def test_search_and_filters_find_the_reconciliations_and_why_they_ended(session, accounts):
    def found(**params) -> list[tuple[str, str]]:
        query = LIST.parse(params).query
        page = LIST.rows(session=session, query=query)
        assert LIST.count(session=session, query=query).value == len(page.rows)
        return [(r.customer_name, r.status) for r in page.rows]

    assert found(q="globex", status="failed") == [("Globex GmbH", "failed")]
    assert found(q="A-S00000001", status="skipped") == [("ACME Corp", "skipped"), ("ACME Corp", "skipped")]
    assert found(error="yes") == [("Globex GmbH", "failed")]
    assert found(min="100", max="200") == [("ACME Corp", "done")]
    assert found(skip_reason="Reseller-managed") == [("Globex GmbH", "skipped")]
    assert len(found(account=str(accounts[1].id))) == 3
    assert found(q="%_'\"") == []
    assert found(q="x" * 10_000) == []


def test_bad_filter_values_get_a_message_and_no_error():
    parsed = LIST.parse(
        {
            "status": "exploded",
            "from": "2026-03-01",
            "to": "2026-01-01",
            "min": "-5",
            "max": "lots",
            "account": "1 OR 1=1",
            "sort": "password",
        }
    )
    assert parsed.query.values == {"from": "2026-01-01", "to": "2026-03-01"}
    assert parsed.query.sort == "date"
    assert parsed.errors == [
        "Unknown sort 'password' was ignored.",
        "The reconciliation-date range was reversed; it has been swapped.",
        "Minimum amount '-5' is not an amount of zero or more and was ignored.",
        "Maximum amount 'lots' is not an amount of zero or more and was ignored.",
        "Unknown status 'exploded' was ignored.",
        "Billing account '1 OR 1=1' is not an id and was ignored.",
    ]


def test_a_query_survives_the_round_trip_through_the_url():
    query = LIST.query(
        q="acme",
        sort="customer",
        status="failed",
        skip_reason="No overage",
        error="yes",
        min="10.5",
        max="99",
        plan="premium",
        channel="direct",
        currency="EUR",
        account="7",
        **{"from": "2025-07-01", "to": "2025-09-30"},
    )
    parsed = LIST.parse(LIST.to_params(query))
    assert parsed.errors == [] and parsed.query == query
    assert LIST.to_params(LIST.query()) == {}


def test_sorting_by_a_column_again_flips_it():
    by_customer = LIST.with_sort(ALL, "customer")
    assert (by_customer.sort, by_customer.descending) == ("customer", False)
    assert LIST.with_sort(by_customer, "customer").descending is True
    assert LIST.with_sort(ALL, "users").descending is True
    assert LIST.with_sort(ALL, "password") == ALL


def test_export_iterates_every_match_across_batches(session, accounts):
    rows = list(LIST.every(session=session, query=LIST.query(q="acme"), batch_size=2))
    assert len(rows) == 5 and len({r.id for r in rows}) == 5
    dates = [r.reconciliation_date for r in rows]
    assert dates == sorted(dates, reverse=True)


def test_an_accounts_history_and_the_skip_reasons_on_offer(session, accounts):
    acme, _ = accounts
    history = reconciliations_of_account(session=session, billing_account_id=acme.id)
    assert [r.reconciliation_date for r in history] == [
        date(2026, 2, 28),
        date(2026, 2, 10),
        date(2026, 1, 1),
        date(2025, 12, 31),
        date(2025, 12, 1),
    ]
    assert skip_reasons(session=session) == ["No overage", "Reseller-managed"]


def test_one_subscriptions_reconciliations(session, accounts):
    acme, _ = accounts
    first = reconciliations_of_account(session=session, billing_account_id=acme.id)
    other = Reconciliation(**{**first[0].model_dump(exclude={"id"}), "subscription_name": "A-S00000009"})
    session.add(other)
    session.commit()

    def of(name: str) -> list[int]:
        found = reconciliations_of_account(
            session=session, billing_account_id=acme.id, subscription_name=name
        )
        return [r.id for r in found]

    assert of("A-S00000009") == [other.id]
    assert of("A-S00000001") == [r.id for r in first]
    assert len(first) == 5 and {r.subscription_name for r in first} == {"A-S00000001"}


def test_chart_filters_ignore_what_only_the_table_has():
    parsed = parse_chart_query(
        {"q": "acme", "from": "2025-07-01", "status": "failed", "account": "3", "min": "5"}
    )
    assert parsed.query == LIST.query(status="failed", **{"from": "2025-07-01"})
    assert chart_params(parsed.query) == {"from": "2025-07-01", "status": "failed"}


@pytest.mark.parametrize(
    ("quarter", "dates"),
    [
        ("2025-Q1", (date(2025, 1, 1), date(2025, 3, 31))),
        ("2024-Q2", (date(2024, 4, 1), date(2024, 6, 30))),
        ("2025-Q3", (date(2025, 7, 1), date(2025, 9, 30))),
        ("2025-Q4", (date(2025, 10, 1), date(2025, 12, 31))),
        ("2025-Q5", None),
        ("25-Q1", None),
        ("", None),
    ],
)
def test_quarters_are_whole_date_ranges(quarter, dates):
    assert quarter_range(quarter) == dates
    if dates:
        assert quarter_of_range(dates[0].isoformat(), dates[1].isoformat()) == quarter


def test_a_range_that_is_not_a_whole_quarter_names_none():
    assert quarter_of_range("2025-07-02", "2025-09-30") == ""
    assert quarter_of_range("2025-07-01", "") == ""
    assert quarter_of_range("garbage", "2025-09-30") == ""
    assert recent_quarters(date(2026, 1, 15), 3) == ["2026-Q1", "2025-Q4", "2025-Q3"]


@pytest.fixture
def failures_among_many(session, accounts):
    """Failed reconciliations scattered among many newer done ones; several share a date."""
    acme, globex = accounts
    rows = [
        Reconciliation(
            plan="premium",
            channel="direct",
            seats_before=10,
            billing_account_id=(acme if n % 3 else globex).id,
            customer_name=(acme if n % 3 else globex).name,
            subscription_name="A-S00000001",
            status="failed" if n % 7 == 0 or n < 10 else "done",
            reconciliation_date=date(2026, 3, 1) + timedelta(days=n // 3),
            user_count=10,
            currency="USD",
        )
        for n in range(80)
    ]
    session.add_all(rows)
    session.commit()
    return rows


@pytest.mark.parametrize("descending", [True, False], ids=["desc", "asc"])
@pytest.mark.parametrize("term", ["", "globex"])
def test_pages_of_one_status_in_date_order_hold_its_rows_once(
    session, failures_among_many, probe_window, descending, term
):
    """Search windows are counted among one status's rows (paging.Match.in_order), never skip one;
    the accounts' own reconciliations (one failed) are among them."""
    query = LIST.query(q=term, sort="-date" if descending else "date", status="failed")
    expected = sorted(
        (
            r
            for r in session.exec(select(Reconciliation))
            if r.status == "failed" and term in r.customer_name.lower()
        ),
        key=lambda r: (r.reconciliation_date, r.id),
        reverse=descending,
    )
    pages = every_page(lambda after: LIST.rows(session=session, query=query, after=after, limit=4))

    assert [r.id for page in pages for r in page.rows] == [r.id for r in expected]
    assert all(len(page.rows) == 4 for page in pages[:-1])
