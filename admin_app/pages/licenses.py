"""/licenses: search, filter, sort and page through every license."""

import reflex as rx

from admin_app.components.cells import cell_badge, cell_line, cell_stack, cell_text
from admin_app.components.data_table import Column
from admin_app.components.filters import described_filters
from admin_app.components.list_page import clear_filters_button, export_button, list_page
from admin_app.components.status import active_badge, status_badge
from admin_app.pages.reconciliations import subscription_link
from admin_app.state.licenses import LicensesState


def _company(row) -> rx.Component:
    return cell_stack(cell_text(row["company"], medium=True), active_badge(row), gap="1")


def _licensee(row) -> rx.Component:
    return cell_stack(cell_text(row["licensee_name"]), cell_text(row["email"], size="1", muted=True))


def _plan(row) -> rx.Component:
    return cell_line(cell_text(row["plan"]), rx.cond(row["trial"] == "Trial", cell_badge("Trial", "amber")))


def _subscription(row) -> rx.Component:
    """The subscription, a link of its own inside the license's row."""
    return cell_stack(
        rx.cond(row["subscription_name"] != "", subscription_link(row), cell_text("—")),
        cell_text(row["license_type"], size="1", muted=True),
    )


COLUMNS = [
    Column("company", "Company", "company", render=_company, wrap=True),
    Column("licensee_name", "Licensee", render=_licensee, wrap=True),
    Column("plan", "Plan", render=_plan),
    Column("user_count", "Users", "users", align="right"),
    Column("issued_date", "Issued", "issued", secondary=True),
    Column("starts", "Starts", "starts", secondary=True),
    Column("expires", "Expires", "expires"),
    Column("status", "Status", render=status_badge),
    Column("subscription_name", "Subscription", render=_subscription),
]


def filter_bar() -> rx.Component:
    return rx.hstack(
        *described_filters(LicensesState),
        clear_filters_button(LicensesState),
        spacing="3",
        align="end",
        wrap="wrap",
    )


def licenses_page() -> rx.Component:
    return list_page(
        LicensesState,
        title="Licenses",
        noun="licenses",
        search_placeholder="Search company, licensee, email or subscription",
        filter_bar=filter_bar(),
        columns=COLUMNS,
        row_href=lambda row: "/licenses/" + row["id"],
        empty_hint=(
            "Check the spelling, search for part of a company, email or subscription name, "
            "or clear the filters."
        ),
        actions=export_button("/api/export/licenses.csv" + LicensesState.query_string),
    )
