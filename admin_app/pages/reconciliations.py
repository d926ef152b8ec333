"""/reconciliations: search, filter, sort and page through every seat reconciliation."""

import reflex as rx

from admin_app.components.cells import cell_text
from admin_app.components.data_table import Column
from admin_app.components.filters import amount_filter, date_range_filter, select_filter
from admin_app.components.list_page import clear_filters_button, export_button, list_page
from admin_app.components.status import reconciliation_status_badge
from admin_app.db.licenses.search import PLANS
from admin_app.db.reconciliations.search import CHANNELS, CURRENCIES, STATUSES
from admin_app.state.reconciliations import ReconciliationsState

S = ReconciliationsState


def subscription_link(row) -> rx.Component:
    """A link inside a clickable row: it opens the subscription, not the row."""
    return rx.link(
        row["subscription_name"],
        href="/subscriptions/" + row["subscription_name"],
        size="2",
        on_click=rx.stop_propagation,
    )


def _customer(row) -> rx.Component:
    return cell_text(row["customer_name"], medium=True)


def _error(row) -> rx.Component:
    return rx.text(row["error_preview"], size="1", color=rx.color("red", 11), title=row["error_message"])


COLUMNS = [
    Column("customer_name", "Customer", "customer", render=_customer, wrap=True),
    Column("subscription_name", "Subscription", render=subscription_link),
    Column("status", "Status", render=reconciliation_status_badge),
    Column("reconciliation_date", "Date", "date"),
    Column("done_at", "Done"),
    Column("skip_reason", "Skip reason", wrap=True),
    Column("user_count", "Users", "users", align="right"),
    Column("invoiced", "Invoiced", align="right"),
    Column("error_preview", "Error", render=_error, wrap=True),
]


def _choices(values: tuple[str, ...]) -> dict[str, str]:
    return {value: value.capitalize() for value in values}


def filter_bar() -> rx.Component:
    on_change = S.set_filter
    chosen = S.filters
    return rx.hstack(
        select_filter("status", "Status", _choices(STATUSES), chosen["status"], on_change),
        date_range_filter(("from", "to"), ("Date from", "Date to"), chosen, on_change),
        select_filter("skip_reason", "Skip reason", S.skip_reasons, chosen["skip_reason"], on_change),
        select_filter(
            "error", "Error", {"yes": "Has an error", "no": "No error"}, chosen["error"], on_change
        ),
        amount_filter("min", "Invoiced from", chosen["min"], on_change),
        amount_filter("max", "Invoiced to", chosen["max"], on_change),
        select_filter("plan", "Plan", _choices(PLANS), chosen["plan"], on_change),
        select_filter("channel", "Channel", _choices(CHANNELS), chosen["channel"], on_change),
        select_filter("currency", "Currency", {c: c for c in CURRENCIES}, chosen["currency"], on_change),
        clear_filters_button(S),
        spacing="3",
        align="end",
        wrap="wrap",
    )


def _actions() -> rx.Component:
    charts = rx.link(
        rx.button(rx.icon("chart-column", size=16), "Charts", variant="soft"),
        href="/reconciliations/charts" + S.query_string,
    )
    return rx.hstack(charts, export_button("/api/export/reconciliations.csv" + S.query_string), spacing="2")


def reconciliations_page() -> rx.Component:
    return list_page(
        S,
        title="Reconciliations",
        noun="reconciliations",
        search_placeholder="Search customer or subscription name",
        filter_bar=rx.vstack(
            filter_bar(),
            rx.cond(
                S.filters["account"] != "",
                rx.badge("Billing account ", S.filters["account"], variant="surface", size="2"),
            ),
            width="100%",
        ),
        columns=COLUMNS,
        row_href=lambda row: "/reconciliations/" + row["id"],
        empty_hint=(
            "Check the spelling, search for part of a customer or subscription name, or clear the filters."
        ),
        actions=_actions(),
    )
