"""/subscriptions/[name]: a subscription, its billing account and its licenses."""

import reflex as rx

from admin_app.auth.permissions import Permission
from admin_app.components.access import may
from admin_app.components.data_table import data_table
from admin_app.components.detail import back_to, detail_body, field_row, license_timeline, linked_out
from admin_app.components.forms import field_error, reason_field
from admin_app.components.layout import page_shell
from admin_app.components.status import error_callout
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


def _pause_dialog(which: str, title: str, submit: str, on_submit, *fields: rx.Component) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.form(
                rx.vstack(
                    *fields,
                    reason_field(SubscriptionState.reason_error, required=True),
                    rx.cond(
                        SubscriptionState.pause_message != "",
                        error_callout(SubscriptionState.pause_message),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", type="button", variant="soft", color_scheme="gray")
                        ),
                        rx.button(submit, type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=on_submit,
            ),
            max_width="30rem",
        ),
        open=SubscriptionState.pause_dialog == which,
        on_open_change=lambda open_: SubscriptionState.show_pause_dialog(rx.cond(open_, which, "")),
    )


def _labelled_box(label: str, name: str, error, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, font_size="var(--font-size-2)", font_weight="500"),
        rx.input(id=name, name=name, width="100%", **props),
        field_error(name, error),
        spacing="1",
        width="100%",
    )


def _pause_controls() -> rx.Component:
    """Support pause the reconciliations until a day (it lifts itself then), or lift a pause early."""
    P = SubscriptionState
    return rx.fragment(
        rx.box(
            rx.cond(
                P.reconciliation_pause != "",
                rx.button("Lift the pause…", variant="soft", on_click=P.show_pause_dialog("lift")),
                rx.button("Pause reconciliations…", variant="soft", on_click=P.show_pause_dialog("pause")),
            )
        ),
        _pause_dialog(
            "pause",
            "Pause reconciliations",
            "Pause",
            P.pause,
            _labelled_box("Paused until (it lifts itself on that day)", "until", P.until_error, type="date"),
            _labelled_box("Ticket", "ticket", P.ticket_error, max_length=40, placeholder="SUP-1234"),
        ),
        _pause_dialog("lift", "Lift the pause", "Lift the pause", P.lift),
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
                    data_testid="reconciliation-pause",
                ),
            ),
            rx.cond(may(Permission.RECONCILIATIONS_PAUSE), _pause_controls()),
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
