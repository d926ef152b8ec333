"""Shape data-layer rows into the small string dicts a page renders."""

from datetime import date, datetime
from decimal import Decimal

from admin_app.db.audit import ITEM_LABELS
from admin_app.db.auth_event_list import KIND_LABELS
from admin_app.db.auth_events import event_detail
from admin_app.db.licenses import STATUSES, license_status
from admin_app.db.models import (
    AuthEvent,
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    Customer,
    License,
    Reconciliation,
    Subscription,
    Version,
)
from admin_app.links import external_url


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
        "zuora_url": external_url("ZUORA_SUBSCRIPTION_URL", subscription.name),
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
        "zuora_url": external_url("ZUORA_ACCOUNT_URL", account.zuora_account_id),
        "salesforce_url": external_url("SALESFORCE_ACCOUNT_URL", account.salesforce_account_id),
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


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def customer_view(customer: Customer) -> dict[str, str]:
    """One customer as the list and the detail show it."""
    return {
        "id": str(customer.id),
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "name": f"{customer.first_name} {customer.last_name}",
        "email": customer.email,
        "company": customer.company,
        "country": customer.country,
        "uid": str(customer.uid) if customer.uid is not None else "",
        "gitlab_url": external_url("GITLAB_USER_URL", customer.uid),
        "login": "Active" if customer.login_activated else "Not activated",
        "login_activated": "yes" if customer.login_activated else "",
        "confirmed": _when(customer.confirmed_at),
        "created": _when(customer.created_at),
        "updated": _when(customer.updated_at),
        "lock_version": str(customer.lock_version),
    }


def contact_view(contact: BillingAccountContact, role: str) -> dict[str, str]:
    """A billing-account contact with the role it plays (rule 8)."""
    address = ", ".join(
        part
        for part in (
            contact.address_line1,
            contact.address_line2,
            contact.city,
            contact.state,
            contact.postal_code,
        )
        if part
    )
    return {
        "id": str(contact.id),
        "name": f"{contact.first_name} {contact.last_name}",
        "email": contact.email,
        "role": role or "Contact",
        "address": f"{address} ({contact.country})" if address else contact.country,
        "lock_version": str(contact.lock_version),
    }


def _value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def member_view(membership: BillingAccountMembership, customer: Customer) -> dict[str, str]:
    """A member of a billing account: the customer, and since when."""
    return {
        "id": str(customer.id),
        "name": f"{customer.first_name} {customer.last_name}",
        "email": customer.email,
        "since": membership.created_at.strftime("%Y-%m-%d"),
    }


def version_view(version: Version) -> list[dict[str, str]]:
    """A history row as one line per changed field: before → after (the first line carries who/when/why)."""
    changes = version.changes or {}
    lines = []
    for index, (name, pair) in enumerate(changes.items() or [("", [None, None])]):
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        lines.append(
            {
                "id": str(version.id),
                "when": _when(version.created_at) if index == 0 else "",
                "actor": version.actor if index == 0 else "",
                "event": version.event if index == 0 else "",
                "item": f"{ITEM_LABELS.get(version.item_type, version.item_type)} #{version.item_id}"
                if index == 0
                else "",
                "item_type": version.item_type,
                "item_id": str(version.item_id),
                "field": name.replace("_", " "),
                "before": _value(before) if name else "",
                "after": _value(after) if name else "",
                "reason": (version.reason or "") if index == 0 else "",
                "request_id": (version.request_id or "") if index == 0 else "",
            }
        )
    return lines


TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"


def auth_event_view(event: AuthEvent) -> dict[str, str]:
    """One sign-in audit entry as its list shows it."""
    return {
        "id": str(event.id),
        "at": event.at.strftime(TIME_FORMAT),
        "kind": KIND_LABELS.get(event.kind, event.kind),
        "email": event.email or "—",
        "client_address": event.client_address or "—",
        "detail": event_detail(event),
    }
