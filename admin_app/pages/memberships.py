"""/memberships: who manages which billing account; add one (rule 1 checked first) or delete (rule 7)."""

import reflex as rx

from admin_app.auth.permissions import Permission
from admin_app.components.access import may
from admin_app.components.cells import cell_stack, cell_text
from admin_app.components.data_table import Column
from admin_app.components.forms import field_error, reason_field
from admin_app.components.list_page import list_page
from admin_app.components.status import error_callout
from admin_app.state.memberships import MembershipsState

S = MembershipsState
CAN_EDIT = may(Permission.MEMBERSHIPS_EDIT)


def _customer(row) -> rx.Component:
    return cell_stack(
        rx.link(row["customer"], href="/customers/" + row["customer_id"], size="2", weight="medium"),
        cell_text(row["email"], size="1", muted=True),
    )


def _account(row) -> rx.Component:
    return cell_stack(cell_text(row["account"]), rx.code(row["zuora_account_id"], size="1", variant="ghost"))


def _delete(row) -> rx.Component:
    return rx.cond(
        CAN_EDIT,
        rx.button(
            rx.icon("trash-2", size=14),
            "Delete",
            size="1",
            variant="soft",
            color_scheme="red",
            on_click=S.ask_delete(row),
            aria_label="Delete membership of " + row["email"],
        ),
    )


COLUMNS = [
    Column("customer", "Customer", render=_customer, wrap=True),
    Column("company", "Company", wrap=True),
    Column("account", "Billing account", render=_account, wrap=True),
    Column("created", "Added"),
    Column("created_by", "Added by"),
    Column("id", "Actions", render=_delete),
]


def _picker(label: str, name: str, on_type, options, choose, chosen, error) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, font_size="var(--font-size-2)", font_weight="500"),
        rx.cond(
            chosen["label"] != "",
            rx.hstack(
                rx.badge(chosen["label"], size="2"), rx.text("chosen", size="1", color=rx.color("gray", 11))
            ),
        ),
        rx.debounce_input(
            rx.input(
                id=name,
                # Named so Reflex 0.11 keeps the form's shape; the handler reads the chosen option, not this.
                name=f"{name}_search",
                placeholder="Type to search…",
                on_change=on_type,
                width="100%",
                auto_complete="off",
            ),
            debounce_timeout=200,
        ),
        rx.vstack(
            rx.foreach(
                options,
                lambda option: rx.button(
                    option["label"],
                    variant="ghost",
                    size="2",
                    on_click=choose(option),
                    type="button",
                    width="100%",
                    justify="start",
                ),
            ),
            spacing="0",
            width="100%",
        ),
        field_error(name, error),
        spacing="1",
        width="100%",
    )


def _add_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Add a billing account membership"),
            rx.form(
                rx.vstack(
                    _picker(
                        "Customer (email, name or company)",
                        "customer",
                        S.find_customers,
                        S.customer_options,
                        S.choose_customer,
                        S.chosen_customer,
                        S.add_errors.customer,
                    ),
                    rx.cond(
                        S.existing_refusal != "",
                        rx.callout(
                            rx.vstack(
                                rx.text(S.existing_refusal),
                                rx.link("Open the customer", href="/customers/" + S.chosen_customer["id"]),
                                spacing="1",
                            ),
                            icon="circle-alert",
                            color_scheme="amber",
                            data_testid="rule-1",
                        ),
                    ),
                    _picker(
                        "Billing account (zuora id or name)",
                        "billing_account",
                        S.find_accounts,
                        S.account_options,
                        S.choose_account,
                        S.chosen_account,
                        S.add_errors.billing_account,
                    ),
                    rx.text(
                        "Adding a membership never changes the account's Sold To or Bill To contact.",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    reason_field(S.add_errors.reason, required=False),
                    rx.cond(S.add_message != "", error_callout(S.add_message)),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Add membership", type="submit", disabled=S.existing_refusal != ""),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=S.add,
                reset_on_submit=False,
            ),
            max_width="36rem",
        ),
        open=S.add_open,
        on_open_change=S.show_add,
    )


def _delete_dialog() -> rx.Component:
    target = S.delete_target
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(
                rx.cond(S.last_warning != "", "Delete the last membership?", "Delete this membership?")
            ),
            rx.alert_dialog.description(
                rx.cond(
                    S.last_warning != "",
                    S.last_warning,
                    rx.text(target["email"], " will no longer manage ", target["account"], "."),
                ),
            ),
            rx.form(
                rx.vstack(
                    rx.cond(S.last_warning == "", reason_field(S.delete_errors.reason, required=True)),
                    rx.hstack(
                        rx.button(
                            "Cancel",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=S.cancel_delete,
                        ),
                        rx.button(
                            rx.cond(S.last_warning != "", "Delete the last membership", "Yes, I'm sure"),
                            type="submit",
                            color_scheme="red",
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    margin_top="1rem",
                ),
                on_submit=S.confirm_delete,
            ),
            max_width="32rem",
        ),
        open=S.delete_open,
    )


def _added_notice() -> rx.Component:
    return rx.cond(
        S.not_activated["email"] != "",
        rx.callout(
            rx.hstack(
                rx.text(
                    S.not_activated["email"],
                    "'s login is not activated, so they cannot sign in to manage it yet.",
                ),
                rx.link("See their login status", href="/customers/" + S.not_activated["id"]),
                spacing="2",
                wrap="wrap",
            ),
            icon="info",
            color_scheme="blue",
            width="100%",
            data_testid="not-activated",
        ),
    )


def memberships_page() -> rx.Component:
    return list_page(
        S,
        title="Memberships",
        noun="memberships",
        search_placeholder="Search customer email, name or company, or a zuora account id",
        filter_bar=rx.vstack(_added_notice(), _delete_dialog(), width="100%"),
        columns=COLUMNS,
        row_href=None,
        empty_hint="Search for a customer's email or company, or the start of a zuora account id.",
        actions=rx.fragment(
            rx.cond(
                CAN_EDIT, rx.button(rx.icon("plus", size=16), "Add membership", on_click=S.show_add(True))
            ),
            _add_dialog(),
        ),
    )
