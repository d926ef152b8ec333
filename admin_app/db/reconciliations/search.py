"""Reconciliations (quarterly seat true-ups): the list, described once (search, filters, sorts, pages,
counts, the export), the filters the charts share with it, and a reconciliation's own look-ups."""

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from admin_app.db.licenses.search import PLANS
from admin_app.db.lists.spec import (
    AmountRangeFilter,
    Choice,
    ChoiceFilter,
    DateRangeFilter,
    Filter,
    IdFilter,
    ListSpec,
    TextFilter,
    csv_date,
    csv_field,
    equal_to,
)
from admin_app.db.lists.text_search import SearchSpec
from admin_app.db.models import BillingAccount, Reconciliation, ReconciliationRollup
from admin_app.db.reconciliations.failures import FAILURE_CLASSES, failure_class_sql

STATUSES = ("pending", "processing", "done", "skipped", "failed")
CHANNELS = ("direct", "reseller", "marketplace")
CURRENCIES = ("USD", "EUR", "GBP", "JPY")
MAX_SKIP_REASON = 200

RECONCILIATION_SEARCH = SearchSpec(
    id_column=col(Reconciliation.id),
    columns=(col(Reconciliation.customer_name), col(Reconciliation.subscription_name)),
    fts_table="reconciliation_fts",
    pg_search_column="reconciliation.search_text",
)


def _capitalized(values: tuple[str, ...]) -> dict[str, str]:
    return {value: value.capitalize() for value in values}


def _has_error() -> sa.ColumnElement[bool]:
    return col(Reconciliation.error_message).is_not(None)


def _failed_as(key: str) -> Callable[[], sa.ColumnElement[bool]]:
    """Failed reconciliations whose error is of the class `key` (failures.failure_class_sql)."""
    return lambda: sa.and_(
        col(Reconciliation.status) == "failed",
        failure_class_sql(col(Reconciliation.error_message)) == key,
    )


# A failure's class, read from its error by the table of failures.py; choosing one implies "failed".
FAILURE_FILTER = ChoiceFilter(
    "failure",
    "Failure class",
    "failure class",
    {failure.key: Choice(failure.label, _failed_as(failure.key)) for failure in FAILURE_CLASSES},
)


# An index keeps each status's rows in date order, (status, reconciliation_date, id).
_STATUS = ChoiceFilter(
    "status",
    "Status",
    "status",
    equal_to(lambda: col(Reconciliation.status), _capitalized(STATUSES)),
    in_order=1,
)
_DATES = DateRangeFilter(
    ("from", "to"),
    "Reconciliation-date",
    ("Date from", "Date to"),
    lambda: col(Reconciliation.reconciliation_date),
    days=True,
)
_PLAN = ChoiceFilter("plan", "Plan", "plan", equal_to(lambda: col(Reconciliation.plan), _capitalized(PLANS)))
_CHANNEL = ChoiceFilter(
    "channel", "Channel", "channel", equal_to(lambda: col(Reconciliation.channel), _capitalized(CHANNELS))
)
_CURRENCY = ChoiceFilter(
    "currency",
    "Currency",
    "currency",
    equal_to(lambda: col(Reconciliation.currency), {currency: currency for currency in CURRENCIES}),
)
# The filters the monthly roll-up carries (each choice in the roll-up's column of the same name): the
# charts' filters, counted from the roll-up when no other filter is given.
ROLLUP_FILTERS: tuple[Filter, ...] = (_DATES, _STATUS, _PLAN, _CHANNEL, _CURRENCY)

RECONCILIATION_LIST = ListSpec(
    entity=Reconciliation,
    id_column=col(Reconciliation.id),
    search=RECONCILIATION_SEARCH,
    filters=(
        _STATUS,
        _DATES,
        # Offered as the reasons the data holds (skip_reasons), matched exactly as chosen.
        TextFilter(
            "skip_reason",
            "Skip reason",
            MAX_SKIP_REASON,
            lambda reason: col(Reconciliation.skip_reason) == reason,
            trimmed=False,
        ),
        ChoiceFilter(
            "error",
            "Error",
            "error choice",
            {
                "yes": Choice("Has an error", _has_error),
                "no": Choice("No error", lambda: sa.not_(_has_error())),
            },
        ),
        FAILURE_FILTER,
        AmountRangeFilter(
            ("min", "max"),
            "Amount",
            ("Invoiced from", "Invoiced to"),
            ("Minimum amount", "Maximum amount"),
            lambda: col(Reconciliation.invoiced_amount),
        ),
        _PLAN,
        _CHANNEL,
        _CURRENCY,
        # A chart's bar links here: one billing account's reconciliations.
        IdFilter(
            "account", "Billing account", "billing account", lambda: col(Reconciliation.billing_account_id)
        ),
    ),
    sort_columns={
        "date": (Reconciliation.reconciliation_date, date),
        "customer": (Reconciliation.customer_name, str),
        "users": (Reconciliation.user_count, int),
    },
    default_sort="-date",
    ascending_first=("customer",),
    in_order_sort="date",
    read_order=("from", "min", "status", "error", "failure", "plan", "channel", "currency", "account"),
    export_columns=(
        csv_field("id"),
        csv_field("billing_account_id"),
        csv_field("customer_name"),
        csv_field("subscription_name"),
        csv_field("plan"),
        csv_field("channel"),
        csv_field("status"),
        csv_date("reconciliation_date"),
        csv_date("done_at"),
        csv_field("skip_reason"),
        csv_field("seats_before"),
        csv_field("user_count"),
        csv_field("seat_price"),
        csv_field("billed_months"),
        csv_field("invoiced_amount"),
        csv_field("currency"),
        csv_field("error_message"),
    ),
)


def get_reconciliation(*, session: Session, reconciliation_id: int) -> Reconciliation | None:
    """One reconciliation by id."""
    return session.get(Reconciliation, reconciliation_id)


def get_billing_account(*, session: Session, billing_account_id: int) -> BillingAccount | None:
    """The billing account a reconciliation invoices."""
    return session.get(BillingAccount, billing_account_id)


def reconciliations_of_account(
    *, session: Session, billing_account_id: int, subscription_name: str | None = None, limit: int = 200
) -> list[Reconciliation]:
    """A billing account's reconciliations over time (or one subscription's of them), newest first."""
    statement = select(Reconciliation).where(col(Reconciliation.billing_account_id) == billing_account_id)
    if subscription_name is not None:
        statement = statement.where(col(Reconciliation.subscription_name) == subscription_name)
    ordered = statement.order_by(
        col(Reconciliation.reconciliation_date).desc(), col(Reconciliation.id).desc()
    )
    return list(session.exec(ordered.limit(limit)))


def skip_reasons(*, session: Session, limit: int = 100) -> list[str]:
    """The distinct reasons reconciliations were skipped for, A to Z (what the filter offers).

    Read from the monthly roll-up: a few thousand rows instead of a million.
    """
    reason = col(ReconciliationRollup.skip_reason)
    statement = (
        select(reason)
        .where(reason != "", col(ReconciliationRollup.reconciliations) > 0)
        .distinct()
        .order_by(reason)
        .limit(limit)
    )
    return list(session.exec(statement))
