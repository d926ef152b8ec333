"""What a page shows of a record: typed views built from data-layer rows, text formatted here once.

Pages read their fields by name (`row["company"]`); Reflex checks each name against the view's
fields when it compiles the page, so a misspelt one fails at start-up, not in the browser."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from admin_app.db.history.audit import ITEM_LABELS
from admin_app.db.licenses.search import STATUSES, license_status
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
from admin_app.db.staff.auth_events import event_detail
from admin_app.db.staff.search import KIND_LABELS
from admin_app.links import external_url


@dataclass
class LicenseView:
    """One license as the tables and the detail page show it."""

    id: str = ""
    company: str = ""
    licensee_name: str = ""
    email: str = ""
    issued: str = ""
    issued_date: str = ""
    starts: str = ""
    expires: str = ""
    trial: str = ""
    plan: str = ""
    user_count: str = ""
    subscription_name: str = ""
    license_type: str = ""
    status: str = ""
    status_label: str = ""
    # The company's active license (rule 11).
    active: bool = False


def license_view(license: License, active_ids: Mapping[str, int], today: date) -> LicenseView:
    status = license_status(license, today)
    return LicenseView(
        id=str(license.id),
        company=license.company,
        licensee_name=license.licensee_name,
        email=license.email,
        issued=license.issued_at.strftime("%Y-%m-%d %H:%M UTC"),
        issued_date=license.issued_at.date().isoformat(),
        starts=license.starts_at.isoformat(),
        expires=license.expires_at.isoformat(),
        trial="Trial" if license.trial else "Paid",
        plan=license.plan.capitalize(),
        user_count=f"{license.user_count:,}",
        subscription_name=license.subscription_name or "",
        license_type=license.license_type.capitalize(),
        status=status,
        status_label=STATUSES[status],
        active=active_ids.get(license.company) == license.id,
    )


@dataclass
class SubscriptionView:
    """A subscription's fields as the subscription page shows them."""

    name: str = ""
    zuora_url: str = ""
    plan: str = ""
    deployment: str = ""
    seats: str = ""
    term: str = ""
    auto_renew: str = ""
    status: str = ""
    channel: str = ""
    read_only: bool = False


def subscription_view(subscription: Subscription, read_only: bool) -> SubscriptionView:
    return SubscriptionView(
        name=subscription.name,
        zuora_url=external_url("ZUORA_SUBSCRIPTION_URL", subscription.name),
        plan=subscription.plan.capitalize(),
        deployment="SaaS" if subscription.deployment == "saas" else "Self-managed",
        seats=f"{subscription.seats:,}",
        term=f"{subscription.term_start.isoformat()} → {subscription.term_end.isoformat()}",
        auto_renew="Yes" if subscription.auto_renew else "No",
        status=subscription.status.capitalize(),
        channel=subscription.channel.capitalize(),
        read_only=read_only,
    )


@dataclass
class SubscriptionRow:
    """A subscription as a billing account's table lists it."""

    name: str = ""
    plan: str = ""
    seats: str = ""
    status: str = ""
    channel: str = ""


def subscription_row(subscription: Subscription) -> SubscriptionRow:
    return SubscriptionRow(
        name=subscription.name,
        plan=subscription.plan.capitalize(),
        seats=f"{subscription.seats:,}",
        status=subscription.status,
        channel=subscription.channel,
    )


@dataclass
class AccountView:
    """A billing account's summary, shown on its page and beside its customers and subscriptions."""

    id: str = ""
    name: str = ""
    zuora_account_id: str = ""
    salesforce_account_id: str = ""
    reseller: str = ""
    zuora_url: str = ""
    salesforce_url: str = ""


def billing_account_view(account: BillingAccount | None) -> AccountView:
    """The account's summary; an empty one (no id) when there is no account."""
    if account is None:
        return AccountView()
    return AccountView(
        id=str(account.id),
        name=account.name,
        zuora_account_id=account.zuora_account_id,
        salesforce_account_id=account.salesforce_account_id,
        reseller=account.reseller or "",
        zuora_url=external_url("ZUORA_ACCOUNT_URL", account.zuora_account_id),
        salesforce_url=external_url("SALESFORCE_ACCOUNT_URL", account.salesforce_account_id),
    )


ERROR_PREVIEW = 80


def money(amount: Decimal | None, currency: str) -> str:
    """12,345.67 EUR, or an empty string when nothing was invoiced."""
    return f"{amount:,.2f} {currency}" if amount is not None else ""


@dataclass
class ReconciliationView:
    """One reconciliation as the tables and the detail page show it."""

    id: str = ""
    billing_account_id: str = ""
    customer_name: str = ""
    subscription_name: str = ""
    status: str = ""
    status_label: str = ""
    reconciliation_date: str = ""
    done_at: str = ""
    skip_reason: str = ""
    user_count: str = ""
    invoiced: str = ""
    currency: str = ""
    error_message: str = ""
    error_preview: str = ""


