"""Billing accounts with an owner, and customers, written straight into the e2e database."""

from datetime import UTC, datetime
from itertools import count

from sqlmodel import Session

from admin_app.db.models import (
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    Customer,
)
from admin_app.db.session import engine_for
from tests.factories import subscription_row

_zuora = count(1)
NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)


def account_with_owner(
    url: str, name: str, owner: str, *, reseller: str | None = None, uid: int | None = None
) -> int:
    """An account whose Sold To (with an address) is the customer `owner`, a member; the Bill To is AP."""
    with Session(engine_for(url)) as session:
        account = BillingAccount(
            zuora_account_id=f"0e2e0a{next(_zuora):026x}",
            name=name,
            salesforce_account_id="001E2E0OWNER",
            reseller=reseller,
        )
        session.add(account)
        session.flush()
        domain = owner.split("@")[1]
        sold_to = BillingAccountContact(
            billing_account_id=account.id,
            first_name="Olga",
            last_name="Owner",
            email=owner,
            address_line1="9 Harbour Rd",
            city="Portsmouth",
            postal_code="PO1",
            country="GB",
        )
        bill_to = BillingAccountContact(
            billing_account_id=account.id,
            first_name="Ap",
            last_name="Team",
            email=f"ap@{domain}",
            country="GB",
        )
        session.add_all([sold_to, bill_to])
        session.flush()
        account.sold_to_contact_id, account.bill_to_contact_id = sold_to.id, bill_to.id
        customer = Customer(
            first_name="Olga",
            last_name="Owner",
            email=owner,
            company=name,
            country="GB",
            uid=uid,
            confirmed_at=None,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(customer)
        session.flush()
        session.add(
            BillingAccountMembership(
                customer_id=customer.id, billing_account_id=account.id, created_at=NOW, created_by="seed"
            )
        )
        channel = "reseller" if reseller else "direct"
        session.add(subscription_row(account.id, f"A-S8{account.id:07d}", seats=25, channel=channel))
        session.commit()
        return account.id


def add_customer(
    url: str, first: str, last: str, email: str, *, member_of: int | None = None, uid: int | None = None
) -> int:
    """A customer (linked to the GitLab.com account `uid` when given), and their membership of the
    account `member_of` when given."""
    with Session(engine_for(url)) as session:
        customer = Customer(
            first_name=first,
            last_name=last,
            email=email,
            company="",
            country="GB",
            uid=uid,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(customer)
        session.flush()
        if member_of is not None:
            session.add(
                BillingAccountMembership(
                    customer_id=customer.id, billing_account_id=member_of, created_at=NOW, created_by="seed"
                )
            )
        session.commit()
        return customer.id
