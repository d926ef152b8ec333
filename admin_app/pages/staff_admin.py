"""/admin/sessions (admin) and /audit (admin, support): who is signed in, and the sign-in audit trail."""

import reflex as rx

from admin_app.auth.permissions import Permission
from admin_app.components.data_table import Column, table_or_message
from admin_app.components.filters import described_filters
from admin_app.components.layout import page_shell
from admin_app.components.list_page import filters_and_clear, list_page
from admin_app.state.staff_admin import AuditState, SessionsState


def _who(row) -> rx.Component:
    return rx.vstack(
        rx.text(row["name"], size="2", weight="medium"),
        rx.text(row["email"], size="1", color=rx.color("gray", 11)),
        spacing="0",
    )


def _confirm_end(trigger: str, title: str, description: list, action: str, on_confirm) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(trigger, color_scheme="red", variant="soft", size="1")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(*description),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(action, color_scheme="red", on_click=on_confirm)),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
        ),
    )


def _end_session(row) -> rx.Component:
    return rx.hstack(
        _confirm_end(
            "End session",
            "End this session?",
            [row["name"], " (", row["email"], ") will have to sign in again at their next action."],
            "End session",
            SessionsState.revoke(row["ref"]),
        ),
        rx.cond(
            row["sessions_of_person"] > 1,
            _confirm_end(
                "End all " + row["sessions_of_person"].to_string(),
                "End every session of this person?",
                [
                    "All ",
                    row["sessions_of_person"],
                    " sessions of ",
                    row["name"],
                    " (",
                    row["email"],
                    "), in every browser, end now.",
                ],
                "End all sessions",
                SessionsState.revoke_all_of_person(row["ref"]),
            ),
        ),
        spacing="2",
        justify="end",
    )


SESSION_COLUMNS = [
    Column("email", "Staff member", render=_who, wrap=True),
    Column("roles", "Roles"),
    Column("signed_in", "Signed in"),
    Column("last_seen", "Last active"),
    Column("client_address", "Address"),
    Column("ref", "Actions", render=_end_session, align="right"),
]
AUDIT_COLUMNS = [
    Column("at", "When"),
    Column("kind", "What"),
    Column("email", "Staff member"),
    Column("client_address", "Address"),
    Column("detail", "Detail", wrap=True),
]


def sessions_page() -> rx.Component:
    body = table_or_message(
        SESSION_COLUMNS, SessionsState.rows, error=SessionsState.error, empty="Nobody is signed in."
    )
    return page_shell("Staff sessions", body, needs=Permission.SESSIONS_ADMIN)


def audit_page() -> rx.Component:
    return list_page(
        AuditState,
        title="Sign-in audit",
        noun="entries",
        search_placeholder="Search details, emails and addresses",
        filter_bar=filters_and_clear(AuditState, *described_filters(AuditState)),
        columns=AUDIT_COLUMNS,
        row_href=None,
        empty_hint="Widen the dates or clear a filter. Times are in UTC.",
        actions=rx.fragment(),
        needs=Permission.AUDIT_READ,
    )
