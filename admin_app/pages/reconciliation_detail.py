"""/reconciliations/[reconciliation_id]: why it came out as it did (sentences, the seat arithmetic, the
subscription's previous and next reconciliation), every field, the billing account, its history."""

import reflex as rx

from admin_app.components.data_table import Column, data_table
from admin_app.components.detail import back_to, detail_body, field_row
from admin_app.components.layout import page_shell
from admin_app.components.status import reconciliation_status_badge
from admin_app.state.reconciliation_detail import ReconciliationDetailState

S = ReconciliationDetailState
R = S.reconciliation
A = S.account
M = S.arithmetic


def _or_dash(value) -> rx.Component:
    return rx.text(rx.cond(value != "", value, "—"), size="2")


def _account() -> rx.Component:
    return rx.vstack(
        rx.link(A["name"], href="/billing-accounts/" + A["id"], size="2", weight="medium"),
        rx.text("Zuora ", A["zuora_account_id"], size="1", color=rx.color("gray", 11)),
        rx.link(
            "All reconciliations of this account",
            href="/reconciliations?account=" + R["billing_account_id"],
            size="2",
        ),
        spacing="1",
    )


def _details() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(R["customer_name"], size="5", as_="h2"),
                reconciliation_status_badge(R),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.data_list.root(
                field_row("Reconciliation id", R["id"]),
                field_row("Billing account", _account()),
                field_row(
                    "Subscription",
                    rx.link(
                        R["subscription_name"], href="/subscriptions/" + R["subscription_name"], size="2"
                    ),
                ),
                field_row("Reconciliation date", R["reconciliation_date"]),
                field_row("Done", _or_dash(R["done_at"])),
                field_row("Skip reason", _or_dash(R["skip_reason"])),
                field_row("Users after", R["user_count"]),
                field_row("Invoiced", _or_dash(R["invoiced"])),
                field_row("Currency", R["currency"]),
                field_row(
                    "Error",
                    rx.cond(
                        R["error_message"] != "",
                        rx.code(R["error_message"], color_scheme="red", white_space="pre-wrap", size="2"),
                        rx.text("—", size="2"),
                    ),
                ),
                size="2",
            ),
            spacing="3",
        ),
        width="100%",
    )


def _arithmetic_row(label: str, value: rx.Var | rx.Component) -> rx.Component:
    content = value if isinstance(value, rx.Component) else rx.text(value, size="2")
    return rx.table.row(
        rx.table.row_header_cell(label, font_weight="normal"),
        rx.table.cell(content, text_align="right"),
    )


def _arithmetic() -> rx.Component:
    recorded = rx.hstack(
        rx.text(M["recorded_amount"], size="2"),
        rx.cond(
            M["matches_recorded"],
            rx.badge("matches", color_scheme="green"),
            rx.badge("differs", color_scheme="red"),
        ),
        spacing="2",
        justify="end",
    )
    table = rx.table.root(
        rx.table.body(
            _arithmetic_row("Seats before", M["seats_before"]),
            _arithmetic_row("Users counted at the quarter's peak", M["users_counted"]),
            _arithmetic_row("Seats added (users beyond the seats, never below 0)", M["seats_added"]),
            _arithmetic_row("Price per seat per month", M["seat_price"]),
            _arithmetic_row("Billed months", M["billed_months"]),
            _arithmetic_row("Amount (seats added x price x months)", M["amount"]),
            _arithmetic_row("Recorded invoice", recorded),
        ),
        size="1",
        variant="surface",
        max_width="36rem",
    )
    return rx.vstack(rx.heading("How the amount comes about", size="2", as_="h3"), table, spacing="2")


def _neighbour(link: rx.Var, label: str, none: str) -> rx.Component:
    return rx.cond(
        link["id"] != "",
        rx.link(
            label,
            ": ",
            link["reconciliation_date"],
            " (",
            link["status_label"],
            ")",
            href="/reconciliations/" + link["id"],
            size="2",
        ),
        rx.text(none, size="2", color=rx.color("gray", 11)),
    )


def _why() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Why", size="4", as_="h2"),
                rx.cond(S.failure_label != "", rx.badge(S.failure_label, color_scheme="red")),
                spacing="2",
                align="center",
            ),
            rx.foreach(S.sentences, lambda sentence: rx.text(sentence, size="3")),
            rx.cond(M["shown"], _arithmetic()),
            rx.hstack(
                _neighbour(S.previous_link, "← Previous", "No earlier reconciliation of this subscription"),
                _neighbour(S.next_link, "Next →", "No later reconciliation of this subscription"),
                spacing="5",
                wrap="wrap",
            ),
            spacing="3",
        ),
        width="100%",
    )


HISTORY_COLUMNS = [
    Column("reconciliation_date", "Date"),
    Column("subscription_name", "Subscription"),
    Column("status", "Status", render=reconciliation_status_badge),
    Column("user_count", "Users", align="right"),
    Column("invoiced", "Invoiced", align="right"),
    Column("skip_reason", "Skip reason", wrap=True),
    Column("error_preview", "Error", wrap=True),
]


def reconciliation_detail_page() -> rx.Component:
    body = detail_body(
        error=S.error,
        not_found=S.not_found,
        not_found_message="There is no reconciliation with this id.",
        loading=S.loading & (R["id"] == ""),
        content=rx.vstack(
            _why(),
            _details(),
            rx.heading("Reconciliations of ", A["name"], " over time", size="4", as_="h2"),
            data_table(HISTORY_COLUMNS, S.history, row_href=lambda row: "/reconciliations/" + row["id"]),
            width="100%",
            spacing="4",
        ),
    )
    return page_shell("Reconciliation", back_to("Reconciliations", "/reconciliations"), body)
