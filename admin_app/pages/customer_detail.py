"""/customers/[customer_id]: the customer, their billing account and contacts, history, and edits."""

import reflex as rx

from admin_app.auth.permissions import Permission
from admin_app.components.access import may
from admin_app.components.cells import cell_stack
from admin_app.components.data_table import Column, data_table
from admin_app.components.detail import back_to, detail_body, field_row, linked_out
from admin_app.components.emails import emails_card
from admin_app.components.forms import address_decision, form_field, reason_field
from admin_app.components.history import record_name, whole_change
from admin_app.components.layout import page_shell
from admin_app.components.status import error_callout, status_badge
from admin_app.glossary import LOGIN_OFF, LOGIN_ON
from admin_app.state.customer_detail import CustomerDetailState
from admin_app.state.customer_emails import CustomerEmailsState

S = CustomerDetailState
C = S.customer
M = CustomerEmailsState
A = S.account
E = S.field_errors


def _summary() -> rx.Component:
    login = rx.cond(
        C["login_activated"],
        rx.badge(LOGIN_ON, color_scheme="green"),
        rx.badge(LOGIN_OFF, color_scheme="red"),
    )
    actions = rx.hstack(
        rx.cond(
            may(Permission.CUSTOMERS_EDIT),
            rx.button(rx.icon("pencil", size=14), "Edit", on_click=S.open_edit),
        ),
        rx.cond(
            may(Permission.LOGIN_STATUS_EDIT),
            rx.button(
                rx.cond(C["login_activated"], "Disable login", "Re-activate login"),
                variant="soft",
                color_scheme=rx.cond(C["login_activated"], "red", "green"),
                on_click=S.show_login(True),
            ),
        ),
        rx.cond(
            may(Permission.CUSTOMERS_EDIT) & (C["uid"] != ""),
            rx.button("Unlink account", variant="soft", color_scheme="gray", on_click=S.show_unlink(True)),
        ),
        spacing="2",
        wrap="wrap",
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(C["name"], size="5", as_="h2"),
                login,
                rx.cond(
                    C["confirmed"] != "",
                    rx.badge("Email confirmed"),
                    rx.badge("Unconfirmed", color_scheme="amber"),
                ),
                rx.spacer(),
                actions,
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.cond(
                S.disabled_warning != "",
                rx.callout(S.disabled_warning, icon="shield-alert", color_scheme="amber", size="1"),
            ),
            rx.data_list.root(
                field_row("Email", C["email"]),
                field_row("Company", C["company"]),
                field_row("Country", C["country"]),
                field_row("Email confirmed", rx.cond(C["confirmed"] != "", C["confirmed"], "not confirmed")),
                field_row(
                    "Linked account id",
                    rx.cond(C["uid"] != "", linked_out(C["gitlab_url"], C["uid"], "GitLab.com"), "none"),
                ),
                field_row("Created", C["created"]),
                field_row("Updated", C["updated"]),
                size="2",
            ),
            spacing="3",
        ),
        width="100%",
    )


