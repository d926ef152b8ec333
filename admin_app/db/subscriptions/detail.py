"""Subscriptions and the billing accounts they belong to."""

from sqlmodel import Session, col, select

from admin_app.db.models import BillingAccount, Subscription

# Purchases through a partner or a marketplace are changed there, not here.
READ_ONLY_CHANNELS = frozenset({"reseller", "marketplace"})


def get_subscription_by_name(*, session: Session, name: str) -> Subscription | None:
    """One subscription by its name (e.g. A-S00012345)."""
    return session.exec(select(Subscription).where(col(Subscription.name) == name)).first()


def get_billing_account(*, session: Session, billing_account_id: int) -> BillingAccount | None:
    """One billing account by id."""
    return session.get(BillingAccount, billing_account_id)


def is_read_only(subscription: Subscription) -> bool:
    """True for subscriptions bought through a reseller or a marketplace."""
    return subscription.channel in READ_ONLY_CHANNELS
