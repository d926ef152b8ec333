"""Reconciliations (quarterly seat true-ups): filters shared by the table and the charts, search, pages."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from admin_app.db.licenses import PLANS
from admin_app.db.models import Reconciliation, Subscription
from admin_app.db.paging import COUNT_CAP, EMPTY_PAGE, Match, Page, ResultCount, count_matches, search_page
from admin_app.db.query_params import read_amount, read_choice, read_date_range, read_sort
from admin_app.db.text_search import SearchSpec, match_for, normalize_term, term_can_match

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


@dataclass(frozen=True)
class ParsedReconciliationQuery:
    """A query read from the URL, with a message for every value that was ignored."""

    query: ReconciliationQuery
    errors: list[str] = field(default_factory=list)


def _account_id(params: Mapping[str, object], errors: list[str]) -> int | None:
    value = params.get("account")
    if value in (None, ""):
        return None
    text = str(value)
    if text.isdigit() and len(text) < 12:
        return int(text)
    errors.append(f"Billing account {text[:40]!r} is not an id and was ignored.")
    return None


def parse_reconciliation_query(params: Mapping[str, object]) -> ParsedReconciliationQuery:
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
    return ParsedReconciliationQuery(query=query, errors=errors)


def reconciliation_filters(query: ReconciliationQuery) -> list:
    """The WHERE conditions of every filter but the search term (the charts use these too)."""
    r = Reconciliation
    conditions: list = []
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
    subscription_filters = []
    if query.plan:
        subscription_filters.append(col(Subscription.plan) == query.plan)
    if query.channel:
        subscription_filters.append(col(Subscription.channel) == query.channel)
    if subscription_filters:
        names = select(Subscription.name).where(*subscription_filters)
        conditions.append(col(r.subscription_name).in_(names))
    return conditions


def _match(session: Session, query: ReconciliationQuery) -> Match:
    return match_for(session, RECONCILIATION_SEARCH, query.q, reconciliation_filters(query))


def search_reconciliations(
    *,
    session: Session,
    query: ReconciliationQuery,
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
) -> Page:
    """A page of reconciliations matching `query`, after or before a cursor of an earlier page."""
    if query.q and not term_can_match(query.q):
        return EMPTY_PAGE
    sort_column, python_type = SORT_COLUMNS[query.sort]
    return search_page(
        session,
        entity=Reconciliation,
        sort_column=col(sort_column),
        python_type=python_type,
        descending=query.descending,
        match=_match(session, query),
        after=after,
        before=before,
        limit=limit,
    )


def count_reconciliations(
    *, session: Session, query: ReconciliationQuery, cap: int = COUNT_CAP
) -> ResultCount:
    """Count matches, exact up to `cap`."""
    if query.q and not term_can_match(query.q):
        return ResultCount(value=0, exact=True)
    return count_matches(session, id_column=col(Reconciliation.id), match=_match(session, query), cap=cap)
