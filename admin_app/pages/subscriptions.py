"""/subscriptions: find a subscription by its name or its billing account's; a row opens it."""

import reflex as rx

from admin_app.components.data_table import Column
from admin_app.components.filters import select_filter
from admin_app.components.list_page import clear_filters_button, list_page
from admin_app.db.subscription_list import CHANNELS, DEPLOYMENTS, PLANS, STATUSES
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


def _choices(values) -> dict[str, str]:
    return {value: value.capitalize() for value in values}


def filter_bar() -> rx.Component:
    chosen, on_change = S.filters, S.set_filter
    return rx.hstack(
        select_filter("plan", "Plan", _choices(PLANS), chosen["plan"], on_change),
        select_filter("deployment", "Deployment", DEPLOYMENTS, chosen["deployment"], on_change),
        select_filter("channel", "Channel", _choices(CHANNELS), chosen["channel"], on_change),
        select_filter("status", "Status", _choices(STATUSES), chosen["status"], on_change),
        clear_filters_button(S),
        spacing="3",
        align="end",
        wrap="wrap",
    )


def subscriptions_page() -> rx.Component:
    return list_page(
        S,
        title="Subscriptions",
        noun="subscriptions",
        search_placeholder="Search a subscription name (A-S…) or a billing account's name",
        filter_bar=filter_bar(),
        columns=COLUMNS,
        row_href=lambda row: "/subscriptions/" + row["name"],
        empty_hint="Search for part of a subscription name or an account name, or clear the filters.",
        actions=rx.fragment(),
    )
