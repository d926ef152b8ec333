"""Rows for tests, made through the models with sensible defaults."""

from datetime import UTC, date, datetime, timedelta
from itertools import count

from sqlmodel import Session

from admin_app.db.history.audit import Actor
from admin_app.db.models import (
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    Customer,
    License,
    Reconciliation,
    Subscription,
)

_sequence = count(1)


def license_fields(**overrides) -> dict:
    """A paid license valid for three years from its issue date, so tests dated in 2026 see it active.
    Each is issued a minute after the one made before it, so the newest made is the newest issued."""
    n = next(_sequence)
    issued = datetime(2025, 1, 1, 12, tzinfo=UTC) + timedelta(minutes=n)
    fields = {
        "company": f"Company {n}",
        "licensee_name": f"Person {n}",
        "email": f"person{n}@company{n}.test",
        "issued_at": issued,
        "starts_at": issued.date(),
        "expires_at": issued.date() + timedelta(days=3 * 365),
        "trial": False,
        "plan": "premium",
        "user_count": 10,
        "subscription_name": f"A-S{n:08d}",
        "license_type": "cloud",
    }
    fields.update(overrides)
    return fields


def add_reconciliations(session: Session, rows: list[dict]) -> list[Reconciliation]:
    """Insert reconciliations (each a dict of overrides) of one new billing account, and commit."""
    n = next(_sequence)
    account = BillingAccount(
        zuora_account_id=f"{n:032x}", name=f"Account {n}", salesforce_account_id=f"001{n}"
    )
    session.add(account)
    session.flush()
    defaults = {
        "billing_account_id": account.id,
        "customer_name": account.name,
        "subscription_name": f"A-S{n:08d}",
        "status": "done",
        "reconciliation_date": date(2025, 7, 1),
        "user_count": 10,
        "currency": "USD",
    }
    reconciliations = [Reconciliation(**{**defaults, **row}) for row in rows]
    session.add_all(reconciliations)
    session.commit()
    return reconciliations


def add_licenses(session: Session, rows: list[dict]) -> list[License]:
    """Insert licenses (each a dict of overrides) and commit."""
    licenses = [License(**license_fields(**row)) for row in rows]
    session.add_all(licenses)
    session.commit()
    return licenses


def day(text: str) -> date:
    return date.fromisoformat(text)


def staff_session_token(session: Session, email: str, roles: tuple[str, ...]) -> str:
    """Open a live staff session directly in the store (as a sign-in would) and return its token."""
    from admin_app.auth.identity import session_policy
    from admin_app.db.staff.sessions import start_session
    from admin_app.settings import get_settings

    token = start_session(
        session=session,
        subject=email,
        email=email,
        name=email,
        roles=roles,
        id_token=None,
        client_address="",
        now=datetime.now(UTC),
        policy=session_policy(get_settings()),
    )
    session.commit()
    return token


NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
# The staff member most data-layer tests act as.
STAFF = Actor("s@example.com")


def add_customer(session: Session, **overrides) -> Customer:
    """A confirmed, activated customer; commit."""
    n = next(_sequence)
    fields = {
        "first_name": f"First{n}",
        "last_name": f"Last{n}",
        "email": f"customer{n}@example{n}.test",
        "company": f"Company {n}",
        "country": "US",
        "login_activated": True,
        "confirmed_at": datetime(2025, 1, 1, tzinfo=UTC),
        "created_at": datetime(2025, 1, 1, tzinfo=UTC),
        "updated_at": datetime(2025, 1, 1, tzinfo=UTC),
    }
    customer = Customer(**{**fields, **overrides})
    session.add(customer)
    session.commit()
    return customer


def add_account(
    session: Session, *, sold_to: dict, bill_to: dict | None = None, name: str = "ACME Corp"
) -> BillingAccount:
    """A billing account whose Sold To is `sold_to` and Bill To is `bill_to` (the same contact when None)."""
    n = next(_sequence)
    account = BillingAccount(zuora_account_id=f"{n:032x}", name=name, salesforce_account_id=f"001{n}")
    session.add(account)
    session.flush()

    def contact(person: dict) -> BillingAccountContact:
        made = BillingAccountContact(billing_account_id=account.id, country="US", **person)
        session.add(made)
        session.flush()
        return made

    sold = contact(sold_to)
    account.sold_to_contact_id = sold.id
    account.bill_to_contact_id = contact(bill_to).id if bill_to else sold.id
    session.commit()
    return account


def add_membership(session: Session, customer: Customer, account: BillingAccount) -> BillingAccountMembership:
    membership = BillingAccountMembership(
        customer_id=customer.id, billing_account_id=account.id, created_at=NOW, created_by="seed@example.com"
    )
    session.add(membership)
    session.commit()
    return membership


def subscription_row(billing_account_id: int, name: str, **overrides) -> Subscription:
    """A subscription (not yet added): premium, self-managed, direct, active, a 2026 term."""
    fields = {
        "plan": "premium",
        "deployment": "self-managed",
        "seats": 10,
        "term_start": date(2026, 1, 1),
        "term_end": date(2027, 1, 1),
        "auto_renew": True,
        "status": "active",
        "channel": "direct",
    }
    return Subscription(name=name, billing_account_id=billing_account_id, **{**fields, **overrides})
