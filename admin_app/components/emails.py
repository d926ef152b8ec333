"""A record page's Emails card: what was sent about the record and what the mail server made of it."""

import reflex as rx
from reflex.vars import Var

from admin_app.state.emails import EmailRow

STATUS_COLOURS = {"delivered": "green", "sent": "blue", "bounced": "red", "failed": "red"}
HEADERS = ("Asked for", "What", "To", "By", "Status", "Mail server's answer")


def _row(row: EmailRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.requested, white_space="nowrap"),
        rx.table.cell(row.what),
        rx.table.cell(row.to_address),
        rx.table.cell(row.requested_by),
        rx.table.cell(
            rx.badge(row.status, color_scheme=rx.match(row.status, *STATUS_COLOURS.items(), "gray"))
        ),
        rx.table.cell(rx.text(row.answer, size="1", color=rx.color("gray", 11))),
        data_testid="email-row",
    )


def emails_card(emails: Var, empty: str, actions: rx.Component) -> rx.Component:
    """The emails, newest first, with the page's ways to send one (`actions`), or `empty`."""
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(label) for label in HEADERS])),
        rx.table.body(rx.foreach(emails, _row)),
        size="1",
        width="100%",
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Emails", size="4", as_="h2"), rx.spacer(), actions, align="center", width="100%"
            ),
            rx.cond(emails.length() > 0, table, rx.text(empty, size="2", color=rx.color("gray", 11))),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
