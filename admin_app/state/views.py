"""Shape data-layer rows into the small string dicts a page renders."""

from datetime import date
from decimal import Decimal

from admin_app.db.licenses import STATUSES, license_status
from admin_app.db.models import BillingAccount, License, Reconciliation, Subscription

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


ERROR_PREVIEW = 80


def money(amount: Decimal | None, currency: str) -> str:
    """12,345.67 EUR, or an empty string when nothing was invoiced."""
    return f"{amount:,.2f} {currency}" if amount is not None else ""


def reconciliation_view(r: Reconciliation) -> dict[str, str]:
    """One reconciliation as the table and the detail show it."""
    error = r.error_message or ""
    return {
        "id": str(r.id),
        "billing_account_id": str(r.billing_account_id),
        "customer_name": r.customer_name,
        "subscription_name": r.subscription_name,
        "status": r.status,
        "status_label": r.status.capitalize(),
        "reconciliation_date": r.reconciliation_date.isoformat(),
        "done_at": r.done_at.strftime("%Y-%m-%d %H:%M UTC") if r.done_at else "",
        "skip_reason": r.skip_reason or "",
        "user_count": f"{r.user_count:,}",
        "invoiced": money(r.invoiced_amount, r.currency),
        "currency": r.currency,
        "error_message": error,
        "error_preview": error if len(error) <= ERROR_PREVIEW else error[: ERROR_PREVIEW - 1] + "…",
    }
