"""/subscriptions: find a subscription by its name or its billing account's; a row opens it."""

import reflex as rx

from admin_app.components.data_table import Column
from admin_app.components.filters import described_filters
from admin_app.components.list_page import filters_and_clear, list_page
from admin_app.state.subscriptions import SubscriptionsState

S = SubscriptionsState

COLUMNS = [
    Column("name", "Subscription", "name"),
    Column("account", "Billing account", wrap=True),
    Column("plan", "Plan"),
    Column("deployment", "Deployment"),
    Column("seats", "Seats", "seats", align="right"),
    Column("channel", "Channel"),
    Column("status", "Status"),
    Column("term", "Term", "term_end"),
]


def subscriptions_page() -> rx.Component:
    return list_page(
        S,
        title="Subscriptions",
        noun="subscriptions",
        search_placeholder="Search a subscription name (A-S…) or a billing account's name",
        filter_bar=filters_and_clear(S, *described_filters(S)),
        columns=COLUMNS,
        row_href=lambda row: "/subscriptions/" + row["name"],
        empty_hint="Search for part of a subscription name or an account name, or clear the filters.",
        actions=rx.fragment(),
    )
