"""One server-driven table: columns described once, sorting by allowlisted keys."""

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx
from reflex.vars import Var

from admin_app.components.cells import cell_text, row_link
from admin_app.components.status import error_callout


@dataclass(frozen=True)
class Column:
    """A column: the row key it shows, its header, and the sort key if it sorts."""

    key: str
    label: str
    sort_key: str | None = None
    render: Callable[[Var], rx.Component] | None = None
    align: str = "left"
    wrap: bool = False
    # One of the columns that matter least: left out on a narrow screen (assets/tables.css).
    secondary: bool = False

    @property
    def narrow_class(self) -> str:
        return " cell-secondary" if self.secondary else ""


def _header(column: Column, sort: Var, descending: Var, on_sort: Callable) -> rx.Component:
    if column.sort_key is None:
        return rx.table.column_header_cell(
            column.label, text_align=column.align, class_name=column.narrow_class.strip()
        )
    is_sorted = sort == column.sort_key
    arrow = rx.cond(
        is_sorted,
        rx.cond(descending, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)),
        rx.icon("arrow-up-down", size=14, opacity="0.35"),
    )
    return rx.table.column_header_cell(
        rx.button(
            rx.text(column.label, weight="bold"),
            arrow,
            variant="ghost",
            size="1",
            color_scheme="gray",
            on_click=on_sort(column.sort_key),
            aria_label=f"Sort by {column.label}",
        ),
        text_align=column.align,
        class_name=column.narrow_class.strip(),
        aria_sort=rx.cond(is_sorted, rx.cond(descending, "descending", "ascending"), "none"),
    )


def data_table(
    columns: list[Column],
    rows: Var,
    *,
    sort: Var | None = None,
    descending: Var | None = None,
    on_sort: Callable | None = None,
    row_href: Callable[[Var], Var] | None = None,
    row_hidden: Callable[[Var], Var] | None = None,
) -> rx.Component:
    """The table of one page of rows; a row links to its detail (from its first cell) when `row_href`
    is given, and is
    left out of view (and of the accessibility tree) while `row_hidden` is true."""

    def cell(column: Column, row: Var, href: Var | None = None) -> rx.Component:
        content = column.render(row) if column.render else cell_text(row[column.key])
        if href is not None:
            # The row's main cell is a real link: Tab reaches it, Enter and a middle click open it,
            # and its ::after (assets/tables.css) stretches over the row for a click anywhere.
            content = row_link(content, href)
        classes = "rt-TableCell " + ("cell-wrap" if column.wrap else "cell-nowrap") + column.narrow_class
        return rx.el.td(content, class_name=classes + (" cell-right" if column.align == "right" else ""))

    def render_row(row: Var) -> rx.Component:
        # Plain rows and cells with Radix Themes' class names (components/cells.py): a page of rows
        # is drawn again on every search.
        if row_href is None:
            cells = [cell(column, row) for column in columns]
            if row_hidden is None:
                return rx.el.tr(*cells, class_name="rt-TableRow")
            return rx.el.tr(*cells, class_name="rt-TableRow", hidden=row_hidden(row))
        main, *others = columns
        return rx.el.tr(
            cell(main, row, row_href(row)),
            *[cell(column, row) for column in others],
            class_name="rt-TableRow linked-row",
            data_testid="result-row",
        )

    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[_header(c, sort, descending, on_sort) for c in columns])),
            rx.table.body(rx.foreach(rows, render_row)),
            size="1",
            variant="surface",
            width="100%",
        ),
        width="100%",
        overflow_x="auto",
    )


def table_or_message(columns: list[Column], rows: Var, *, error: Var, empty: str) -> rx.Component:
    """A small, unpaged list: the database error, the rows, or what it means that there are none."""
    return rx.cond(
        error != "",
        error_callout(error),
        rx.cond(rows.length() > 0, data_table(columns, rows), rx.text(empty, color=rx.color("gray", 11))),
    )