def _contact(contact) -> rx.Component:
    return rx.hstack(
        rx.badge(contact["role"], color_scheme=rx.cond(contact["role"] == "Contact", "gray", "blue")),
        rx.vstack(
            rx.text(contact["name"], " · ", contact["email"], size="2", weight="medium"),
            rx.text(contact["address"], size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        align="center",
        spacing="3",
    )


def _billing_account() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Billing account membership", size="3", as_="h2"),
            rx.cond(
                S.membership_id != "",
                rx.vstack(
                    rx.hstack(
                        rx.text(A["name"], weight="medium"),
                        rx.code(A["zuora_account_id"], variant="ghost"),
                        rx.link("Open account", href="/billing-accounts/" + A["id"], size="2"),
                        spacing="3",
                        align="center",
                        wrap="wrap",
                    ),
                    rx.foreach(S.contacts, _contact),
                    spacing="2",
                ),
                rx.text(
                    "No membership: saving this customer changes no billing contact.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
            ),
            spacing="3",
        ),
        width="100%",
    )


def _history_record(row) -> rx.Component:
    return cell_stack(record_name(row), whole_change(row), gap="1")


HISTORY = [
    Column("when", "When"),
    Column("actor", "Staff member"),
    Column("event", "Event"),
    Column("item", "Record", render=_history_record, wrap=True),
    Column("field", "Field"),
    Column("before", "Before", wrap=True),
    Column("after", "After", wrap=True),
    Column("reason", "Reason", wrap=True),
]


LICENSES = [
    Column("issued_date", "Issued"),
    Column("company", "Company", wrap=True),
    Column("plan", "Plan"),
    Column("status", "Status", render=status_badge),
    Column("starts", "Starts"),
    Column("expires", "Expires"),
]


def _licenses() -> rx.Component:
    """The licenses sent to the customer's address, newest issued first (the latest 50)."""
    return rx.cond(
        S.licenses.length() > 0,
        data_table(LICENSES, S.licenses, row_href=lambda row: "/licenses/" + row["id"]),
        rx.text(
            "No license was sent to this address.",
            color=rx.color("gray", 11),
            data_testid="no-licenses",
        ),
    )


def _edit_dialog() -> rx.Component:
    form = rx.form(
        rx.vstack(
            rx.hstack(
                form_field("first_name", "First name", C["first_name"], E.first_name),
                form_field("last_name", "Last name", C["last_name"], E.last_name),
                width="100%",
            ),
            form_field("email", "Email", C["email"], E.email),
            rx.checkbox(
                "Skip email confirmation (keep the address confirmed)", name="skip_email_confirmation"
            ),
            form_field("company", "Company", C["company"], E.company),
            form_field("country", "Country (ISO code)", C["country"], E.country, max_length=2),
            reason_field(E.reason, required=False),
            rx.cond(S.form_message != "", error_callout(S.form_message)),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                rx.button("Review changes", type="submit"),
                justify="end",
                width="100%",
            ),
            spacing="3",
        ),
        on_submit=S.review_edit,
        reset_on_submit=False,
    )
    return rx.dialog.root(
        rx.dialog.content(rx.dialog.title("Edit customer"), form, max_width="36rem"),
        open=S.edit_open,
        on_open_change=S.show_edit,
    )


def _sold_to_address() -> rx.Component:
    """Rule 3 replacing the Sold To: every field of the contact, and the address decided on purpose."""
    return rx.vstack(
        rx.foreach(S.review_contact_lines, _review_line),
        address_decision(
            E,
            legend="The Sold To's address",
            keep_label="Keep the current address (the company's, not the previous person's own)",
        ),
        spacing="2",
        width="100%",
        data_testid="sold-to-address",
    )


def _review_line(line) -> rx.Component:
    return rx.hstack(
        rx.text(line["what"], weight="medium", size="2", min_width="8rem"),
        rx.text(line["before"], size="2", color=rx.color("gray", 11)),
        rx.icon("arrow-right", size=14),
        rx.text(line["after"], size="2"),
        align="center",
        wrap="wrap",
    )


def _review_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Save these changes?"),
            rx.form(
                rx.vstack(
                    rx.foreach(S.review_lines, _review_line),
                    rx.cond(
                        S.review_consequences.length() > 0,
                        rx.callout.root(
                            rx.callout.icon(rx.icon("info")),
                            rx.el.ul(
                                rx.foreach(S.review_consequences, lambda said: rx.el.li(said)),
                                padding_left="1rem",
                                margin="0",
                                font_size="var(--font-size-2)",
                            ),
                            data_testid="email-consequences",
                        ),
                    ),
                    rx.cond(
                        S.review_contact != "",
                        rx.callout(
                            S.review_contact,
                            icon="triangle-alert",
                            color_scheme="amber",
                            data_testid="rule-3",
                        ),
                    ),
                    rx.cond(S.review_replaces, _sold_to_address()),
                    rx.hstack(
                        rx.button(
                            "Go back",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=S.back_to_edit,
                        ),
                        rx.button("Save", type="submit", loading=S.saving),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=S.confirm_edit,
            ),
            max_width="40rem",
        ),
        open=S.review_open,
    )


