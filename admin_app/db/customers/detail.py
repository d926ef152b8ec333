"""Everything the customer page shows about one customer, read in one place."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from admin_app.db.customers.edit import contact_role
from admin_app.db.customers.login_status import DisabledOnPurpose
from admin_app.db.history.audit import disabling_change, history_about, history_of
from admin_app.db.memberships.edit import ExistingMembership, existing_membership
from admin_app.db.models import BillingAccount, BillingAccountContact, Customer, Version, id_of


@dataclass(frozen=True)
class CustomerDetail:
    customer: Customer
    membership: ExistingMembership | None
    account: BillingAccount | None
    contacts: list[tuple[BillingAccountContact, str]]
    disabled: DisabledOnPurpose | None
    history: list[Version]


def customer_detail(session: Session, *, customer_id: int) -> CustomerDetail | None:
    """The customer, their membership, its account's contacts (with roles), login status, and the
    history of the customer and their memberships."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return None
    membership = existing_membership(session, customer_id=customer_id)
    account = session.get(BillingAccount, membership.billing_account_id) if membership else None
    contacts = []
    if account is not None:
        rows = session.exec(
            select(BillingAccountContact)
            .where(col(BillingAccountContact.billing_account_id) == account.id)
            .order_by(col(BillingAccountContact.id))
        ).all()
        contacts = [(contact, contact_role(account, id_of(contact))) for contact in rows]
    # Rule 6 reads the customer's own rows; the page lists their membership changes too.
    own = history_of(session, item_type="customer", item_id=customer_id)
    switched_off = None if customer.login_activated else disabling_change(own)
    return CustomerDetail(
        customer=customer,
        membership=membership,
        account=account,
        contacts=contacts,
        disabled=DisabledOnPurpose.from_version(switched_off) if switched_off else None,
        history=history_about(session, customer_id=customer_id),
    )
