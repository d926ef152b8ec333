"""Aggregates for the reconciliation charts, computed in SQL (GROUP BY month), never from raw rows.

Every function takes the same ReconciliationQuery as the table, so a chart and the table it
links to always agree. The search term does not apply to charts.
"""

from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col

from admin_app.db.models import Reconciliation, Subscription
from admin_app.db.reconciliations import ReconciliationQuery, reconciliation_filters

CENT = Decimal("0.01")


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
