"""Shape data-layer rows into the small string dicts a page renders."""

from datetime import date

from admin_app.db.licenses import STATUSES, license_status
from admin_app.db.models import BillingAccount, License, Subscription

DATABASE_UNAVAILABLE = "The database is not answering right now. Nothing was changed; try again in a moment."


def license_view(license: License, active_ids: dict[str, int], today: date) -> dict[str, str]:
    """One license as the table and the detail show it."""
    status = license_status(license, today)
    return {
        "id": str(license.id),
        "company": license.company,
        "licensee_name": license.licensee_name,
        "email": license.email,
        "issued": license.issued_at.strftime("%Y-%m-%d %H:%M UTC"),
        "issued_date": license.issued_at.date().isoformat(),
        "starts": license.starts_at.isoformat(),
        "expires": license.expires_at.isoformat(),
        "trial": "Trial" if license.trial else "Paid",
        "plan": license.plan.capitalize(),
        "user_count": f"{license.user_count:,}",
        "subscription_name": license.subscription_name or "",
        "license_type": license.license_type.capitalize(),
        "status": status,
        "status_label": STATUSES[status],
        "active": "yes" if active_ids.get(license.company) == license.id else "",
    }


def subscription_view(subscription: Subscription, read_only: bool) -> dict[str, str]:
    """A subscription's fields as the subscription page shows them."""
    return {
        "name": subscription.name,
        "plan": subscription.plan.capitalize(),
        "deployment": "SaaS" if subscription.deployment == "saas" else "Self-managed",
        "seats": f"{subscription.seats:,}",
        "term": f"{subscription.term_start.isoformat()} → {subscription.term_end.isoformat()}",
        "auto_renew": "Yes" if subscription.auto_renew else "No",
        "status": subscription.status.capitalize(),
        "channel": subscription.channel.capitalize(),
        "read_only": "yes" if read_only else "",
    }


def billing_account_view(account: BillingAccount | None) -> dict[str, str]:
    """The billing account summary shown beside a subscription."""
    if account is None:
        return {}
    return {
        "id": str(account.id),
        "name": account.name,
        "zuora_account_id": account.zuora_account_id,
        "salesforce_account_id": account.salesforce_account_id,
        "reseller": account.reseller or "",
    }
