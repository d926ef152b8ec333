"""Finding subscriptions: by name or their billing account's name, a few filters, keyset pages.

Both names have a trigram index (migration 0007), so a term is looked up like a license search: row
by row over a window of the first rows, else through the indexes (see paging.fetch_keyset_page).
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from admin_app.db.accounts.search import ACCOUNT_NAME
from admin_app.db.lists.paging import Match
from admin_app.db.lists.spec import ChoiceFilter, Condition, ListSpec, equal_to
from admin_app.db.lists.text_search import SearchSpec, search_match
from admin_app.db.models import BillingAccount, Subscription, stored_id

PLANS = {"starter": "Starter", "premium": "Premium", "ultimate": "Ultimate"}
CHANNELS = {"direct": "Direct", "reseller": "Reseller", "marketplace": "Marketplace"}
STATUSES = {"active": "Active", "cancelled": "Cancelled", "expired": "Expired"}
DEPLOYMENTS = {"saas": "SaaS", "self-managed": "Self-managed"}


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


def _term_match(session: Session, term: str, filters: list[Condition]) -> Match:
    """A term is looked for in the subscription's name and in its account's."""
    dialect = session.get_bind().dialect.name
    name_row, name_index = search_match(SUBSCRIPTION_NAME, term, dialect)
    account_row, account_index = search_match(ACCOUNT_NAME, term, dialect)
    # Both specs take their index keys from the same term: both have one, or neither.
    index_match = (
        _through_indexes(name_index, account_index)
        if name_index is not None and account_index is not None
        else None
    )
    return Match(filters=filters, row_match=_row_by_row(name_row, account_row), index_match=index_match)


SUBSCRIPTION_LIST = ListSpec(
    entity=Subscription,
    id_column=col(Subscription.id),
    search=SUBSCRIPTION_NAME,
    filters=(
        ChoiceFilter("plan", "Plan", "plan", equal_to(lambda: col(Subscription.plan), PLANS)),
        ChoiceFilter(
            "deployment",
            "Deployment",
            "deployment",
            equal_to(lambda: col(Subscription.deployment), DEPLOYMENTS),
        ),
        ChoiceFilter("channel", "Channel", "channel", equal_to(lambda: col(Subscription.channel), CHANNELS)),
        ChoiceFilter("status", "Status", "status", equal_to(lambda: col(Subscription.status), STATUSES)),
    ),
    sort_columns={
        "name": (Subscription.name, str),
        "term_end": (Subscription.term_end, date),
        "seats": (Subscription.seats, int),
    },
    default_sort="name",
    ascending_first=("name",),
    term_match=_term_match,
)


def account_names(session: Session, subscriptions: list[Subscription]) -> dict[int, str]:
    """Billing account id -> name, for the accounts of a page of subscriptions."""
    ids = {s.billing_account_id for s in subscriptions}
    if not ids:
        return {}
    rows = session.exec(select(BillingAccount.id, BillingAccount.name).where(col(BillingAccount.id).in_(ids)))
    return {stored_id(account_id): name for account_id, name in rows}
