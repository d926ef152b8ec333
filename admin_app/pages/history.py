"""/history: every change (who, when, before → after, why) across customers, contacts, memberships."""

import reflex as rx

from admin_app.components.data_table import Column
from admin_app.components.filters import date_filter, select_filter, text_filter
from admin_app.components.list_page import clear_filters_button, export_button, list_page
from admin_app.db.audit import ITEM_LABELS
from admin_app.state.history import HistoryState

S = HistoryState


def _record(row) -> rx.Component:
    return rx.vstack(
        rx.cond(
            row["href"] != "",
            rx.link(row["item"], href=row["href"], size="2"),
            rx.text(row["item"], size="2"),
        ),
        rx.cond(
            row["request_id"] != "",
            rx.link("whole change", href="/history?request=" + row["request_id"], size="1"),
        ),
        spacing="0",
    )


def _before(row) -> rx.Component:
    return rx.text(row["before"], size="2", color=rx.color("gray", 11))


COLUMNS = [
    Column("when", "When"),
    Column("actor", "Staff member", wrap=True),
    Column("event", "Event"),
    Column("item", "Record", render=_record),
    Column("field", "Field"),
    Column("before", "Before", render=_before, wrap=True),
    Column("after", "After", wrap=True),
    Column("reason", "Reason", wrap=True),
]


def filter_bar() -> rx.Component:
    chosen, on_change = S.filters, S.set_filter
    return rx.hstack(
        text_filter("actor", "Staff member (email)", chosen["actor"], on_change),
        select_filter("type", "Record type", ITEM_LABELS, chosen["type"], on_change),
        text_filter("record", "Record id", chosen["record"], on_change, width="7rem"),
        text_filter("field", "Field", chosen["field"], on_change, width="9rem"),
        date_filter("from", "From", chosen["from"], on_change),
        date_filter("to", "To", chosen["to"], on_change),
        clear_filters_button(S),
        spacing="3",
        align="end",
        wrap="wrap",
    )


def history_page() -> rx.Component:
    return list_page(
        S,
        title="History",
        noun="changes",
        search_placeholder="Search reasons, staff and changed values",
        filter_bar=filter_bar(),
        columns=COLUMNS,
        row_href=None,
        empty_hint="Widen the dates, clear a filter, or search for a word from the reason.",
        actions=export_button("/api/export/history.csv" + S.query_string),
    )
