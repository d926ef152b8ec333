"""/login-status: customers who cannot sign in, split into logins disabled on purpose and never enabled."""

import reflex as rx

from admin_app.components.data_table import Column
from admin_app.components.filters import described_filters
from admin_app.components.list_page import clear_filters_button, list_page
from admin_app.state.login_status import LoginStatusState

S = LoginStatusState


def _name(row) -> rx.Component:
    return rx.vstack(
        rx.text(row["name"], size="2", weight="medium"),
        rx.text(row["email"], size="1", color=rx.color("gray", 11)),
        spacing="0",
    )


def _kind(row) -> rx.Component:
    return rx.cond(
        row["disabled_by"] != "",
        rx.badge(row["kind"], color_scheme="red"),
        rx.badge(row["kind"], color_scheme="gray"),
    )


COLUMNS = [
    Column("name", "Customer", "name", render=_name, wrap=True),
    Column("company", "Company", wrap=True),
    Column("kind", "Status", render=_kind),
    Column("disabled_by", "Disabled by"),
    Column("disabled_at", "Disabled at"),
    Column("reason", "Reason", wrap=True),
]


def login_status_page() -> rx.Component:
    return list_page(
        S,
        title="Login status",
        noun="customers",
        search_placeholder="Search name, email or company",
        filter_bar=rx.hstack(
            *described_filters(S),
            clear_filters_button(S),
            spacing="3",
            align="end",
        ),
        columns=COLUMNS,
        row_href=lambda row: "/customers/" + row["id"],
        empty_hint="Every matching customer can sign in. Clear the search to see all logins that cannot.",
        actions=rx.fragment(),
    )
