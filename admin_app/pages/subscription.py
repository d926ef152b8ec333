"""/subscriptions/[name]: a subscription, its billing account and its licenses."""

import reflex as rx

from admin_app.components.data_table import data_table
from admin_app.components.detail import back_to, detail_body, field_row, license_timeline, linked_out
from admin_app.components.layout import page_shell
from admin_app.pages.billing_accounts import RECONCILIATIONS
from admin_app.state.subscription import SubscriptionState

S = SubscriptionState.subscription
A = SubscriptionState.account


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(S["name"], size="5", as_="h2"),
                rx.badge(S["status"]),
                rx.cond(
                    S["read_only"],
                    rx.badge(
                        rx.icon("lock", size=12), S["channel"], " purchase: read-only", color_scheme="orange"
                    ),
                ),
                spacing="2",
                align="center",
            ),
            rx.data_list.root(
                field_row(
                    "Billing account", rx.link(A["name"], href="/billing-accounts/" + A["id"], size="2")
                ),
                rx.cond(
                    S["zuora_url"] != "",
                    field_row("In Zuora", linked_out(S["zuora_url"], S["name"], "Zuora")),
                ),
                field_row("Zuora account", linked_out(A["zuora_url"], A["zuora_account_id"], "Zuora")),
                field_row(
                    "Salesforce account",
                    linked_out(A["salesforce_url"], A["salesforce_account_id"], "Salesforce"),
                ),
                field_row("Reseller", rx.cond(A["reseller"] != "", A["reseller"], "—")),
                field_row("Plan", S["plan"]),
                field_row("Deployment", S["deployment"]),
                field_row("Seats", S["seats"]),
                field_row("Term", S["term"]),
                field_row("Auto-renew", S["auto_renew"]),
                field_row("Channel", S["channel"]),
                size="2",
            ),
            spacing="3",
        ),
        width="100%",
    )


def subscription_page() -> rx.Component:
    body = detail_body(
        error=SubscriptionState.error,
        not_found=SubscriptionState.not_found,
        not_found_message="There is no subscription with this name.",
        loading=SubscriptionState.loading & (S["name"] == ""),
        content=rx.vstack(
            _summary(),
            rx.heading("Licenses of this subscription", size="4", as_="h2"),
            rx.card(license_timeline(SubscriptionState.licenses), width="100%"),
            rx.heading("Reconciliations of this subscription", size="4", as_="h2"),
            rx.cond(
                SubscriptionState.reconciliation_pause != "",
                rx.callout(
                    SubscriptionState.reconciliation_pause,
                    icon="circle-pause",
                    color_scheme="amber",
                    size="1",
                    width="100%",
                ),
            ),
            rx.cond(
                SubscriptionState.reconciliations.length() > 0,
                data_table(
                    RECONCILIATIONS,
                    SubscriptionState.reconciliations,
                    row_href=lambda r: "/reconciliations/" + r["id"],
                ),
                rx.text("No reconciliations yet.", size="2", color=rx.color("gray", 11)),
            ),
            width="100%",
            spacing="4",
        ),
    )
    return page_shell("Subscription", back_to("Subscriptions", "/subscriptions"), body)
