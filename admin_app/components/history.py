"""History lines as /history and the records' History tabs show them: the record, named and linked to
the page it is shown on, the whole staff action it was part of, and values that wrap so the eight
columns fit beside the sidebar at 1024 px."""

import reflex as rx

from admin_app.components.cells import Content

# Radix Themes' class for `white-space: normal`: a cell's words wrap at spaces.
WORDS_WRAP = "rt-r-tw-wrap"


def wrapping(value: Content, *, muted: bool = False) -> rx.Component:
    """A long value that wraps in a narrow column (`.history-wrap` in assets/tables.css)."""
    return rx.el.p(value, class_name="rt-Text rt-r-size-2 history-wrap" + (" muted" if muted else ""))


def words(value: Content) -> rx.Component:
    """A short value that wraps at its spaces ("2026-12-07 19:22 UTC", "login activated")."""
    return rx.el.p(value, class_name=f"rt-Text rt-r-size-2 {WORDS_WRAP}")


def record_name(row) -> rx.Component:
    """The record's name, a link to its page when it has one; a long name wraps at its spaces."""
    return rx.cond(
        row["href"] != "",
        rx.link(row["item"], href=row["href"], size="2", class_name=WORDS_WRAP),
        words(row["item"]),
    )


def whole_change(row) -> rx.Component:
    """On a row's first line: the staff action it was part of, every row it wrote, on /history."""
    return rx.cond(
        row["request_id"] != "",
        rx.link("whole change", href="/history?request=" + row["request_id"], size="1"),
    )
