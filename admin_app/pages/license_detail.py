"""/licenses/[license_id]: every field of one license and the company's other licenses."""

import reflex as rx

from admin_app.auth.permissions import Permission
from admin_app.components.access import may
from admin_app.components.detail import back_to, detail_body, field_row, license_timeline
from admin_app.components.emails import emails_card
from admin_app.components.forms import form_field, reason_field
from admin_app.components.layout import page_shell
from admin_app.components.status import active_badge, error_callout, status_badge
from admin_app.state.license_detail import LicenseDetailState, ServerRow
from admin_app.state.license_sending import LicenseSendingState

L = LicenseDetailState.license
R = LicenseDetailState.recipient
E = LicenseSendingState


def _recipient() -> rx.Component:
    """Who the license went to: the customer with its address (and whether they are their billing
    account's Sold To), or the address alone when no customer has it."""
    customer = rx.hstack(
        rx.link(R.name, href="/customers/" + R.customer_id, size="2", weight="medium"),
        rx.text(L["email"], size="2", color=rx.color("gray", 11)),
        rx.cond(R.sold_to_of != "", rx.badge("Sold To of ", R.sold_to_of, color_scheme="blue")),
        align="center",
        spacing="2",
        wrap="wrap",
    )
    nobody = rx.text(
        L["email"],
        rx.text.span(" (no customer with this address)", color=rx.color("gray", 11)),
        size="2",
    )
    return rx.hstack(
        rx.cond(R.customer_id != "", customer, nobody),
        rx.icon_button(
            rx.icon("copy", size=14),
            size="1",
            variant="ghost",
            aria_label="Copy email",
            on_click=[rx.set_clipboard(L["email"]), rx.toast.success("Email copied")],
        ),
        align="center",
        spacing="2",
    )


def _subscription() -> rx.Component:
    return rx.cond(
        L["subscription_name"] != "",
        rx.link(L["subscription_name"], href="/subscriptions/" + L["subscription_name"], size="2"),
        rx.text("None (trial)", size="2", color=rx.color("gray", 11)),
    )


def _details() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(L["company"], size="5", as_="h2"),
                active_badge(L),
                status_badge(L),
                rx.badge(L["trial"], color_scheme=rx.cond(L["trial"] == "Trial", "amber", "gray")),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.data_list.root(
                field_row("License id", L["id"]),
                field_row("Licensee", L["licensee_name"]),
                field_row("Delivered to", _recipient()),
                field_row("Plan", L["plan"]),
                field_row("Users", L["user_count"]),
                field_row("Issued", L["issued"]),
                field_row("Starts", L["starts"]),
                field_row("Expires", L["expires"]),
                field_row("Type", L["license_type"]),
                field_row("Subscription", _subscription()),
                size="2",
            ),
            spacing="3",
        ),
        width="100%",
    )


def _activation() -> rx.Component:
    """A cloud license's code: used or not, and by which instances."""
    A = LicenseDetailState.activation
    instances = rx.table.root(
        rx.table.header(
            rx.table.row(rx.table.column_header_cell("Instance"), rx.table.column_header_cell("Activated"))
        ),
        rx.table.body(
            rx.foreach(
                A.instances,
                lambda row: rx.table.row(
                    rx.table.cell(rx.code(row[0], variant="ghost")), rx.table.cell(row[1])
                ),
            )
        ),
        size="1",
        width="100%",
    )
    return rx.cond(
        A.code_hint != "",
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading("Cloud activation", size="4", as_="h2"),
                    rx.cond(
                        A.used,
                        rx.badge("Code used", color_scheme="green"),
                        rx.badge("Not used yet", color_scheme="gray"),
                    ),
                    align="center",
                    spacing="2",
                ),
                rx.text(
                    "Activation code ending ",
                    rx.code(A.code_hint),
                    rx.cond(
                        A.used,
                        rx.text.span(
                            ", activated by ",
                            A.instances.length(),
                            rx.cond(A.instances.length() == 1, " instance:", " instances:"),
                        ),
                        ". No instance has activated it.",
                    ),
                    size="2",
                    data_testid="activation-summary",
                ),
                rx.cond(A.used, instances),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
    )


