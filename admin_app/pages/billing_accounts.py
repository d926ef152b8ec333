"""/billing-accounts and /billing-accounts/[id]: find an account; its contacts, members and history."""

import reflex as rx

from admin_app.auth.permissions import Permission
from admin_app.components.access import may
from admin_app.components.cells import cell_badge, cell_stack, cell_text
from admin_app.components.data_table import Column, data_table
from admin_app.components.detail import back_to, detail_body, field_row, linked_out
from admin_app.components.forms import (
    address_decision,
    choice_fieldset,
    field_error,
    form_field,
    radio_choice,
    reason_field,
)
from admin_app.components.layout import page_shell
from admin_app.components.list_page import list_page
from admin_app.components.status import active_badge, error_callout, reconciliation_status_badge
from admin_app.db.accounts.contact_choice import ROLES as ROLE_LABELS
from admin_app.db.accounts.contacts import CONTACT_FIELDS
from admin_app.glossary import LOGIN_OFF, LOGIN_ON
from admin_app.pages.customer_detail import HISTORY
from admin_app.state.billing_account_detail import BillingAccountDetailState
from admin_app.state.billing_accounts import BillingAccountsState

D = BillingAccountDetailState
A = D.account
E = D.editing
CAN_EDIT = may(Permission.CUSTOMERS_EDIT)
RECONCILIATIONS_OF = "/reconciliations?account="

LIST_COLUMNS = [
    Column("name", "Name", "name", wrap=True),
    Column("zuora_account_id", "Zuora account"),
    Column("sold_to", "Sold To"),
    Column("bill_to", "Bill To"),
    Column("reseller", "Reseller"),
]


def billing_accounts_page() -> rx.Component:
    return list_page(
        BillingAccountsState,
        title="Billing accounts",
        noun="billing accounts",
        search_placeholder="Search name, zuora account id, or a Sold To / Bill To email",
        filter_bar=rx.fragment(),
        columns=LIST_COLUMNS,
        row_href=lambda row: "/billing-accounts/" + row["id"],
        empty_hint="Search for part of the name, the zuora account id, or a contact's email.",
        actions=rx.fragment(),
    )


def _contact_card(contact) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.badge(
                contact["role"], color_scheme=rx.cond(contact["role"] == "Contact", "gray", "blue"), size="2"
            ),
            rx.vstack(
                rx.text(contact["name"], " · ", contact["email"], weight="medium", size="2"),
                rx.text(contact["address"], size="1", color=rx.color("gray", 11)),
                spacing="0",
            ),
            rx.spacer(),
            rx.cond(
                CAN_EDIT,
                rx.button(
                    rx.icon("pencil", size=14),
                    "Edit",
                    size="1",
                    variant="soft",
                    on_click=D.edit_contact(contact),
                    aria_label="Edit " + contact["role"] + " contact",
                ),
            ),
            align="center",
            width="100%",
        ),
        width="100%",
    )


def _contact_fields(values) -> rx.Component:
    errors = D.contact_errors
    return rx.vstack(
        rx.hstack(
            form_field("first_name", "First name", values["first_name"], errors.first_name),
            form_field("last_name", "Last name", values["last_name"], errors.last_name),
            width="100%",
        ),
        form_field("email", "Email", values["email"], errors.email),
        form_field("address_line1", "Address line 1", values["address_line1"], errors.address_line1),
        form_field("address_line2", "Address line 2", values["address_line2"], errors.address_line2),
        rx.hstack(
            form_field("city", "City", values["city"], errors.city),
            form_field("state", "State", values["state"], errors.state),
            form_field("postal_code", "Postal code", values["postal_code"], errors.postal_code),
            width="100%",
        ),
        form_field("country", "Country (ISO code)", values["country"], errors.country, max_length=2),
        reason_field(errors.reason, required=False),
        rx.cond(D.contact_message != "", error_callout(D.contact_message)),
        spacing="3",
        width="100%",
    )


def _contact_dialog() -> rx.Component:
    buttons = rx.hstack(
        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
        rx.button("Save", type="submit"),
        justify="end",
        width="100%",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(D.new_bill_to_open, "New Bill To contact", "Edit contact")),
            rx.cond(
                D.banner != "",
                rx.callout(
                    D.banner,
                    icon="info",
                    color_scheme="blue",
                    data_testid="role-banner",
                    margin_bottom="1rem",
                ),
            ),
            rx.cond(
                D.new_bill_to_open,
                rx.form(
                    _contact_fields(dict.fromkeys(CONTACT_FIELDS, "")),
                    buttons,
                    on_submit=D.save_new_bill_to,
                    reset_on_submit=False,
                ),
                rx.form(_contact_fields(E), buttons, on_submit=D.save_contact, reset_on_submit=False),
            ),
            max_width="38rem",
        ),
        open=(E["id"] != "") | D.new_bill_to_open,
        on_open_change=D.close_contact,
    )