def _login_dialog() -> rx.Component:
    activating = ~C["login_activated"]
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(activating, "Re-activate login", "Disable login")),
            rx.form(
                rx.vstack(
                    rx.cond(
                        activating & (S.disabled_warning != ""),
                        rx.callout(S.disabled_warning, icon="shield-alert", color_scheme="amber", size="1"),
                    ),
                    reason_field(S.login_errors.reason, required=True),
                    rx.cond(
                        S.login_message != "",
                        rx.callout(
                            S.login_message,
                            icon="triangle-alert",
                            color_scheme=rx.cond(S.login_needs_confirmation, "amber", "red"),
                            size="1",
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(
                            rx.cond(
                                S.login_needs_confirmation,
                                "Yes, re-activate it",
                                rx.cond(activating, "Re-activate", "Disable login"),
                            ),
                            type="submit",
                            color_scheme=rx.cond(activating, "green", "red"),
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=S.change_login,
                reset_on_submit=False,
            ),
            max_width="32rem",
        ),
        open=S.login_open,
        on_open_change=S.show_login,
    )


def _unlink_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Unlink the GitLab.com account?"),
            rx.form(
                rx.vstack(
                    rx.text("The customer will no longer be linked to account ", C["uid"], ".", size="2"),
                    reason_field(S.unlink_errors.reason, required=True),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Unlink", type="submit", color_scheme="red"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=S.unlink,
                reset_on_submit=False,
            ),
            max_width="32rem",
        ),
        open=S.unlink_open,
        on_open_change=S.show_unlink,
    )


def _emails() -> rx.Component:
    """Support sends the customer a confirmation email (while the address is unconfirmed) or a one-time
    sign-in link to the portal; the server refuses either for other roles."""
    sends = rx.hstack(
        rx.cond(
            C["confirmed"] == "",
            rx.button(
                rx.icon("mail-check", size=16),
                "Send confirmation email",
                variant="soft",
                on_click=M.send_confirmation,
            ),
        ),
        rx.button(
            rx.icon("log-in", size=16),
            "Send one-time sign-in link",
            variant="soft",
            on_click=M.send_sign_in_link,
        ),
        spacing="2",
    )
    return emails_card(
        M.emails,
        "Nothing has been sent to this customer from this app.",
        rx.cond(may(Permission.CUSTOMERS_EDIT), sends),
    )


def customer_detail_page() -> rx.Component:
    body = detail_body(
        error=S.error,
        not_found=S.not_found,
        not_found_message="There is no customer with this id.",
        loading=S.loading & (C["id"] == ""),
        content=rx.vstack(
            _summary(),
            rx.tabs.root(
                rx.tabs.list(
                    rx.tabs.trigger("Billing account", value="account"),
                    rx.tabs.trigger("Licenses", value="licenses"),
                    rx.tabs.trigger("History", value="history"),
                    rx.tabs.trigger("Emails", value="emails"),
                ),
                rx.tabs.content(rx.box(_billing_account(), padding_top="1rem"), value="account"),
                rx.tabs.content(rx.box(_licenses(), padding_top="1rem"), value="licenses"),
                rx.tabs.content(
                    rx.box(
                        rx.cond(
                            S.history.length() > 0,
                            data_table(HISTORY, S.history),
                            rx.text("No changes recorded yet.", color=rx.color("gray", 11)),
                        ),
                        padding_top="1rem",
                    ),
                    value="history",
                ),
                rx.tabs.content(rx.box(_emails(), padding_top="1rem"), value="emails"),
                default_value="account",
                width="100%",
            ),
            _edit_dialog(),
            _review_dialog(),
            _login_dialog(),
            _unlink_dialog(),
            width="100%",
            spacing="4",
        ),
    )
    return page_shell("Customer", back_to("Customers", "/customers"), body)
