"""/reconciliations: search, filter, sort and page through every seat reconciliation."""

import reflex as rx

from admin_app.components.cells import cell_text
from admin_app.components.data_table import Column
from admin_app.components.filters import described_filters
from admin_app.components.list_page import export_button, filters_and_clear, list_page
from admin_app.components.status import reconciliation_status_badge
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
            filters_and_clear(S, *described_filters(S, {"skip_reason": S.skip_reasons})),
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