def _server_row(row: ServerRow) -> rx.Component:
    stale = rx.badge(
        "Stale",
        color_scheme="amber",
        title="No usage ping for more than " + LicenseDetailState.stale_days.to_string() + " days",
    )
    return rx.table.row(
        rx.table.cell(rx.code(row.hostname, variant="ghost")),
        rx.table.cell(row.version),
        rx.table.cell(row.active_users, text_align="right"),
        rx.table.cell(row.peak_users, text_align="right"),
        rx.table.cell(
            rx.hstack(rx.text(row.last_ping, white_space="nowrap"), rx.cond(row.stale, stale), spacing="2")
        ),
        data_testid="server-row",
    )


def _servers() -> rx.Component:
    """The servers that report usage under the license: the only way to find a customer's servers when
    their names do not resemble the company's domain."""
    S = LicenseDetailState.servers
    headers = ("Host name", "Version", "Active users", "Peak users", "Last ping")
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(label) for label in headers])),
        rx.table.body(rx.foreach(S, _server_row)),
        size="1",
        width="100%",
    )
    empty = rx.text(
        "No server has reported usage for this license.",
        size="2",
        color=rx.color("gray", 11),
        data_testid="no-servers",
    )
    return rx.card(
        rx.vstack(
            rx.heading("Servers using this license", size="4", as_="h2"),
            rx.cond(S.length() > 0, table, empty),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _emails() -> rx.Component:
    send = rx.button(rx.icon("send", size=16), "Send license…", variant="soft", on_click=E.show_send(True))
    return emails_card(
        E.emails,
        "Nothing has been sent about this license from this app.",
        rx.cond(may(Permission.LICENSE_FILES), send),
    )


def _send_dialog() -> rx.Component:
    A = LicenseDetailState.activation
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Send this license again"),
            rx.dialog.description(
                rx.cond(
                    A.code_hint != "",
                    "A cloud license is sent as its activation code.",
                    "The license file goes in the email.",
                ),
                " To a corrected address (support, admin), the license's email changes too: give the ticket.",
                size="2",
            ),
            rx.form(
                rx.vstack(
                    rx.cond(
                        A.used,
                        rx.callout(
                            "Its activation code was already used by an instance: sending it to another "
                            "address needs a reason.",
                            icon="triangle-alert",
                            color_scheme="amber",
                            size="1",
                        ),
                    ),
                    rx.cond(
                        E.emails.length() > 0,
                        rx.text(
                            "Last email: ",
                            E.emails[0].status,
                            " (",
                            E.emails[0].to_address,
                            ") ",
                            E.emails[0].answer,
                            size="1",
                            color=rx.color("gray", 11),
                            data_testid="last-email",
                        ),
                    ),
                    form_field("to_address", "To", L["email"], E.send_errors.to_address, max_length=254),
                    form_field(
                        "ticket", "Ticket (for a corrected address)", "", E.send_errors.ticket, max_length=100
                    ),
                    reason_field(E.send_errors.reason, required=False),
                    rx.cond(E.send_message != "", error_callout(E.send_message)),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Send", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=E.send,
                reset_on_submit=False,
            ),
            max_width="34rem",
        ),
        open=E.send_open,
        on_open_change=E.show_send,
    )


def license_detail_page() -> rx.Component:
    body = detail_body(
        error=LicenseDetailState.error,
        not_found=LicenseDetailState.not_found,
        not_found_message="There is no license with this id.",
        loading=LicenseDetailState.loading & (L["id"] == ""),
        content=rx.vstack(
            _details(),
            _activation(),
            _servers(),
            _emails(),
            _send_dialog(),
            rx.heading("All licenses of ", L["company"], size="4", as_="h2"),
            rx.card(license_timeline(LicenseDetailState.company_licenses, L["id"]), width="100%"),
            width="100%",
            spacing="4",
        ),
    )
    return page_shell("License", back_to("Licenses", "/licenses"), body, actions=_license_file_actions())


def _license_file_actions() -> rx.Component:
    """The license as a signed file (an HTTP download), for the roles that may hand one out."""
    download = rx.link(
        rx.button(rx.icon("file-down", size=16), "Download license file", variant="outline"),
        href="/api/licenses/" + L["id"] + "/license-file",
        reload_document=True,
        download=True,
    )
    return rx.cond(may(Permission.LICENSE_FILES) & (L["id"] != ""), download)
