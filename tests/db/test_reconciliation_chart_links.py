"""The charts per quarter, their bars' and points' links to the list, and the quarters the picker
offers, on SQLite and PostgreSQL: each link lists exactly the rows its bar or point counted."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, delete

from admin_app.db.lists.spec import Query
from admin_app.db.models import Reconciliation
from admin_app.db.reconciliations.search import MAX_SKIP_REASON
from admin_app.db.reconciliations.search import RECONCILIATION_LIST as LIST
from admin_app.db.reconciliations.stats import (
    NO_REASON,
    failure_rate_params,
    invoiced_params,
    quarter_choices,
    quarter_of_month,
    quarterly_failures,
    quarterly_invoiced,
    quarterly_seats_added,
    quarterly_status_counts,
    seats_added_params,
    skip_reason_counts,
    skip_reason_params,
    status_params,
)
from tests.factories import add_reconciliations

QUERIES = {
    "everything": LIST.query(),
    "from mid-quarter to mid-quarter": LIST.query(**{"from": "2024-11-20", "to": "2025-05-10"}),
    "one channel": LIST.query(channel="reseller"),
    "done only": LIST.query(status="done"),
    "skipped in euros": LIST.query(status="skipped", currency="EUR"),
    "failed on a plan": LIST.query(status="failed", plan="premium"),
}


@pytest.fixture
def rows(session) -> list[Reconciliation]:
    rng = random.Random(11)
    made = []
    for _ in range(240):
        status = rng.choice(("pending", "done", "done", "skipped", "failed"))
        made.append(
            {
                "status": status,
                # Quarter starts mostly, as reconciliations run, and any day now and then.
                "reconciliation_date": rng.choice(
                    (date(2024, 10, 1), date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1))
                )
                + timedelta(days=rng.choice((0, 0, 0, rng.randrange(0, 92)))),
                "currency": rng.choice(("USD", "EUR")),
                "plan": rng.choice(("premium", "ultimate", None)),
                "channel": rng.choice(("direct", "reseller")),
                "seats_before": rng.choice((10, 20, None)),
                "user_count": rng.randrange(5, 30),
                "invoiced_amount": rng.choice((None, Decimal(0), Decimal(rng.randrange(1, 90_000)) / 100))
                if status != "pending"
                else None,
                "skip_reason": rng.choice(("No overage", "Reseller-managed", None))
                if status == "skipped"
                else None,
            }
        )
    return add_reconciliations(session, made)


def quarter(r: Reconciliation) -> str:
    return quarter_of_month(r.reconciliation_date.strftime("%Y-%m"))


def matching(rows: list[Reconciliation], query: Query) -> list[Reconciliation]:
    """The rows the charts' filters keep, by hand."""
    start, end = (query.value(name) for name in ("from", "to"))
    return [
        r
        for r in rows
        if (not start or r.reconciliation_date >= date.fromisoformat(start))
        and (not end or r.reconciliation_date <= date.fromisoformat(end))
        and all(
            query.value(name) in ("", getattr(r, name)) for name in ("status", "currency", "plan", "channel")
        )
    ]


def listed(session, params: dict[str, str] | None) -> list[int]:
    """The ids the list shows for a link's parameters, which it reads back without a complaint."""
    assert params is not None
    opened = LIST.parse(params)
    assert opened.errors == []
    return sorted(r.id for r in LIST.every(session=session, query=opened.query))


def ids(rows: list[Reconciliation]) -> list[int]:
    return sorted(r.id for r in rows)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_status_bar_lists_the_reconciliations_it_counted(session, rows, name):
    query = QUERIES[name]
    kept = matching(rows, query)
    bars = quarterly_status_counts(session=session, query=query)
    assert sum(n for _, _, n in bars) == len(kept)
    for q, status, n in bars:
        counted = [r for r in kept if quarter(r) == q and r.status == status]
        assert len(counted) == n
        assert listed(session, status_params(query, q, status)) == ids(counted)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_failure_rate_point_lists_the_failures_it_counted(session, rows, name):
    query = QUERIES[name]
    kept = matching(rows, query)
    points = quarterly_failures(session=session, query=query)
    assert [(q, n) for q, _, n in points] == sorted(
        (q, sum(quarter(r) == q for r in kept)) for q in {quarter(r) for r in kept}
    )
    for q, failed, _ in points:
        counted = [r for r in kept if quarter(r) == q and r.status == "failed"]
        assert len(counted) == failed
        params = failure_rate_params(query, q)
        if query.value("status") not in ("", "failed"):
            assert params is None, "another status leaves no failure to list"
            continue
        assert listed(session, params) == ids(counted)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_an_invoiced_point_lists_the_reconciliations_it_added_up(session, rows, name):
    query = QUERIES[name]
    kept = matching(rows, query)
    points = quarterly_invoiced(session=session, query=query)
    assert len(points) == len({(quarter(r), r.currency) for r in kept if r.invoiced_amount is not None})
    for q, currency, amount in points:
        counted = [
            r for r in kept if quarter(r) == q and r.currency == currency and r.invoiced_amount is not None
        ]
        assert sum(r.invoiced_amount for r in counted) == amount
        assert listed(session, invoiced_params(query, q, currency)) == ids(counted)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_seats_added_bar_lists_the_completed_reconciliations_it_added_up(session, rows, name):
    query = QUERIES[name]
    done = [r for r in matching(rows, query) if r.status == "done"]
    bars = quarterly_seats_added(session=session, query=query)
    assert [q for q, _ in bars] == sorted({quarter(r) for r in done})
    for q, seats in bars:
        counted = [r for r in done if quarter(r) == q]
        added = sum(max(0, r.user_count - r.seats_before) for r in counted if r.seats_before is not None)
        assert added == seats
        assert listed(session, seats_added_params(query, q)) == ids(counted)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_skip_reason_bar_lists_the_reconciliations_skipped_for_it(session, rows, name):
    query = QUERIES[name]
    skipped = [r for r in matching(rows, query) if r.status == "skipped"]
    bars = skip_reason_counts(session=session, query=query)
    for reason, n in bars:
        counted = [r for r in skipped if (r.skip_reason or NO_REASON) == reason]
        assert len(counted) == n
        if reason == NO_REASON:
            assert skip_reason_params(query, reason) is None, "the list cannot pick out no reason"
            continue
        assert listed(session, skip_reason_params(query, reason)) == ids(counted)


