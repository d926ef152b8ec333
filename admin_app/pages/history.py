"""/history: every change (who, when, before → after, why) across customers, contacts, memberships."""

from collections.abc import Callable

import reflex as rx
from reflex.vars import Var

from admin_app.components.cells import cell_stack
from admin_app.components.data_table import Column
from admin_app.components.filters import described_filters
from admin_app.components.history import record_name, whole_change, words, wrapping
from admin_app.components.list_page import clear_filters_button, export_button, list_page
from admin_app.state.history import HistoryState

S = HistoryState


def _unfold(row) -> rx.Component:
    """On the main row of a folded staff action: show or fold its other rows."""
    open_ = S.expanded.contains(row["request_id"])
    return rx.button(
        rx.cond(open_, rx.icon("chevron-down", size=14), rx.icon("chevron-right", size=14)),
        rx.cond(open_, "Fold ", "Show "),
        row["more"],
        rx.cond(row["more"] == 1, " more row", " more rows"),
        variant="ghost",
        size="1",
        aria_expanded=rx.cond(open_, "true", "false"),
        on_click=S.toggle_change(row["request_id"]),
        data_testid="unfold",
    )


def _record(row) -> rx.Component:
    return cell_stack(record_name(row), rx.cond(row["more"] > 0, _unfold(row)), whole_change(row), gap="1")


def _folded(row) -> rx.Var:
    """A consequence of a staff action stays folded under its main row until shown (always shown when the
    page lists one action)."""
    return (row["folded"] != "") & (S.filters["request"] == "") & ~S.expanded.contains(row["folded"])


def _wrapping(key: str, *, muted: bool = False) -> Callable[[Var], rx.Component]:
    return lambda row: wrapping(row[key], muted=muted)


def _words(key: str) -> Callable[[Var], rx.Component]:
    return lambda row: words(row[key])


# Eight columns beside the sidebar at 1024 px: the values wrap (components/history.py), each long one in
# a column of 4rem at least, so no column pushes the reason out of view.
COLUMNS = [
    Column("when", "When", sort_key="when", render=_words("when")),
    Column("actor", "Staff member", render=_wrapping("actor")),
    Column("event", "Event"),
    Column("item", "Record", render=_record),
    Column("field", "Field", render=_words("field")),
    Column("before", "Before", render=_wrapping("before", muted=True)),
    Column("after", "After", render=_wrapping("after")),
    Column("reason", "Reason", render=_wrapping("reason")),
]


def filter_bar() -> rx.Component:
    return rx.hstack(
        *described_filters(S),
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
        row_hidden=_folded,
        empty_hint="Widen the dates, clear a filter, or search for a word from the reason.",
        actions=export_button("/api/export/history.csv" + S.query_string),
    )
