"""Reconciliations (quarterly seat true-ups): filters shared by the table and the charts, search, pages."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.sql.elements import SQLColumnExpression
from sqlmodel import Session, col, select

from admin_app.db.licenses.search import PLANS
from admin_app.db.lists.listing import ListSource
from admin_app.db.lists.paging import Match
from admin_app.db.lists.query_params import (
    Parsed,
    parse_id,
    quoted,
    read_amount,
    read_choice,
    read_date_range,
    read_sort,
)
from admin_app.db.lists.query_params import with_sort as with_query_sort
from admin_app.db.lists.text_search import SearchSpec, match_for, normalize_term
from admin_app.db.models import BillingAccount, Reconciliation, ReconciliationRollup

STATUSES = ("pending", "processing", "done", "skipped", "failed")
CHANNELS = ("direct", "reseller", "marketplace")
CURRENCIES = ("USD", "EUR", "GBP", "JPY")
HAS_ERROR = {"yes": True, "no": False}
MAX_SKIP_REASON = 200
SORT_COLUMNS = {
    "date": (Reconciliation.reconciliation_date, date),
    "customer": (Reconciliation.customer_name, str),
    "users": (Reconciliation.user_count, int),
}

RECONCILIATION_SEARCH = SearchSpec(
    id_column=col(Reconciliation.id),
    columns=(col(Reconciliation.customer_name), col(Reconciliation.subscription_name)),
    fts_table="reconciliation_fts",
    pg_search_column="reconciliation.search_text",
)


@dataclass(frozen=True)
class ReconciliationQuery:
    """What the reconciliations table and charts ask for."""

    q: str = ""
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    skip_reason: str | None = None
    has_error: str | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    plan: str | None = None
    channel: str | None = None
    currency: str | None = None
    billing_account_id: int | None = None
    sort: str = "date"
    descending: bool = True

    def to_params(self) -> dict[str, str]:
        """The query as URL parameters, defaults left out."""
        params = {
            "q": self.q,
            "status": self.status or "",
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "skip_reason": self.skip_reason or "",
            "error": self.has_error or "",
            "min": str(self.amount_min) if self.amount_min is not None else "",
            "max": str(self.amount_max) if self.amount_max is not None else "",
            "plan": self.plan or "",
            "channel": self.channel or "",
            "currency": self.currency or "",
            "account": str(self.billing_account_id) if self.billing_account_id is not None else "",
        }
        sort = ("-" if self.descending else "") + self.sort
        if sort != "-date":
            params["sort"] = sort
        return {key: value for key, value in params.items() if value}


def _account_id(params: Mapping[str, object], errors: list[str]) -> int | None:
    value = params.get("account")
    if value in (None, ""):
        return None
    text = str(value)
    if (account_id := parse_id(text)) is not None:
        return account_id
    errors.append(f"Billing account {quoted(text)} is not an id and was ignored.")
    return None


def parse_reconciliation_query(params: Mapping[str, object]) -> Parsed[ReconciliationQuery]:
    """Read a ReconciliationQuery from URL parameters; bad values are dropped with a message."""
    errors: list[str] = []
    sort, descending = read_sort(params, SORT_COLUMNS, "-date", errors)
    date_from, date_to = read_date_range(params, ("from", "to"), "Reconciliation-date", errors)
    amount_min = read_amount(params, "min", "Minimum amount", errors)
    amount_max = read_amount(params, "max", "Maximum amount", errors)
    if amount_min is not None and amount_max is not None and amount_min > amount_max:
        errors.append("The amount range was reversed; it has been swapped.")
        amount_min, amount_max = amount_max, amount_min
    skip_reason = params.get("skip_reason")
    skip_reason = skip_reason[:MAX_SKIP_REASON] if isinstance(skip_reason, str) and skip_reason else None
    query = ReconciliationQuery(
        q=normalize_term(params.get("q")),
        status=read_choice(params, "status", STATUSES, "status", errors),
        date_from=date_from,
        date_to=date_to,
        skip_reason=skip_reason,
        has_error=read_choice(params, "error", HAS_ERROR, "error choice", errors),
        amount_min=amount_min,
        amount_max=amount_max,
        plan=read_choice(params, "plan", PLANS, "plan", errors),
        channel=read_choice(params, "channel", CHANNELS, "channel", errors),
        currency=read_choice(params, "currency", CURRENCIES, "currency", errors),
        billing_account_id=_account_id(params, errors),
        sort=sort,
        descending=descending,
    )
    return Parsed(query=query, errors=errors)


def reconciliation_filters(query: ReconciliationQuery) -> list[SQLColumnExpression[bool]]:
    """The WHERE conditions of every filter but the search term (the charts use these too)."""
    r = Reconciliation
    conditions: list[SQLColumnExpression[bool]] = []
    if query.status:
        conditions.append(col(r.status) == query.status)
    if query.date_from:
        conditions.append(col(r.reconciliation_date) >= query.date_from)
    if query.date_to:
        conditions.append(col(r.reconciliation_date) <= query.date_to)
    if query.skip_reason:
        conditions.append(col(r.skip_reason) == query.skip_reason)
    if query.has_error:
        has = col(r.error_message).is_not(None)
        conditions.append(has if HAS_ERROR[query.has_error] else sa.not_(has))
    if query.amount_min is not None:
        conditions.append(col(r.invoiced_amount) >= query.amount_min)
    if query.amount_max is not None:
        conditions.append(col(r.invoiced_amount) <= query.amount_max)
    if query.currency:
        conditions.append(col(r.currency) == query.currency)
    if query.billing_account_id is not None:
        conditions.append(col(r.billing_account_id) == query.billing_account_id)
    if query.plan:
        conditions.append(col(r.plan) == query.plan)
    if query.channel:
        conditions.append(col(r.channel) == query.channel)
    return conditions


def _in_date_order(query: ReconciliationQuery) -> tuple[SQLColumnExpression[bool], ...]:
    """The filter an index keeps in date order, (status, reconciliation_date, id), when the list is
    sorted by date (see paging.Match)."""
    if query.sort == "date" and query.status:
        return (col(Reconciliation.status) == query.status,)
    return ()


def _match(session: Session, query: ReconciliationQuery) -> Match:
    return match_for(
        session, RECONCILIATION_SEARCH, query.q, reconciliation_filters(query), _in_date_order(query)
    )


RECONCILIATIONS = ListSource(
    entity=Reconciliation,
    id_column=col(Reconciliation.id),
    sort_columns=SORT_COLUMNS,
    match=_match,
)
search_reconciliations = RECONCILIATIONS.search
count_reconciliations = RECONCILIATIONS.count
iter_reconciliations = RECONCILIATIONS.every


def with_sort(query: ReconciliationQuery, sort: str) -> ReconciliationQuery:
    """The query sorted by `sort` (customers A to Z first); the current sort flips direction."""
    sorted_query: ReconciliationQuery = with_query_sort(
        query, sort, SORT_COLUMNS, ascending_first=("customer",)
    )
    return sorted_query


def get_reconciliation(*, session: Session, reconciliation_id: int) -> Reconciliation | None:
    """One reconciliation by id."""
    return session.get(Reconciliation, reconciliation_id)


def get_billing_account(*, session: Session, billing_account_id: int) -> BillingAccount | None:
    """The billing account a reconciliation invoices."""
    return session.get(BillingAccount, billing_account_id)


def reconciliations_of_account(
    *, session: Session, billing_account_id: int, subscription_name: str | None = None, limit: int = 200
) -> list[Reconciliation]:
    """A billing account's reconciliations over time (or one subscription's of them), newest first."""
    statement = select(Reconciliation).where(col(Reconciliation.billing_account_id) == billing_account_id)
    if subscription_name is not None:
        statement = statement.where(col(Reconciliation.subscription_name) == subscription_name)
    ordered = statement.order_by(
        col(Reconciliation.reconciliation_date).desc(), col(Reconciliation.id).desc()
    )
    return list(session.exec(ordered.limit(limit)))


def skip_reasons(*, session: Session, limit: int = 100) -> list[str]:
    """The distinct reasons reconciliations were skipped for, A to Z (what the filter offers).

    Read from the monthly roll-up: a few thousand rows instead of a million.
    """
    reason = col(ReconciliationRollup.skip_reason)
    statement = (
        select(reason)
        .where(reason != "", col(ReconciliationRollup.reconciliations) > 0)
        .distinct()
        .order_by(reason)
        .limit(limit)
    )
    return list(session.exec(statement))
