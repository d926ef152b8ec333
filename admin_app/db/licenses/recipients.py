"""Who a license was sent to, and the licenses sent to one address: records that lead to each other.

"The same address" is `same_email`, as for customers (rule 4): found through lower(email) and the
license search index, then decided by the rule.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from admin_app.db.customers.edit import customer_by_email
from admin_app.db.licenses.search import LICENSE_SEARCH
from admin_app.db.lists.text_search import search_match, term_can_match
from admin_app.db.models import (
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    Customer,
    License,
    id_of,
)
from admin_app.db.validation import address_key, same_email

SENT_TO_LIMIT = 50


@dataclass(frozen=True)
class Recipient:
    """The customer a license's email belongs to; `sold_to_of` names the billing account whose Sold
    To they are (their membership's account, its Sold To at the same address), "" when they are not."""

    customer: Customer
    sold_to_of: str


def license_recipient(session: Session, *, email: str) -> Recipient | None:
    """The customer with the license's address, or None when no customer has it."""
    customer = customer_by_email(session, email)
    if customer is None:
        return None
    return Recipient(customer, _sold_to_of(session, customer))


def _sold_to_of(session: Session, customer: Customer) -> str:
    row = session.execute(
        sa.select(col(BillingAccount.name), col(BillingAccountContact.email))
        .select_from(BillingAccountMembership)
        .join(BillingAccount, col(BillingAccount.id) == col(BillingAccountMembership.billing_account_id))
        .join(BillingAccountContact, col(BillingAccountContact.id) == col(BillingAccount.sold_to_contact_id))
        .where(col(BillingAccountMembership.customer_id) == id_of(customer))
    ).first()
    if row is None:
        return ""
    name, sold_to_email = row
    return name if same_email(sold_to_email, customer.email) else ""


def licenses_sent_to(session: Session, *, email: str, limit: int = SENT_TO_LIMIT) -> list[License]:
    """The licenses sent to `email`, newest issued first, at most `limit`."""
    key = address_key(email)
    if not key or not term_can_match(key):
        return []
    statement = (
        select(License)
        .where(_address_lookup(session, key), sa.func.lower(col(License.email)) == key)
        .order_by(col(License.issued_at).desc(), col(License.id).desc())
        .limit(limit)
    )
    # lower() may fold more than ASCII letters (PostgreSQL does, by its locale): the rule decides.
    return [license for license in session.exec(statement) if same_email(license.email, email)]


def _address_lookup(session: Session, key: str) -> ColumnElement[bool]:
    """The license search index's rows holding the address (every row when it has no key to look up),
    so a customer's licenses are not read by scanning every license."""
    _, index_match = search_match(LICENSE_SEARCH, key, session.get_bind().dialect.name)
    return index_match if index_match is not None else sa.true()
