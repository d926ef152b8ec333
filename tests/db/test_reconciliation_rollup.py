"""The monthly roll-up behind the charts: kept exact by triggers, and equal to counting every row.

Each aggregate is compared with a brute-force count over the same rows in Python, for date
ranges that start and end mid-month, inside one month, across a year boundary, and with filters.
"""

import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import select

from admin_app.db.lists.spec import Query
from admin_app.db.models import Reconciliation, ReconciliationRollup
from admin_app.db.reconciliations.rollup import rebuild_statements
from admin_app.db.reconciliations.search import RECONCILIATION_LIST as LIST
from admin_app.db.reconciliations.stats import (
    ChartResults,
    count_for_table,
    monthly_failures,
    monthly_invoiced,
    monthly_seats_added,
    monthly_status_counts,
    rollup_version,
    skip_reason_counts,
    top_accounts_by_invoiced,
)
from tests.conftest import empty_tables
from tests.factories import add_reconciliations

STATUSES = ("pending", "done", "skipped", "failed")


@pytest.fixture
def rows(session) -> list[Reconciliation]:
    rng = random.Random(7)
    start = date(2024, 11, 1)
    made = []
    for _ in range(300):
        status = rng.choice(STATUSES)
        made.append(
            {
                "status": status,
                "reconciliation_date": start + timedelta(days=rng.randrange(0, 160)),
                "currency": rng.choice(("USD", "EUR")),
                "plan": rng.choice(("premium", "ultimate", None)),
                "channel": rng.choice(("direct", "reseller")),
                "seats_before": rng.choice((10, 20, None)),
                "user_count": rng.randrange(5, 30),
                "invoiced_amount": Decimal(rng.randrange(0, 100_000)) / 100 if status == "done" else None,
                "skip_reason": rng.choice(("No overage", "Reseller-managed", None))
                if status == "skipped"
                else None,
            }
        )
    return add_reconciliations(session, made)


def reconciliations(
    q: str = "",
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    amount_min: Decimal | None = None,
    **choices: str,
) -> Query:
    """A query of the reconciliation list, its days and amount as values."""
    typed = {"from": date_from, "to": date_to, "min": amount_min}
    return LIST.query(
        q=q, **choices, **{name: str(value) for name, value in typed.items() if value is not None}
    )


def matching(rows: list[Reconciliation], query: Query) -> list[Reconciliation]:
    start, end, low = (query.value(name) for name in ("from", "to", "min"))

    def keep(r: Reconciliation) -> bool:
        return (
            (not start or r.reconciliation_date >= date.fromisoformat(start))
            and (not low or (r.invoiced_amount or 0) >= Decimal(low))
            and (not end or r.reconciliation_date <= date.fromisoformat(end))
            and all(
                query.value(name) in ("", getattr(r, name))
                for name in ("status", "currency", "plan", "channel")
            )
        )

    return [r for r in rows if keep(r)]


def by_hand(rows: list[Reconciliation], query: Query) -> dict[str, list]:
    found = matching(rows, query)
    month = lambda r: r.reconciliation_date.strftime("%Y-%m")  # noqa: E731
    invoiced: dict[tuple, Decimal] = defaultdict(Decimal)
    for r in found:
        if r.invoiced_amount is not None:
            invoiced[(month(r), r.currency)] += r.invoiced_amount
    failures: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in found:
        failures[month(r)][0] += r.status == "failed"
        failures[month(r)][1] += 1
    seats: dict[str, int] = defaultdict(int)
    for r in found:
        if r.status == "done":
            seats[month(r)] += max(0, r.user_count - r.seats_before) if r.seats_before is not None else 0
    skips = Counter(r.skip_reason or "(no reason given)" for r in found if r.status == "skipped")
    return {
        "status": sorted(Counter((month(r), r.status) for r in found).items()),
        "invoiced": sorted((m, c, amount) for (m, c), amount in invoiced.items()),
        "failures": sorted((m, f, n) for m, (f, n) in failures.items()),
        "seats": sorted(seats.items()),
        "skips": sorted(skips.items(), key=lambda item: (-item[1], item[0])),
    }


def from_database(session, query: Query) -> dict[str, list]:
    return {
        "status": [((m, s), n) for m, s, n in monthly_status_counts(session=session, query=query)],
        "invoiced": monthly_invoiced(session=session, query=query),
        "failures": monthly_failures(session=session, query=query),
        "seats": monthly_seats_added(session=session, query=query),
        "skips": skip_reason_counts(session=session, query=query),
    }