def test_a_link_keeps_the_charts_filters_and_cuts_the_quarter_to_their_dates():
    query = LIST.query(channel="reseller", **{"from": "2025-02-10", "to": "2025-08-31"})
    assert status_params(query, "2025-Q1", "failed") == {
        "channel": "reseller",
        "from": "2025-02-10",
        "to": "2025-03-31",
        "status": "failed",
    }
    assert status_params(query, "2025-Q2", "done") == {
        "channel": "reseller",
        "from": "2025-04-01",
        "to": "2025-06-30",
        "status": "done",
    }
    assert invoiced_params(query, "2025-Q3", "EUR") == {
        "channel": "reseller",
        "from": "2025-07-01",
        "to": "2025-08-31",
        "currency": "EUR",
        "min": "0",
    }
    assert skip_reason_params(query, "No overage") == {
        "channel": "reseller",
        "from": "2025-02-10",
        "to": "2025-08-31",
        "status": "skipped",
        "skip_reason": "No overage",
    }


def test_a_link_the_charts_filters_rule_out_or_the_list_would_not_read_is_refused():
    query = LIST.query(status="done", currency="USD", **{"from": "2025-01-01", "to": "2025-06-30"})
    assert status_params(query, "2025-Q1", "failed") is None, "another status"
    assert failure_rate_params(query, "2025-Q1") is None
    assert invoiced_params(query, "2025-Q1", "EUR") is None, "another currency"
    assert skip_reason_params(query, "No overage") is None
    assert seats_added_params(query, "2025-Q3") is None, "a quarter outside the dates"
    assert seats_added_params(query, "2025-Q9") is None
    assert seats_added_params(query, "2025-07-01") is None
    everything = LIST.query()
    assert status_params(everything, "2025-Q1", "done'; --") is None
    assert invoiced_params(everything, "2025-Q1", "XXX") is None
    assert skip_reason_params(everything, "x" * (MAX_SKIP_REASON + 1)) is None
    assert skip_reason_params(everything, NO_REASON) is None


@pytest.mark.parametrize(
    ("days", "today", "expected"),
    [
        ((), date(2025, 1, 15), ["2025-Q1"]),
        ((date(2024, 8, 1), date(2024, 11, 20)), date(2025, 1, 15), ["2025-Q1", "2024-Q4", "2024-Q3"]),
        (
            (date(2024, 8, 1), date(2025, 7, 1)),
            date(2025, 1, 15),
            ["2025-Q3", "2025-Q2", "2025-Q1", "2024-Q4", "2024-Q3"],
        ),
    ],
)
def test_the_quarter_picker_offers_every_quarter_the_data_holds_up_to_now(session, days, today, expected):
    add_reconciliations(session, [{"reconciliation_date": day} for day in days])
    assert quarter_choices(session=session, today=today) == expected


def test_the_quarter_picker_reaches_back_to_the_first_quarter_still_holding_one(session):
    first, *_ = add_reconciliations(
        session, [{"reconciliation_date": date(2019, 1, 1)}, {"reconciliation_date": date(2024, 4, 1)}]
    )
    today = date(2026, 6, 30)
    choices = quarter_choices(session=session, today=today)
    assert (choices[0], choices[-1], len(choices)) == ("2026-Q2", "2019-Q1", 30)
    session.exec(delete(Reconciliation).where(col(Reconciliation.id) == first.id))
    session.commit()
    assert quarter_choices(session=session, today=today)[-1] == "2024-Q2", "an emptied month is not held"
