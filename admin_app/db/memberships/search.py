"""Finding memberships (by customer email or company, or the account's zuora id) and picking what to add."""

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from admin_app.db.customers.search import CUSTOMER_LIST, CUSTOMER_SEARCH
from admin_app.db.lists.paging import Match
from admin_app.db.lists.spec import Condition, ListSpec
from admin_app.db.lists.text_search import search_match
from admin_app.db.models import BillingAccount, BillingAccountMembership, Customer

ZUORA_ID_LENGTH = 32
SUGGESTIONS = 8


def _zuora_prefix(term: str) -> ColumnElement[bool]:
    """Accounts whose zuora id starts with `term` (ids are lower-case hex), through the unique index."""
    prefix = term.lower()
    return (col(BillingAccount.zuora_account_id) >= prefix) & (
        col(BillingAccount.zuora_account_id) < prefix + "\uffff"
    )


def _term_match(session: Session, term: str, filters: list[Condition]) -> Match:
    """The memberships of the customers the term finds, and of the accounts whose zuora id starts
    with it."""
    row_match, index_match = search_match(CUSTOMER_SEARCH, term, session.get_bind().dialect.name)
    customers = select(Customer.id).where(index_match if index_match is not None else row_match)
    accounts = select(BillingAccount.id).where(_zuora_prefix(term))
    condition = sa.or_(
        col(BillingAccountMembership.customer_id).in_(customers),
        col(BillingAccountMembership.billing_account_id).in_(accounts),
    )
    return Match(filters=[*filters, condition])


MEMBERSHIP_LIST = ListSpec(
    entity=BillingAccountMembership,
    id_column=col(BillingAccountMembership.id),
    search=CUSTOMER_SEARCH,
    filters=(),
    # Ids grow as memberships are added, so "added" order is the primary key's.
    sort_columns={"added": (BillingAccountMembership.id, int)},
    default_sort="-added",
    term_match=_term_match,
)


def membership_rows(
    session: Session, memberships: list[BillingAccountMembership]
) -> list[tuple[BillingAccountMembership, Customer, BillingAccount]]:
    """Each membership with its customer and billing account, in the given order."""
    customers = {
        c.id: c
        for c in session.exec(
            select(Customer).where(col(Customer.id).in_([m.customer_id for m in memberships]))
        )
    }
    accounts = {
        a.id: a
        for a in session.exec(
            select(BillingAccount).where(
                col(BillingAccount.id).in_([m.billing_account_id for m in memberships])
            )
        )
    }
    return [(m, customers[m.customer_id], accounts[m.billing_account_id]) for m in memberships]


def suggest_customers(session: Session, term: str) -> list[Customer]:
    """Type-ahead for the Add form: customers whose name, email or company contains `term`."""
    if len(term.strip()) < 2:
        return []
    return CUSTOMER_LIST.rows(session=session, query=CUSTOMER_LIST.query(q=term), limit=SUGGESTIONS).rows


def suggest_accounts(session: Session, term: str) -> list[BillingAccount]:
    """Type-ahead for the Add form: accounts whose zuora id starts with `term`, or whose name does."""
    term = term.strip()
    if len(term) < 2 or len(term) > ZUORA_ID_LENGTH * 2:
        return []
    name_prefix = (col(BillingAccount.name) >= term) & (col(BillingAccount.name) < term + "\uffff")
    statement = select(BillingAccount).where(sa.or_(_zuora_prefix(term), name_prefix)).limit(SUGGESTIONS)
    return list(session.exec(statement))
