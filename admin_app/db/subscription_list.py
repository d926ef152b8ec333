"""Finding subscriptions: by name or their billing account's name, a few filters, keyset pages.

Both names have a trigram index (migration 0007), so a term is looked up like a license search: row
by row over a window of the first rows, else through the indexes (see paging.fetch_keyset_page).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from admin_app.db.billing_accounts import ACCOUNT_NAME
from admin_app.db.listing import ListSource
from admin_app.db.models import BillingAccount, Subscription, stored_id
from admin_app.db.paging import Match
from admin_app.db.query_params import Parsed, read_choice, read_sort
from admin_app.db.query_params import with_sort as with_query_sort
from admin_app.db.text_search import SearchSpec, normalize_term, search_match

PLANS = ("starter", "premium", "ultimate")
CHANNELS = ("direct", "reseller", "marketplace")
STATUSES = ("active", "cancelled", "expired")
DEPLOYMENTS = {"saas": "SaaS", "self-managed": "Self-managed"}
SORT_COLUMNS = {
    "name": (Subscription.name, str),
    "term_end": (Subscription.term_end, date),
    "seats": (Subscription.seats, int),
}


@dataclass(frozen=True)
class SubscriptionQuery:
    q: str = ""
    plan: str | None = None
    channel: str | None = None
    status: str | None = None
    deployment: str | None = None
    sort: str = "name"
    descending: bool = False

    def to_params(self) -> dict[str, str]:
        params = {
            "q": self.q,
            "plan": self.plan or "",
            "channel": self.channel or "",
            "status": self.status or "",
            "deployment": self.deployment or "",
        }
        sort = ("-" if self.descending else "") + self.sort
        if sort != "name":
            params["sort"] = sort
        return {key: value for key, value in params.items() if value}


def parse_subscription_query(params: Mapping[str, object]) -> Parsed[SubscriptionQuery]:
    """Read a SubscriptionQuery from URL parameters; bad values are dropped with a message."""
    errors: list[str] = []
    sort, descending = read_sort(params, SORT_COLUMNS, "name", errors)
    query = SubscriptionQuery(
        q=normalize_term(params.get("q")),
        plan=read_choice(params, "plan", PLANS, "plan", errors),
        channel=read_choice(params, "channel", CHANNELS, "channel", errors),
        status=read_choice(params, "status", STATUSES, "status", errors),
        deployment=read_choice(params, "deployment", DEPLOYMENTS, "deployment", errors),
        sort=sort,
        descending=descending,
    )
    return Parsed(query=query, errors=errors)


def with_sort(query: SubscriptionQuery, sort: str) -> SubscriptionQuery:
    sorted_query: SubscriptionQuery = with_query_sort(query, sort, SORT_COLUMNS, ascending_first=("name",))
    return sorted_query


SUBSCRIPTION_NAME = SearchSpec(
    id_column=col(Subscription.id),
    columns=(col(Subscription.name),),
    fts_table="subscription_fts",
    pg_search_column="subscription.search_text",
)


def _row_by_row(name: ColumnElement[bool], account: ColumnElement[bool]) -> ColumnElement[bool]:
    """Each row's own name, or its account's looked up by key: cheap over a window of rows. A scalar
    subquery, not EXISTS, so PostgreSQL looks up each row's account instead of hashing every account
    whose name matches (a read of all of them, 30 ms)."""
    own_account = col(BillingAccount.id) == col(Subscription.billing_account_id)
    return sa.or_(name, select(sa.func.count()).where(own_account, account).scalar_subquery() > 0)


def _through_indexes(name: ColumnElement[bool], account: ColumnElement[bool]) -> ColumnElement[bool]:
    """The names' trigram indexes answer: the subscriptions found by name, and those of the accounts
    found by name. A union, not an OR: PostgreSQL read every subscription to test an OR (31 ms)."""
    accounts = select(BillingAccount.id).where(account)
    by_name = select(Subscription.id).where(name).correlate(None)
    by_account = (
        select(Subscription.id).where(col(Subscription.billing_account_id).in_(accounts)).correlate(None)
    )
    found = sa.union(by_name, by_account).subquery()
    return col(Subscription.id).in_(select(found.c.id))


def _match(session: Session, query: SubscriptionQuery) -> Match:
    s = Subscription
    filters = [
        col(getattr(s, name)) == value
        for name, value in (
            ("plan", query.plan),
            ("channel", query.channel),
            ("status", query.status),
            ("deployment", query.deployment),
        )
        if value
    ]
    if not query.q:
        return Match(filters=filters)
    dialect = session.get_bind().dialect.name
    name_row, name_index = search_match(SUBSCRIPTION_NAME, query.q, dialect)
    account_row, account_index = search_match(ACCOUNT_NAME, query.q, dialect)
    # Both specs take their index keys from the same term: both have one, or neither.
    index_match = (
        _through_indexes(name_index, account_index)
        if name_index is not None and account_index is not None
        else None
    )
    return Match(filters=filters, row_match=_row_by_row(name_row, account_row), index_match=index_match)


SUBSCRIPTIONS = ListSource(
    entity=Subscription,
    id_column=col(Subscription.id),
    sort_columns=SORT_COLUMNS,
    match=_match,
)
search_subscriptions = SUBSCRIPTIONS.search
count_subscriptions = SUBSCRIPTIONS.count


def account_names(session: Session, subscriptions: list[Subscription]) -> dict[int, str]:
    """Billing account id -> name, for the accounts of a page of subscriptions."""
    ids = {s.billing_account_id for s in subscriptions}
    if not ids:
        return {}
    rows = session.exec(select(BillingAccount.id, BillingAccount.name).where(col(BillingAccount.id).in_(ids)))
    return {stored_id(account_id): name for account_id, name in rows}
