"""/customers: search and filter customers; a row opens the customer."""

import reflex as rx

from admin_app.components.cells import cell_badge, cell_stack, cell_text
from admin_app.components.data_table import Column
from admin_app.components.filters import described_filters
from admin_app.components.list_page import export_button, filters_and_clear, list_page
from admin_app.glossary import LOGIN_OFF, LOGIN_ON
from admin_app.state.customers import CustomersState

S = CustomersState


def _name(row) -> rx.Component:
    return cell_stack(cell_text(row["name"], medium=True), cell_text(row["email"], size="1", muted=True))


def _login(row) -> rx.Component:
    return rx.cond(row["login_activated"], cell_badge(LOGIN_ON, "green"), cell_badge(LOGIN_OFF, "red"))


COLUMNS = [
    Column("name", "Name", "name", render=_name, wrap=True),
    Column("company", "Company", "company", wrap=True),
    Column("country", "Country"),
    Column("login", "Login", render=_login),
    Column("confirmed", "Email confirmed"),
]


def customers_page() -> rx.Component:
    return list_page(
        S,
        title="Customers",
        noun="customers",
        search_placeholder="Search name, email or company",
        filter_bar=filters_and_clear(S, *described_filters(S)),
        columns=COLUMNS,
        row_href=lambda row: "/customers/" + row["id"],
        empty_hint="Search for part of a name, an email address or a company, or clear the filters.",
        actions=export_button("/api/export/customers.csv" + S.query_string),
    )
