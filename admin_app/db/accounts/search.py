"""Billing accounts: finding one (name, zuora id, a Sold To / Bill To email) and everything its page shows."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from admin_app.db.accounts.contact_choice import sold_to_not_member
from admin_app.db.customers.edit import contact_role
from admin_app.db.customers.login_status import disabled_on_purpose_of, login_off_kind
from admin_app.db.history.audit import history_about
from admin_app.db.licenses.search import active_license_ids, licenses_of_subscription
from admin_app.db.lists.paging import Match
from admin_app.db.lists.spec import Condition, ListSpec
from admin_app.db.lists.text_search import SearchSpec, search_match
from admin_app.db.models import (
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    Customer,
    License,
    Reconciliation,
    Subscription,
    Version,
    id_of,
)
from admin_app.db.reconciliations.search import reconciliations_of_account

ACCOUNT_NAME = SearchSpec(
    id_column=col(BillingAccount.id),
    columns=(col(BillingAccount.name),),
    fts_table="billing_account_fts",
    pg_search_column="billing_account.search_text",
)
ZUORA_ID = SearchSpec(
    id_column=col(BillingAccount.id),
    columns=(col(BillingAccount.zuora_account_id),),
    fts_table="billing_account_zuora_account_id_fts",
    pg_search_column="lower(billing_account.zuora_account_id)",
)
CONTACT_EMAIL = SearchSpec(
    id_column=col(BillingAccountContact.id),
    columns=(col(BillingAccountContact.email),),
    fts_table="billing_account_contact_email_fts",
    pg_search_column="lower(billing_account_contact.email)",
)


def _term_match(session: Session, term: str, filters: list[Condition]) -> Match:
    """Name or Zuora id containing the term, or a contact of the account whose email contains it.

    Each has a trigram index (migrations 0007 and 0008): row by row over a window of accounts the
    contacts are looked up by account; through the indexes, the three sets of ids are united.
    """
    dialect = session.get_bind().dialect.name
    name_row, name_index = search_match(ACCOUNT_NAME, term, dialect)
    zuora_row, zuora_index = search_match(ZUORA_ID, term, dialect)
    email_row, email_index = search_match(CONTACT_EMAIL, term, dialect)
    a, c = BillingAccount, BillingAccountContact
    # A scalar count, not EXISTS: PostgreSQL then looks up each account's contacts by key.
    has_contact = select(sa.func.count()).where(col(c.billing_account_id) == col(a.id), email_row)
    row_match = sa.or_(name_row, zuora_row, has_contact.scalar_subquery() > 0)
    if name_index is None or zuora_index is None or email_index is None:
        return Match(filters=filters, row_match=row_match)
    found = sa.union(
        select(a.id).where(name_index).correlate(None),
        select(a.id).where(zuora_index).correlate(None),
        select(c.billing_account_id).where(email_index).correlate(None),
    ).subquery()
    return Match(filters=filters, row_match=row_match, index_match=col(a.id).in_(select(found.c[0])))


ACCOUNT_LIST = ListSpec(
    entity=BillingAccount,
    id_column=col(BillingAccount.id),
    search=ACCOUNT_NAME,
    filters=(),
    sort_columns={"name": (BillingAccount.name, str)},
    default_sort="name",
    ascending_first=("name",),
    term_match=_term_match,
)


def sold_to_and_bill_to(session: Session, accounts: list[BillingAccount]) -> dict[int, BillingAccountContact]:
    """Contact id -> contact, for the Sold To and Bill To of each account."""
    ids = {i for a in accounts for i in (a.sold_to_contact_id, a.bill_to_contact_id) if i is not None}
    return {
        id_of(c): c
        for c in session.exec(select(BillingAccountContact).where(col(BillingAccountContact.id).in_(ids)))
    }


@dataclass(frozen=True)
class Member:
    """A member of an account and, when they cannot sign in to the portal, why (rule 6: the login
    status kinds, as the glossary words them)."""

    membership: BillingAccountMembership
    customer: Customer
    login_off: str = ""

    @property
    def can_sign_in(self) -> bool:
        return self.customer.login_activated


def with_logins(session: Session, members: list[tuple[BillingAccountMembership, Customer]]) -> list[Member]:
    """Each member, and why each who cannot sign in cannot: one query for them all (none when every
    member can sign in)."""
    off = [customer for _, customer in members if not customer.login_activated]
    reasons = disabled_on_purpose_of(session, off) if off else []
    why_off = {id_of(customer): login_off_kind(why) for customer, why in zip(off, reasons, strict=True)}
    return [
        Member(membership, customer, why_off.get(id_of(customer), "")) for membership, customer in members
    ]


@dataclass(frozen=True)
class AccountDetail:
    account: BillingAccount
    contacts: list[tuple[BillingAccountContact, str]]
    members: list[Member]
    subscriptions: list[Subscription]
    licenses: list[License]
    reconciliations: list[Reconciliation]
    history: list[Version]
    # Rule 11: company -> id of its active license, for the licenses listed.
    active_license_ids: dict[str, int]
    # When no member has the Sold To's email: nobody can manage the account in the portal.
    sold_to_warning: str = ""


@dataclass(frozen=True)
class AccountPeople:
    """An account with its contacts (and the role each plays, rule 8) and its members."""

    account: BillingAccount
    contacts: list[tuple[BillingAccountContact, str]]
    members: list[tuple[BillingAccountMembership, Customer]]


def account_people(session: Session, *, billing_account_id: int) -> AccountPeople | None:
    """The account, its contacts with their roles and its members: what a page about who runs the
    account needs (the ownership change), without its subscriptions, licenses and history."""
    account = session.get(BillingAccount, billing_account_id)
    if account is None:
        return None
    contacts = session.exec(
        select(BillingAccountContact)
        .where(col(BillingAccountContact.billing_account_id) == account.id)
        .order_by(col(BillingAccountContact.id))
    ).all()
    members = session.exec(
        select(BillingAccountMembership, Customer)
        .join(Customer, col(Customer.id) == col(BillingAccountMembership.customer_id))
        .where(col(BillingAccountMembership.billing_account_id) == account.id)
        .order_by(col(BillingAccountMembership.id))
    ).all()
    return AccountPeople(
        account=account,
        contacts=[(contact, contact_role(account, id_of(contact))) for contact in contacts],
        members=list(members),
    )


def account_detail(session: Session, *, billing_account_id: int) -> AccountDetail | None:
    """The account, its contacts with their roles (rule 8), members (and whether each can sign in),
    subscriptions, licenses, reconciliations, and the history of the account, its contacts and its
    memberships."""
    people = account_people(session, billing_account_id=billing_account_id)
    if people is None:
        return None
    account = people.account
    subscriptions = session.exec(
        select(Subscription)
        .where(col(Subscription.billing_account_id) == account.id)
        .order_by(col(Subscription.name))
    ).all()
    licenses = [
        lic
        for s in subscriptions
        for lic in licenses_of_subscription(session=session, subscription_name=s.name, limit=20)
    ]
    sold_to = next((c for c, _ in people.contacts if c.id == account.sold_to_contact_id), None)
    return AccountDetail(
        account=account,
        contacts=people.contacts,
        members=with_logins(session, people.members),
        subscriptions=list(subscriptions),
        licenses=licenses,
        reconciliations=reconciliations_of_account(
            session=session, billing_account_id=billing_account_id, limit=20
        ),
        history=history_about(session, billing_account_id=account.id),
        active_license_ids=active_license_ids(session=session, companies=[lic.company for lic in licenses]),
        sold_to_warning=sold_to_not_member(account.name, sold_to.email, [c.email for _, c in people.members])
        if sold_to
        else "",
    )
