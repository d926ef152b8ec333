"""Finding subscriptions: by name or their billing account's name, a few filters, keyset pages.

About one subscription per billing account: a hundred-odd thousand rows, few enough to read through
with an escaped LIKE, as the billing-account list does.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from admin_app.db.listing import count_of, page_of
from admin_app.db.models import BillingAccount, Subscription
from admin_app.db.paging import COUNT_CAP, Match, Page, ResultCount
from admin_app.db.query_params import Parsed, read_choice, read_sort
from admin_app.db.query_params import with_sort as with_query_sort
from admin_app.db.text_search import like_pattern, normalize_term

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
    return with_query_sort(query, sort, SORT_COLUMNS, ascending_first=("name",))


def _match(query: SubscriptionQuery) -> Match:
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
    if query.q:
        pattern = like_pattern(query.q.lower())
        by_account = select(BillingAccount.id).where(
            sa.func.lower(col(BillingAccount.name)).like(pattern, escape="\\")
        )
        filters.append(
            sa.or_(
                sa.func.lower(col(s.name)).like(pattern, escape="\\"),
                col(s.billing_account_id).in_(by_account),
            )
        )
    return Match(filters=filters)


def search_subscriptions(
    *,
    session: Session,
    query: SubscriptionQuery,
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
) -> Page:
    return page_of(
        session,
        entity=Subscription,
        query=query,
        sort_columns=SORT_COLUMNS,
        match=lambda: _match(query),
        after=after,
        before=before,
        limit=limit,
    )


def count_subscriptions(*, session: Session, query: SubscriptionQuery, cap: int = COUNT_CAP) -> ResultCount:
    return count_of(
        session, id_column=col(Subscription.id), term=query.q, match=lambda: _match(query), cap=cap
    )


def account_names(session: Session, subscriptions: list[Subscription]) -> dict[int, str]:
    """Billing account id -> name, for the accounts of a page of subscriptions."""
    ids = {s.billing_account_id for s in subscriptions}
    if not ids:
        return {}
    rows = session.exec(select(BillingAccount.id, BillingAccount.name).where(col(BillingAccount.id).in_(ids)))
    return dict(rows.all())