QUERIES = {
    "everything": reconciliations(),
    "mid-month to mid-month across the year": reconciliations(
        date_from=date(2024, 12, 10), date_to=date(2025, 2, 17)
    ),
    "inside one month": reconciliations(date_from=date(2025, 1, 5), date_to=date(2025, 1, 20)),
    "whole months": reconciliations(date_from=date(2024, 12, 1), date_to=date(2025, 2, 28)),
    "open start": reconciliations(date_to=date(2025, 1, 15)),
    "open end": reconciliations(date_from=date(2025, 1, 31)),
    "one day at a month's end": reconciliations(date_from=date(2025, 1, 31), date_to=date(2025, 1, 31)),
    "filters": reconciliations(
        date_from=date(2024, 11, 15),
        date_to=date(2025, 3, 31),
        plan="premium",
        channel="direct",
        currency="EUR",
    ),
    "one status": reconciliations(status="skipped", date_from=date(2025, 1, 2)),
    "nothing in range": reconciliations(date_from=date(2020, 1, 1), date_to=date(2020, 6, 30)),
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_every_aggregate_equals_counting_the_rows(session, rows, query):
    assert from_database(session, query) == by_hand(rows, query)


def test_edits_and_deletes_move_the_totals_with_them(session, rows):
    everything = reconciliations()
    first, second = rows[0], rows[1]
    first.status, first.invoiced_amount, first.reconciliation_date = (
        "done",
        Decimal("12.34"),
        date(2025, 3, 3),
    )
    first.seats_before, first.user_count = 1, 50
    session.delete(second)
    session.commit()
    remaining = [r for r in rows if r is not second]
    assert from_database(session, everything) == by_hand(remaining, everything)


def test_a_rebuild_gives_what_the_triggers_kept(session, rows):
    def snapshot():
        return sorted(
            (
                r.month,
                r.status,
                r.currency,
                r.plan,
                r.channel,
                r.skip_reason,
                r.reconciliations,
                r.invoiced_cents,
            )
            for r in session.exec(select(ReconciliationRollup))
            if r.reconciliations
        )

    kept = snapshot()
    for statement in rebuild_statements(session.get_bind().dialect.name):
        session.execute(sa.text(statement))
    session.commit()
    session.expire_all()
    assert snapshot() == kept
    assert len(kept) > 20


def test_a_search_or_table_only_filter_still_counts_correctly(session, rows):
    query = reconciliations(error="no", date_from=date(2024, 12, 1))
    expected = Counter(
        (r.reconciliation_date.strftime("%Y-%m"), r.status)
        for r in rows
        if r.reconciliation_date >= date(2024, 12, 1) and r.error_message is None
    )
    assert monthly_status_counts(session=session, query=query) == sorted(
        (m, s, n) for (m, s), n in expected.items()
    )


@pytest.fixture
def accounts_invoiced(session) -> list[Reconciliation]:
    """Twenty-five accounts invoicing in USD and EUR at random through 2025, and three chosen ones."""
    rng = random.Random(11)
    made: list[Reconciliation] = []
    for _ in range(25):
        made += add_reconciliations(
            session,
            [
                {
                    "reconciliation_date": date(2025, 1, 1) + timedelta(days=rng.randrange(0, 365)),
                    "currency": rng.choice(("USD", "EUR")),
                    "status": rng.choice(("done", "done", "done", "failed")),
                    # A true-up with no seats over invoices zero.
                    "invoiced_amount": Decimal(rng.choice((0, rng.randrange(0, 500_000)))) / 100,
                    "plan": rng.choice(("premium", "ultimate")),
                }
                for _ in range(rng.randrange(1, 8))
            ],
        )
    # In the one-week range: an account, one that invoiced only zero, one with a zero beside a charge.
    for amounts in (["1234.56"], ["0.00", "0.00"], ["9800.00", "0.00"]):
        made += add_reconciliations(
            session,
            [
                {"reconciliation_date": date(2025, 3, 5 + i), "invoiced_amount": Decimal(amount)}
                for i, amount in enumerate(amounts)
            ],
        )
    return made


def top_by_hand(rows: list[Reconciliation], query: Query, currency: str) -> list[tuple]:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    names: dict[int, str] = {}
    for r in matching(rows, query):
        if r.currency == currency and r.invoiced_amount is not None:
            totals[r.billing_account_id] += r.invoiced_amount
            names[r.billing_account_id] = r.customer_name
    ranked = sorted(((a, names[a], t) for a, t in totals.items() if t > 0), key=lambda x: (-x[2], x[0]))
    return ranked[:10]


TOP_QUERIES = {
    "all time": reconciliations(),
    "one quarter": reconciliations(date_from=date(2025, 7, 1), date_to=date(2025, 9, 30)),
    "one week": reconciliations(date_from=date(2025, 3, 3), date_to=date(2025, 3, 9)),
    "a plan": reconciliations(plan="ultimate"),
    "the other currency filtered": reconciliations(currency="EUR"),
    "failed ones in a quarter": reconciliations(
        status="failed", date_from=date(2025, 4, 1), date_to=date(2025, 6, 30)
    ),
    "skipped ones (none invoiced)": reconciliations(status="skipped"),
    "a range and an amount (not in the roll-up)": reconciliations(
        amount_min=Decimal(1000), date_from=date(2025, 2, 1)
    ),
}
TOP_WAYS = {
    # (rows summed directly at most, accounts per threshold batch)
    "summed directly": (10**9, 200),
    "threshold, one batch": (0, 200),
    "threshold, several batches or the fallback": (0, 3),
}


@pytest.mark.parametrize(("direct_rows", "batch_size"), TOP_WAYS.values(), ids=TOP_WAYS.keys())
@pytest.mark.parametrize("query", TOP_QUERIES.values(), ids=TOP_QUERIES.keys())
def test_top_accounts_equal_summing_every_row(
    session, accounts_invoiced, query, direct_rows, batch_size, monkeypatch
):
    monkeypatch.setattr("admin_app.db.reconciliations.stats.DIRECT_TOP_ROWS", direct_rows)
    monkeypatch.setattr("admin_app.db.reconciliations.stats.TOP_BATCH_SIZE", batch_size)
    found = top_accounts_by_invoiced(session=session, query=query, currency="USD")
    assert found == top_by_hand(accounts_invoiced, query, "USD")


def test_the_ranking_has_ten_accounts_and_none_for_another_currencys_filter(session, accounts_invoiced):
    assert len(top_accounts_by_invoiced(session=session, query=reconciliations(), currency="USD")) == 10
    eur_only = reconciliations(currency="EUR")
    assert top_accounts_by_invoiced(session=session, query=eur_only, currency="USD") == []


TABLE_QUERIES = {
    **QUERIES,
    "a search (rows)": reconciliations(q="zzz-no-such-customer"),
    "has an error (rows)": reconciliations(error="no", date_from=date(2024, 12, 1)),
}


@pytest.mark.parametrize("query", TABLE_QUERIES.values(), ids=TABLE_QUERIES.keys())
def test_the_tables_count_equals_counting_the_rows(session, rows, query):
    counted = LIST.count(session=session, query=query, cap=10_000)
    assert count_for_table(session=session, query=query) == counted


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_the_tables_count_from_the_roll_up_equals_counting_by_hand(session, rows, query):
    assert count_for_table(session=session, query=query).value == len(matching(rows, query))


def test_the_tables_count_from_the_roll_up_is_exact_beyond_the_row_cap(session, rows):
    everything = reconciliations()
    assert count_for_table(session=session, query=everything, cap=20).label == f"{len(rows):,}"
    assert LIST.count(session=session, query=everything, cap=20).label == "20+"


def test_every_change_to_reconciliations_changes_the_roll_up_version(session, db_url, rows):
    seen = [rollup_version(session=session)]

    def changed() -> bool:
        session.expire_all()
        seen.append(rollup_version(session=session))
        return seen[-1] != seen[-2]

    add_reconciliations(session, [{"status": "done"}])
    assert changed()
    rows[0].user_count += 1
    session.add(rows[0])
    session.commit()
    assert changed()
    session.delete(rows[1])
    session.commit()
    assert changed()
    session.execute(sa.select(Reconciliation.id).limit(1)).all()
    session.commit()
    assert not changed()
    empty_tables(db_url)  # TRUNCATE on PostgreSQL, DELETE on SQLite
    assert changed()


def test_chart_results_are_kept_per_filters_and_version_the_most_recent_first():
    kept = ChartResults(size=2)
    quarter = reconciliations(date_from=date(2025, 7, 1), date_to=date(2025, 9, 30))
    failed = reconciliations(status="failed")
    kept.keep(quarter, 7, [["q7"]])
    kept.keep(failed, 7, [["f7"]])
    assert kept.get(quarter, 7) == [["q7"]]
    assert kept.get(quarter, 8) is None  # a reconciliation changed since
    kept.keep(quarter, 8, [["q8"]])  # the least recently used, failed at 7, makes room
    assert kept.get(failed, 7) is None
    assert kept.get(quarter, 7) == [["q7"]]
    kept.keep(quarter, None, [["unversioned"]])
    assert kept.get(quarter, None) is None
