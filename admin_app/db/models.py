"""SQLModel tables of the domain (DESIGN.md), with the constraints the rules need."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, TypedDict

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel


class _Deferrable(TypedDict):
    deferrable: bool
    initially: str


# Foreign keys between billing_account and its contacts point both ways; deferring
# them lets one transaction insert an account and its contacts in any order.
_DEFERRED: _Deferrable = {"deferrable": True, "initially": "DEFERRED"}


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _Row) -> int:
    """The id of a row read from the database or flushed; only a new row before its flush has none."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: it was not flushed")
    return row.id


def stored_id(value: int | None) -> int:
    """A primary key selected from the database, which is never NULL (SQLModel types it optional)."""
    if value is None:
        raise ValueError("a primary key read from the database was NULL")
    return value


def table_of(model: type[SQLModel]) -> sa.Table:
    """A table model's Core table, for statements that bypass the ORM (SQLModel does not type
    `__table__`)."""
    table = sa.inspect(model).local_table
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


class Customer(SQLModel, table=True):
    """A portal user ("contact") that support edits."""

    __table_args__ = (
        sa.Index("ux_customer_email_lower", sa.func.lower(sa.text("email")), unique=True),
        sa.Index("ix_customer_last_name_id", "last_name", "id"),
        sa.Index("ix_customer_company_id", "company", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str = Field(max_length=254)
    company: str = Field(default="", max_length=200)
    country: str = Field(max_length=2)
    uid: int | None = Field(default=None)
    login_activated: bool = Field(default=True)
    confirmed_at: datetime | None = Field(default=None)
    created_at: datetime
    updated_at: datetime
    lock_version: int = Field(default=0)


class BillingAccount(SQLModel, table=True):
    """An account in the billing system; Sold To and Bill To may be the same contact."""

    __tablename__ = "billing_account"
    __table_args__ = (sa.Index("ix_billing_account_name_id", "name", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    zuora_account_id: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    salesforce_account_id: str = Field(max_length=18)
    reseller: str | None = Field(default=None, max_length=200)
    sold_to_contact_id: int | None = Field(
        default=None,
        sa_column=Column(
            sa.Integer,
            sa.ForeignKey("billing_account_contact.id", use_alter=True, **_DEFERRED),
            nullable=True,
        ),
    )
    bill_to_contact_id: int | None = Field(
        default=None,
        sa_column=Column(
            sa.Integer,
            sa.ForeignKey("billing_account_contact.id", use_alter=True, **_DEFERRED),
            nullable=True,
        ),
    )
    lock_version: int = Field(default=0)


class BillingAccountContact(SQLModel, table=True):
    """A Sold To / Bill To person of the billing system."""

    __tablename__ = "billing_account_contact"

    id: int | None = Field(default=None, primary_key=True)
    billing_account_id: int = Field(
        sa_column=Column(
            sa.Integer,
            sa.ForeignKey("billing_account.id", **_DEFERRED),
            nullable=False,
            index=True,
        )
    )
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str = Field(max_length=254, index=True)
    address_line1: str = Field(default="", max_length=200)
    address_line2: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=100)
    state: str = Field(default="", max_length=100)
    postal_code: str = Field(default="", max_length=20)
    country: str = Field(max_length=2)
    lock_version: int = Field(default=0)


class BillingAccountMembership(SQLModel, table=True):
    """Who may manage which billing account: at most one per customer (rule 1)."""

    __tablename__ = "billing_account_membership"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", unique=True)
    billing_account_id: int = Field(foreign_key="billing_account.id", index=True)
    created_at: datetime
    created_by: str = Field(max_length=254)


class Subscription(SQLModel, table=True):
    """A subscription of a billing account."""

    __table_args__ = (
        sa.Index("ix_subscription_term_end_id", "term_end", "id"),
        sa.Index("ix_subscription_seats_id", "seats", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=20, unique=True)
    billing_account_id: int = Field(foreign_key="billing_account.id", index=True)
    plan: str = Field(max_length=20)
    deployment: str = Field(max_length=20)
    seats: int
    term_start: date
    term_end: date
    auto_renew: bool
    status: str = Field(max_length=20)
    channel: str = Field(max_length=20)


class License(SQLModel, table=True):
    """A license file issued to a company (trials are licenses too)."""

    __table_args__ = (
        sa.Index("ix_license_issued_at_id", "issued_at", "id"),
        sa.Index("ix_license_starts_at_id", "starts_at", "id"),
        sa.Index("ix_license_expires_at_id", "expires_at", "id"),
        sa.Index("ix_license_company_id", "company", "id"),
        sa.Index("ix_license_user_count_id", "user_count", "id"),
        sa.Index("ix_license_company_issued", "company", "issued_at"),
        sa.Index("ix_license_plan_issued", "plan", "issued_at", "id"),
        sa.Index("ix_license_type_issued", "license_type", "issued_at", "id"),
        sa.Index("ix_license_subscription_name", "subscription_name"),
        sa.Index("ux_license_activation_code", "activation_code", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    company: str = Field(max_length=200)
    licensee_name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    issued_at: datetime
    starts_at: date
    expires_at: date
    trial: bool
    plan: str = Field(max_length=20)
    user_count: int
    subscription_name: str | None = Field(default=None, max_length=20)
    license_type: str = Field(max_length=20)
    # Cloud licenses only: the code an instance activates with (the page never shows it whole).
    activation_code: str | None = Field(default=None, max_length=32)
    # Whether this was its company's active license (rule 11) on ActiveLicenseMarks.marked_on; an
    # index over the marked licenses finds a word among them (licenses.mark_active_licenses).
    active_mark: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class ActiveLicenseMarks(SQLModel, table=True):
    """The day License.active_mark was worked out for; none after a license changed since.

    Triggers clear it when a license is added or removed or its company or dates change, so a mark
    is read only on the day it was made for and with the licenses it was made from."""

    __tablename__ = "active_license_marks"

    id: int = Field(primary_key=True)
    marked_on: date | None = None


# The top-10 chart sums a date range's invoiced rows from this index alone: every column it filters
# on or adds up, date range first within a currency; rows that invoiced nothing or zero left out.
INVOICED_INDEX_COLUMNS = (
    "currency",
    "reconciliation_date",
    "billing_account_id",
    "invoiced_amount",
    "status",
    "plan",
    "channel",
)


class Reconciliation(SQLModel, table=True):
    """A quarterly seat true-up of a subscription."""

    __table_args__ = (
        sa.Index("ix_reconciliation_date_id", "reconciliation_date", "id"),
        sa.Index("ix_reconciliation_account", "billing_account_id", "reconciliation_date"),
        sa.Index("ix_reconciliation_status_date", "status", "reconciliation_date", "id"),
        sa.Index("ix_reconciliation_customer_id", "customer_name", "id"),
        sa.Index("ix_reconciliation_user_count_id", "user_count", "id"),
        sa.Index("ix_reconciliation_subscription_date_id", "subscription_name", "reconciliation_date", "id"),
        sa.Index(
            "ix_reconciliation_invoiced",
            *INVOICED_INDEX_COLUMNS,
            postgresql_where=sa.text("invoiced_amount <> 0"),
            sqlite_where=sa.text("invoiced_amount <> 0"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    billing_account_id: int = Field(foreign_key="billing_account.id")
    customer_name: str = Field(max_length=200)
    subscription_name: str = Field(max_length=20)
    status: str = Field(max_length=20)
    reconciliation_date: date
    done_at: datetime | None = None
    skip_reason: str | None = Field(default=None, max_length=200)
    user_count: int
    invoiced_amount: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)
    currency: str = Field(max_length=3)
    error_message: str | None = Field(default=None, max_length=2000)
    # The subscription as it was when the reconciliation ran (it changes afterwards: a
    # reconciliation that adds seats raises them), so charts and filters stay historical.
    plan: str | None = Field(default=None, max_length=20)
    channel: str | None = Field(default=None, max_length=20)
    seats_before: int | None = None
    # The inputs the billing system priced the added seats with (admin_app/db/reconciliations/billing.py);
    # none on reconciliations recorded before they were kept.
    seat_price: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)
    billed_months: int | None = None


class ReconciliationRollup(SQLModel, table=True):
    """Reconciliations summed per month and chart dimension, kept by triggers in the same transaction.

    The charts read whole months from here instead of scanning a million rows; see
    admin_app/db/reconciliations/rollup.py for how a row contributes.
    """

    __tablename__ = "reconciliation_rollup"

    month: date = Field(primary_key=True)
    status: str = Field(primary_key=True, max_length=20)
    currency: str = Field(primary_key=True, max_length=3)
    plan: str = Field(primary_key=True, max_length=20)
    channel: str = Field(primary_key=True, max_length=20)
    skip_reason: str = Field(primary_key=True, max_length=200)
    reconciliations: int
    invoiced_count: int
    invoiced_cents: int = Field(sa_type=sa.BigInteger)
    seats_added: int = Field(sa_type=sa.BigInteger)


class ReconciliationRollupVersion(SQLModel, table=True):
    """One number that triggers change with every change to reconciliations, so a worker can tell
    whether chart results it computed earlier still hold (reconciliation_stats.ChartResults)."""

    __tablename__ = "reconciliation_rollup_version"

    id: int = Field(primary_key=True)
    version: int = Field(sa_type=sa.BigInteger)


class ReconciliationAccountTotal(SQLModel, table=True):
    """All-time invoiced per billing account and currency, kept by the same triggers (top-10 chart)."""

    __tablename__ = "reconciliation_account_total"
    __table_args__ = (sa.Index("ix_reconciliation_account_total_rank", "currency", "invoiced_cents"),)

    billing_account_id: int = Field(primary_key=True)
    currency: str = Field(primary_key=True, max_length=3)
    reconciliations: int
    invoiced_cents: int = Field(sa_type=sa.BigInteger)


class Version(SQLModel, table=True):
    """Append-only change history, written in the same transaction as the change."""

    __table_args__ = (
        sa.Index("ix_version_item", "item_type", "item_id", "id"),
        sa.Index("ix_version_created_at_id", "created_at", "id"),
        # The history's filters, each in its time order (migration 0020).
        sa.Index("ix_version_item_type_created_at_id", "item_type", "created_at", "id"),
        sa.Index("ix_version_actor_lower_created_at_id", sa.func.lower(sa.text("actor")), "created_at", "id"),
        sa.Index("ix_version_request_id", "request_id"),
        sa.Index("ix_version_customer_id", "customer_id", "id"),
        sa.Index("ix_version_billing_account_id", "billing_account_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_type: str = Field(max_length=50)
    item_id: int
    event: str = Field(max_length=10)
    actor: str = Field(max_length=254)
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime
    # One id per staff action: the rows one confirmation wrote share it.
    request_id: str | None = Field(default=None, max_length=64)
    # Who exactly: the identity provider's subject and the staff session (hash) behind the change.
    subject: str | None = Field(default=None, max_length=255)
    session_id: str | None = Field(default=None, max_length=64)
    client_address: str | None = Field(default=None, max_length=64)
    # The customer and the billing account the change is about, so each one's page lists it
    # (a membership or a contact change included).
    customer_id: int | None = None
    billing_account_id: int | None = None


class StaffSession(SQLModel, table=True):
    """A server-side session of a staff member signed in through SSO."""

    __tablename__ = "staff_session"

    id: str = Field(primary_key=True, max_length=64)
    subject: str = Field(max_length=255, index=True)
    email: str = Field(max_length=254)
    name: str = Field(max_length=200)
    roles: str = Field(max_length=200)
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    id_token: str | None = Field(default=None, sa_column=Column(sa.Text, nullable=True))
    client_address: str = Field(default="", max_length=64)
    # The provider's session id (ID token `sid`), named by back-channel logout tokens.
    sid: str | None = Field(default=None, max_length=255, index=True)
    # Encrypted with the app's secret: used to re-read the roles from the provider during the session.
    access_token: str | None = Field(default=None, sa_column=Column(sa.Text, nullable=True))
    refresh_token: str | None = Field(default=None, sa_column=Column(sa.Text, nullable=True))
    roles_checked_at: datetime | None = None


class StaffSessionTab(SQLModel, table=True):
    """A browser tab (Reflex client token) that sent events under a staff session: ending the session
    empties these tabs and sends them to sign in, on whichever worker holds their websocket."""

    __tablename__ = "staff_session_tab"

    session_id: str = Field(
        sa_column=Column(
            sa.String(64), sa.ForeignKey("staff_session.id", ondelete="CASCADE"), primary_key=True
        )
    )
    client_token: str = Field(primary_key=True, max_length=64)
    seen_at: datetime


class AuthEvent(SQLModel, table=True):
    """Sign-ins, sign-outs, failed sign-ins and refused events, in UTC."""

    __tablename__ = "auth_event"
    __table_args__ = (
        sa.Index("ix_auth_event_at_id", "at", "id"),
        # The audit page's filters, each in its order (migration 0018).
        sa.Index("ix_auth_event_client_address_at_id", "client_address", "at", "id"),
        sa.Index("ix_auth_event_email_lower_at_id", sa.func.lower(sa.text("email")), "at", "id"),
        sa.Index("ix_auth_event_kind_at_id", "kind", "at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    kind: str = Field(max_length=30)
    email: str = Field(default="", max_length=254)
    subject: str = Field(default="", max_length=255)
    client_address: str = Field(default="", max_length=64)
    detail: str = Field(default="", max_length=500)
    # Identical refusals from one client within a minute are one row, counted.
    count: int = Field(default=1)


class UsedLogoutToken(SQLModel, table=True):
    """Back-channel logout tokens already acted on (`jti`), kept until they could no longer be replayed."""

    __tablename__ = "used_logout_token"

    jti: str = Field(primary_key=True, max_length=255)
    expires_at: datetime


class SavedView(SQLModel, table=True):
    """A list as one staff member left it (search, filters, sort), saved under a name of their own."""

    __tablename__ = "saved_view"
    __table_args__ = (sa.UniqueConstraint("owner_subject", "page", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    # The identity provider's subject: it stays when the person's email changes.
    owner_subject: str = Field(max_length=255, index=True)
    page: str = Field(max_length=40)
    name: str = Field(max_length=60)
    # The name folded for comparison: "Expiring soon" and "expiring SOON" are one name.
    name_key: str = Field(max_length=60)
    query: str = Field(max_length=2000)
    created_at: datetime


class CloudActivation(SQLModel, table=True):
    """An instance that activated a cloud license's code."""

    __tablename__ = "cloud_activation"
    __table_args__ = (sa.UniqueConstraint("license_id", "instance_id"),)

    id: int | None = Field(default=None, primary_key=True)
    license_id: int = Field(foreign_key="license.id", index=True)
    instance_id: str = Field(max_length=64)
    activated_at: datetime


class OutboxMessage(SQLModel, table=True):
    """An email the app sends (a license file, an activation code, a confirmation, a sign-in link), from
    the moment it is asked for to what the mail server made of it."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_item", "item_type", "item_id", "id"),
        sa.Index("ux_outbox_message_id", "message_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    # license_file, activation_code, confirmation, sign_in_link
    kind: str = Field(max_length=30)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    # The record the email is about, as in the history.
    item_type: str = Field(max_length=50)
    item_id: int
    requested_by: str = Field(max_length=254)
    requested_at: datetime
    request_id: str | None = Field(default=None, max_length=36)
    # queued, sending, sent (the server took it), delivered, bounced, failed (gave up retrying)
    status: str = Field(max_length=20)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = None
    # The Message-ID the mail server's delivery reports refer to.
    message_id: str = Field(max_length=200)
    last_answer: str = Field(default="", max_length=500)
    sent_at: datetime | None = None
    finished_at: datetime | None = None


class CustomerToken(SQLModel, table=True):
    """A one-time link sent to a customer (sign-in or confirmation): only the SHA-256 of the token the
    last sending attempt made is kept (none before the first attempt)."""

    __tablename__ = "customer_token"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    # sign_in, confirmation
    purpose: str = Field(max_length=20)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    # The email that carries the link, and the address it went to.
    outbox_message_id: int | None = Field(default=None, foreign_key="outbox_message.id", index=True)
    sent_to: str = Field(max_length=254)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    requested_by: str = Field(max_length=254)


class LicenseInstance(SQLModel, table=True):
    """A self-managed server that reports its usage under a license: the only way to find a
    customer's servers when their names do not resemble the company's domain."""

    __tablename__ = "license_instance"
    __table_args__ = (
        sa.UniqueConstraint("license_id", "instance_id", name="ux_license_instance_license_instance"),
        sa.CheckConstraint("active_users >= 0", name="ck_license_instance_active_users"),
        sa.CheckConstraint("peak_users >= active_users", name="ck_license_instance_peak_users"),
        sa.CheckConstraint("first_ping_at <= last_ping_at", name="ck_license_instance_ping_order"),
        # A license's servers, the one that reported last first.
        sa.Index("ix_license_instance_license_last_ping", "license_id", "last_ping_at", "id"),
        sa.Index("ix_license_instance_hostname_lower", sa.func.lower(sa.text("hostname"))),
    )

    id: int | None = Field(default=None, primary_key=True)
    license_id: int = Field(
        sa_column=Column(sa.Integer, sa.ForeignKey("license.id", ondelete="CASCADE"), nullable=False)
    )
    # What the server calls itself (a UUID it made at installation), unique among its license's servers.
    instance_id: str = Field(max_length=64)
    hostname: str = Field(max_length=253)
    version: str = Field(max_length=50)
    first_ping_at: datetime
    last_ping_at: datetime
    # Users on the day of the newest ping, and the most on any day reported.
    active_users: int
    peak_users: int


class UsagePing(SQLModel, table=True):
    """One day's usage report of a server: at most one a day (a repeat of the day changes nothing)."""

    __tablename__ = "usage_ping"
    __table_args__ = (
        sa.UniqueConstraint("license_instance_id", "day", name="ux_usage_ping_instance_day"),
        sa.CheckConstraint("active_users >= 0", name="ck_usage_ping_active_users"),
    )

    id: int | None = Field(default=None, primary_key=True)
    license_instance_id: int = Field(
        sa_column=Column(sa.Integer, sa.ForeignKey("license_instance.id", ondelete="CASCADE"), nullable=False)
    )
    day: date
    active_users: int
    received_at: datetime


# What a failed reconciliation was closed as (admin_app/db/reconciliations/triage.py).
TRIAGE_OUTCOMES = ("fixed_in_billing", "customer_contacted", "not_our_error", "duplicate")


class FailureTriage(SQLModel, table=True):
    """A failed reconciliation someone took to work off: who has it, and how it was closed.

    One per reconciliation: when two people take the same one at once, the unique key lets one in."""

    __tablename__ = "failure_triage"
    __table_args__ = (
        sa.UniqueConstraint("reconciliation_id", name="ux_failure_triage_reconciliation"),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ({})".format(", ".join(f"'{o}'" for o in TRIAGE_OUTCOMES)),
            name="ck_failure_triage_outcome",
        ),
        sa.CheckConstraint(
            "(closed_at IS NULL AND closed_by IS NULL AND outcome IS NULL AND close_reason IS NULL) OR "
            "(closed_at IS NOT NULL AND closed_by IS NOT NULL AND outcome IS NOT NULL "
            "AND close_reason IS NOT NULL)",
            name="ck_failure_triage_closed",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    reconciliation_id: int = Field(foreign_key="reconciliation.id")
    # Staff emails, as the history names people.
    taken_by: str = Field(max_length=254)
    taken_at: datetime
    # The closer need not be the one who took it.
    closed_by: str | None = Field(default=None, max_length=254)
    closed_at: datetime | None = None
    outcome: str | None = Field(default=None, max_length=30)
    close_reason: str | None = Field(default=None, max_length=2000)
    lock_version: int = Field(default=0)


class FailureNote(SQLModel, table=True):
    """A note on a failed reconciliation, in the order written."""

    __tablename__ = "failure_note"
    __table_args__ = (sa.Index("ix_failure_note_reconciliation_id", "reconciliation_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    reconciliation_id: int = Field(foreign_key="reconciliation.id")
    author: str = Field(max_length=254)
    written_at: datetime
    text: str = Field(max_length=2000)


class ReconciliationPause(SQLModel, table=True):
    """Reconciliations of one subscription paused by support until a date (admin_app/db/subscriptions/
    pauses.py): in force from when it was made until the start of `until`, unless lifted earlier by hand.

    Keyed by the subscription's name, as reconciliations and the billing system name it."""

    __tablename__ = "reconciliation_pause"
    __table_args__ = (
        sa.CheckConstraint(
            "(lifted_at IS NULL AND lifted_by IS NULL) OR (lifted_at IS NOT NULL AND lifted_by IS NOT NULL)",
            name="ck_reconciliation_pause_lifted",
        ),
        sa.Index("ix_reconciliation_pause_subscription", "subscription_name", "id"),
        sa.Index("ix_reconciliation_pause_until", "until", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_name: str = Field(max_length=20)
    # Staff emails, as the history names people.
    paused_by: str = Field(max_length=254)
    paused_at: datetime
    # The first day reconciliations run again.
    until: date
    reason: str = Field(max_length=2000)
    # The support ticket behind the pause, e.g. SUP-1234.
    ticket: str = Field(max_length=40)
    lifted_at: datetime | None = None
    lifted_by: str | None = Field(default=None, max_length=254)