def _join_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Make the Bill To the Sold To?"),
            rx.alert_dialog.description(D.join_consequence),
            rx.form(
                rx.vstack(
                    reason_field(D.contact_errors.reason, required=True),
                    rx.cond(
                        D.contact_message != "", rx.callout(D.contact_message, color_scheme="red", size="1")
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(
                            rx.button("Keep them apart", variant="soft", color_scheme="gray")
                        ),
                        rx.button("Make the Bill To the Sold To", type="submit", color_scheme="red"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    margin_top="1rem",
                ),
                on_submit=D.make_bill_to_the_sold_to,
            ),
            max_width="32rem",
        ),
        open=D.join_open,
        on_open_change=D.close_join,
    )


def _member_select() -> rx.Component:
    return rx.vstack(
        rx.el.label("Member", html_for="choice-member", font_size="var(--font-size-2)", font_weight="500"),
        rx.select.root(
            rx.select.trigger(id="choice-member", placeholder="Choose a member", width="100%"),
            rx.select.content(
                rx.foreach(D.members, lambda m: rx.select.item(m["name"] + " · " + m["email"], value=m["id"]))
            ),
            name="customer_id",
        ),
        field_error("customer_id", D.contact_errors.customer_id),
        spacing="1",
        width="100%",
    )


def _choice_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _member_select(),
            choice_fieldset(
                "Becomes",
                *[
                    radio_choice("role", value, label, checked=value == "sold_to")
                    for value, label in ROLE_LABELS.items()
                ],
            ),
            rx.cond(D.contact_message != "", error_callout(D.contact_message)),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                rx.button("Review", type="submit"),
                justify="end",
                width="100%",
            ),
            spacing="3",
        ),
        on_submit=D.review_choice,
        reset_on_submit=False,
    )


def _choice_line(change) -> rx.Component:
    return rx.vstack(
        rx.text(change["what"], weight="medium", size="2"),
        rx.text(change["before"], size="2", color=rx.color("gray", 11)),
        rx.hstack(rx.icon("arrow-right", size=14), rx.text(change["after"], size="2"), align="center"),
        spacing="1",
    )


def _warning(text) -> rx.Component:
    return rx.callout(text, icon="triangle-alert", color_scheme="amber", size="1", width="100%")


def _choice_review() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.foreach(D.choice_changes, _choice_line),
            rx.foreach(D.choice_warnings, _warning),
            rx.cond(
                D.choice_needs_address,
                address_decision(
                    D.contact_errors,
                    legend="The new contact's address",
                    keep_label="Keep the current holder's address (the company's)",
                ),
            ),
            reason_field(D.contact_errors.reason, required=True),
            rx.cond(D.contact_message != "", error_callout(D.contact_message)),
            rx.hstack(
                rx.button(
                    "Back", variant="soft", color_scheme="gray", type="button", on_click=D.back_to_choice
                ),
                rx.button("Save", type="submit"),
                justify="end",
                width="100%",
            ),
            spacing="3",
        ),
        on_submit=D.save_choice,
        reset_on_submit=False,
    )


def _choice_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Choose a member as Sold To or Bill To"),
            rx.dialog.description(
                "The previous holder stays among the account's contacts; you review every change first.",
                size="2",
                margin_bottom="1rem",
            ),
            rx.cond(D.choice_reviewed, _choice_review(), _choice_form()),
            max_width="36rem",
        ),
        open=D.choice_open,
        on_open_change=D.close_choice,
    )


def _contacts() -> rx.Component:
    choose = rx.cond(
        CAN_EDIT & (D.members.length() > 0),
        rx.button("Choose from members", variant="soft", size="2", on_click=D.open_choice),
    )
    split_or_join = rx.cond(
        CAN_EDIT,
        rx.cond(
            D.same_person,
            rx.button(
                "Give the Bill To its own contact", variant="soft", size="2", on_click=D.open_new_bill_to
            ),
            rx.button("Make the Bill To the Sold To", variant="soft", size="2", on_click=D.ask_join),
        ),
    )
    return rx.vstack(
        rx.hstack(
            rx.heading("Contacts", size="4", as_="h2"),
            rx.cond(D.same_person, rx.badge("Sold To and Bill To are the same person", color_scheme="amber")),
            rx.spacer(),
            choose,
            split_or_join,
            align="center",
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            D.sold_to_warning != "",
            _warning(D.sold_to_warning),
        ),
        rx.foreach(D.contacts, _contact_card),
        _join_dialog(),
        _choice_dialog(),
        width="100%",
    )