def reconciliation_view(r: Reconciliation) -> ReconciliationView:
    error = r.error_message or ""
    return ReconciliationView(
        id=str(r.id),
        billing_account_id=str(r.billing_account_id),
        customer_name=r.customer_name,
        subscription_name=r.subscription_name,
        status=r.status,
        status_label=r.status.capitalize(),
        reconciliation_date=r.reconciliation_date.isoformat(),
        done_at=r.done_at.strftime("%Y-%m-%d %H:%M UTC") if r.done_at else "",
        skip_reason=r.skip_reason or "",
        user_count=f"{r.user_count:,}",
        invoiced=money(r.invoiced_amount, r.currency),
        currency=r.currency,
        error_message=error,
        error_preview=error if len(error) <= ERROR_PREVIEW else error[: ERROR_PREVIEW - 1] + "…",
    )


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


@dataclass
class CustomerView:
    """One customer as the list and the detail page show them."""

    id: str = ""
    first_name: str = ""
    last_name: str = ""
    name: str = ""
    email: str = ""
    company: str = ""
    country: str = ""
    uid: str = ""
    gitlab_url: str = ""
    login_activated: bool = False
    # When the email was confirmed; empty when it is not.
    confirmed: str = ""
    created: str = ""
    updated: str = ""
    lock_version: int = 0


def customer_view(customer: Customer) -> CustomerView:
    return CustomerView(
        id=str(customer.id),
        first_name=customer.first_name,
        last_name=customer.last_name,
        name=f"{customer.first_name} {customer.last_name}",
        email=customer.email,
        company=customer.company,
        country=customer.country,
        uid=str(customer.uid) if customer.uid is not None else "",
        gitlab_url=external_url("GITLAB_USER_URL", customer.uid),
        login_activated=customer.login_activated,
        confirmed=_when(customer.confirmed_at),
        created=_when(customer.created_at),
        updated=_when(customer.updated_at),
        lock_version=customer.lock_version,
    )


@dataclass
class ContactView:
    """A billing-account contact with the role it plays (rule 8), and its fields as stored, which the
    edit form starts from."""

    id: str = ""
    name: str = ""
    email: str = ""
    role: str = ""
    address: str = ""
    lock_version: int = 0
    first_name: str = ""
    last_name: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


def contact_view(contact: BillingAccountContact, role: str) -> ContactView:
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
    return ContactView(
        id=str(contact.id),
        name=f"{contact.first_name} {contact.last_name}",
        email=contact.email,
        role=role or "Contact",
        address=f"{address} ({contact.country})" if address else contact.country,
        lock_version=contact.lock_version,
        first_name=contact.first_name,
        last_name=contact.last_name,
        address_line1=contact.address_line1,
        address_line2=contact.address_line2,
        city=contact.city,
        state=contact.state,
        postal_code=contact.postal_code,
        country=contact.country,
    )


def _value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@dataclass
class MemberView:
    """A member of a billing account: the customer, and since when."""

    id: str = ""
    name: str = ""
    email: str = ""
    since: str = ""


def member_view(membership: BillingAccountMembership, customer: Customer) -> MemberView:
    return MemberView(
        id=str(customer.id),
        name=f"{customer.first_name} {customer.last_name}",
        email=customer.email,
        since=membership.created_at.strftime("%Y-%m-%d"),
    )


@dataclass
class HistoryLine:
    """One changed field of a history row: before → after. The row's first line carries who, when,
    why and the record; on the History page also the link to the record and how one staff action's
    rows fold (see state.history.history_rows)."""

    id: str = ""
    when: str = ""
    actor: str = ""
    event: str = ""
    item: str = ""
    item_type: str = ""
    item_id: str = ""
    field: str = ""
    before: str = ""
    after: str = ""
    reason: str = ""
    request_id: str = ""
    href: str = ""
    # How many more rows the staff action this row leads has (0: none, or not its lead).
    more: int = 0
    # The request id of the action this row is folded under; empty on a lead row.
    folded: str = ""


def version_view(version: Version, record: str = "") -> list[HistoryLine]:
    """The lines of a history row; `record` names its record (else its kind and id)."""
    changes = version.changes or {}
    lines = []
    for index, (name, pair) in enumerate(changes.items() or [("", [None, None])]):
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        first = index == 0
        lines.append(
            HistoryLine(
                id=str(version.id),
                when=_when(version.created_at) if first else "",
                actor=version.actor if first else "",
                event=version.event if first else "",
                item=(record or f"{ITEM_LABELS.get(version.item_type, version.item_type)} #{version.item_id}")
                if first
                else "",
                item_type=version.item_type,
                item_id=str(version.item_id),
                field=name.replace("_", " "),
                before=_value(before) if name else "",
                after=_value(after) if name else "",
                reason=(version.reason or "") if first else "",
                request_id=(version.request_id or "") if first else "",
            )
        )
    return lines


TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"


@dataclass
class AuthEventView:
    """One sign-in audit entry as its list shows it."""

    id: str = ""
    at: str = ""
    kind: str = ""
    email: str = ""
    client_address: str = ""
    detail: str = ""


def auth_event_view(event: AuthEvent) -> AuthEventView:
    return AuthEventView(
        id=str(event.id),
        at=event.at.strftime(TIME_FORMAT),
        kind=KIND_LABELS.get(event.kind, event.kind),
        email=event.email or "—",
        client_address=event.client_address or "—",
        detail=event_detail(event),
    )
