"""Aggregates for the reconciliation charts, computed in SQL (GROUP BY month), never from raw rows.

Every function takes the same ReconciliationQuery as the table, so a chart and the table it
links to always agree. The search term does not apply to charts.
"""

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col

from admin_app.db.models import Reconciliation, Subscription
from admin_app.db.reconciliations import (
    ParsedReconciliationQuery,
    ReconciliationQuery,
    parse_reconciliation_query,
    reconciliation_filters,
)

CENT = Decimal("0.01")
CHART_FILTERS = ("from", "to", "status", "plan", "channel", "currency")
# Amounts in different currencies do not add up, so the top-10 ranks one currency at a time.
DEFAULT_TOP_CURRENCY = "USD"


def parse_chart_query(params: Mapping[str, object]) -> ParsedReconciliationQuery:
    """The charts' filters (date range, status, plan, channel, currency) read from URL parameters."""
    return parse_reconciliation_query({name: params[name] for name in CHART_FILTERS if name in params})


def chart_params(query: ReconciliationQuery) -> dict[str, str]:
    """The chart filters of `query` as URL parameters, defaults left out."""
    params = replace(query, sort="date", descending=True).to_params()
    return {name: value for name, value in params.items() if name in CHART_FILTERS}


def quarter_range(quarter: str) -> tuple[date, date] | None:
    """The first and last day of a quarter written "2025-Q3", or None if it is not one."""
    year, _, number = quarter.partition("-Q")
    if not (year.isdigit() and len(year) == 4 and number in ("1", "2", "3", "4")):
        return None
    first_month = 3 * int(number) - 2
    start = date(int(year), first_month, 1)
    next_quarter = date(int(year) + first_month // 10, (first_month + 2) % 12 + 1, 1)
    return start, next_quarter - timedelta(days=1)


def quarter_of_range(start: str, end: str) -> str:
    """ "2025-Q3" when start and end are exactly that quarter's first and last day, otherwise ""."""
    if len(start) != 10 or not start[:4].isdigit() or not start[5:7].isdigit():
        return ""
    quarter = f"{start[:4]}-Q{(int(start[5:7]) + 2) // 3}"
    dates = quarter_range(quarter)
    return quarter if dates and (dates[0].isoformat(), dates[1].isoformat()) == (start, end) else ""


def recent_quarters(today: date, count: int = 8) -> list[str]:
    """The current quarter and the ones before it, newest first."""
    index = today.year * 4 + (today.month - 1) // 3
    return [f"{i // 4}-Q{i % 4 + 1}" for i in range(index, index - count, -1)]


def chart_aggregates(query: ReconciliationQuery) -> list[Callable[[Session], list]]:
    """The six charts' aggregates, in the charts' order, each a function of a session."""
    currency = query.currency or DEFAULT_TOP_CURRENCY
    return [
        lambda session: monthly_status_counts(session=session, query=query),
        lambda session: monthly_invoiced(session=session, query=query),
        lambda session: skip_reason_counts(session=session, query=query),
        lambda session: monthly_failures(session=session, query=query),
        lambda session: top_accounts_by_invoiced(session=session, query=query, currency=currency),
        lambda session: monthly_seats_added(session=session, query=query),
    ]


def _month(session: Session):
    """'YYYY-MM' of the reconciliation date, in the dialect of the session's database."""
    column = col(Reconciliation.reconciliation_date)
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(column, "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def monthly_status_counts(*, session: Session, query: ReconciliationQuery) -> list[tuple[str, str, int]]:
    """(month, status, reconciliations), oldest month first."""
    month = _month(session).label("month")
    statement = (
        sa.select(month, col(Reconciliation.status), sa.func.count())
        .where(*reconciliation_filters(query))
        .group_by(month, col(Reconciliation.status))
        .order_by(month, col(Reconciliation.status))
    )
    return [(m, s, int(n)) for m, s, n in session.execute(statement)]


def monthly_invoiced(*, session: Session, query: ReconciliationQuery) -> list[tuple[str, str, Decimal]]:
    """(month, currency, invoiced amount) of completed reconciliations."""
    month = _month(session).label("month")
    statement = (
        sa.select(month, col(Reconciliation.currency), sa.func.sum(col(Reconciliation.invoiced_amount)))
        .where(*reconciliation_filters(query), col(Reconciliation.invoiced_amount).is_not(None))
        .group_by(month, col(Reconciliation.currency))
        .order_by(month, col(Reconciliation.currency))
    )
    return [(m, c, _money(total)) for m, c, total in session.execute(statement)]


def skip_reason_counts(*, session: Session, query: ReconciliationQuery) -> list[tuple[str, int]]:
    """(skip reason, reconciliations skipped for it), most frequent first."""
    count = sa.func.count().label("n")
    statement = (
        sa.select(col(Reconciliation.skip_reason), count)
        .where(*reconciliation_filters(query), col(Reconciliation.status) == "skipped")
        .group_by(col(Reconciliation.skip_reason))
        .order_by(count.desc(), col(Reconciliation.skip_reason))
    )
    return [(reason or "(no reason given)", int(n)) for reason, n in session.execute(statement)]


def monthly_failures(*, session: Session, query: ReconciliationQuery) -> list[tuple[str, int, int]]:
    """(month, failed, all) so a chart can show the failure rate with its counts."""
    month = _month(session).label("month")
    failed = sa.func.sum(sa.case((col(Reconciliation.status) == "failed", 1), else_=0))
    statement = (
        sa.select(month, failed, sa.func.count())
        .where(*reconciliation_filters(query))
        .group_by(month)
        .order_by(month)
    )
    return [(m, int(f or 0), int(n)) for m, f, n in session.execute(statement)]


def top_accounts_by_invoiced(
    *, session: Session, query: ReconciliationQuery, currency: str, limit: int = 10
) -> list[tuple[int, str, Decimal]]:
    """(billing account id, customer name, invoiced amount) in one currency, largest first.

    Amounts in different currencies are not comparable, so the ranking is per currency.
    """
    total = sa.func.sum(col(Reconciliation.invoiced_amount)).label("total")
    statement = (
        sa.select(
            col(Reconciliation.billing_account_id), sa.func.max(col(Reconciliation.customer_name)), total
        )
        .where(
            *reconciliation_filters(query),
            col(Reconciliation.currency) == currency,
            col(Reconciliation.invoiced_amount).is_not(None),
        )
        .group_by(col(Reconciliation.billing_account_id))
        .order_by(total.desc(), col(Reconciliation.billing_account_id))
        .limit(limit)
    )
    return [(int(account), name, _money(amount)) for account, name, amount in session.execute(statement)]


def monthly_seats_added(*, session: Session, query: ReconciliationQuery) -> list[tuple[str, int]]:
    """(month, seats added): completed reconciliations' user count above the subscription's seats."""
    month = _month(session).label("month")
    added = col(Reconciliation.user_count) - col(Subscription.seats)
    statement = (
        sa.select(month, sa.func.sum(sa.case((added > 0, added), else_=0)))
        .join(Subscription, col(Subscription.name) == col(Reconciliation.subscription_name))
        .where(*reconciliation_filters(query), col(Reconciliation.status) == "done")
        .group_by(month)
        .order_by(month)
    )
    return [(m, int(n or 0)) for m, n in session.execute(statement)]