def _login(row) -> rx.Component:
    """Whether the member can sign in to the portal and, when not, why (the login status kinds)."""
    return cell_stack(
        rx.cond(row["can_sign_in"], cell_badge(LOGIN_ON, "green"), cell_badge(LOGIN_OFF, "red")),
        rx.cond(row["login_off"] != "", cell_text(row["login_off"], size="1", muted=True)),
        gap="1",
    )


MEMBERS = [
    Column("name", "Customer"),
    Column("email", "Email"),
    Column("since", "Member since"),
    Column("can_sign_in", "Login", render=_login),
]
SUBSCRIPTIONS = [
    Column("name", "Subscription"),
    Column("plan", "Plan"),
    Column("seats", "Seats", align="right"),
    Column("status", "Status"),
    Column("channel", "Channel"),
]


def _licensee(row) -> rx.Component:
    """The licensee, and rule 11's mark on the company's active license."""
    return rx.hstack(rx.text(row["licensee_name"], size="2"), active_badge(row), spacing="2", wrap="wrap")


LICENSES = [
    Column("issued_date", "Issued"),
    Column("licensee_name", "Licensee", render=_licensee),
    Column("plan", "Plan"),
    Column("user_count", "Users", align="right"),
    Column("expires", "Expires"),
]
RECONCILIATIONS = [
    Column("reconciliation_date", "Date"),
    Column("subscription_name", "Subscription"),
    Column("status", "Status", render=reconciliation_status_badge),
    Column("invoiced", "Invoiced", align="right"),
]


def _table(title: str, columns, rows, href=None, empty: str = "None.") -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="4", as_="h2"),
        rx.cond(
            rows.length() > 0,
            data_table(columns, rows, row_href=href),
            rx.text(empty, color=rx.color("gray", 11)),
        ),
        width="100%",
    )


def billing_account_detail_page() -> rx.Component:
    summary = rx.card(
        rx.vstack(
            rx.heading(A["name"], size="5", as_="h2"),
            rx.data_list.root(
                field_row("Zuora account", linked_out(A["zuora_url"], A["zuora_account_id"], "Zuora")),
                field_row(
                    "Salesforce account",
                    linked_out(A["salesforce_url"], A["salesforce_account_id"], "Salesforce"),
                ),
                field_row("Reseller", rx.cond(A["reseller"] != "", A["reseller"], "none (direct)")),
                size="2",
            ),
            rx.hstack(
                rx.link("All reconciliations of this account", href=RECONCILIATIONS_OF + A["id"], size="2"),
                rx.cond(
                    may(Permission.MEMBERSHIPS_EDIT),
                    rx.link(
                        rx.button(rx.icon("user-round-pen", size=16), "Change owner", variant="soft"),
                        href="/billing-accounts/" + A["id"] + "/owner",
                    ),
                ),
                justify="between",
                align="center",
                width="100%",
            ),
        ),
        width="100%",
    )
    body = detail_body(
        error=D.error,
        not_found=D.not_found,
        not_found_message="There is no billing account with this id.",
        loading=D.loading & (A["id"] == ""),
        content=rx.vstack(
            summary,
            _contacts(),
            _table(
                "Members (who may manage it)",
                MEMBERS,
                D.members,
                lambda r: "/customers/" + r["id"],
                "Nobody manages this account.",
            ),
            _table("Subscriptions", SUBSCRIPTIONS, D.subscriptions, lambda r: "/subscriptions/" + r["name"]),
            _table("Licenses", LICENSES, D.licenses, lambda r: "/licenses/" + r["id"]),
            _table(
                "Reconciliations", RECONCILIATIONS, D.reconciliations, lambda r: "/reconciliations/" + r["id"]
            ),
            _table("History", HISTORY, D.history, empty="No changes recorded yet."),
            _contact_dialog(),
            width="100%",
            spacing="5",
        ),
    )
    return page_shell("Billing account", back_to("Billing accounts", "/billing-accounts"), body)
