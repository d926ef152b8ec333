"""/reconciliations/failures: failed reconciliations worked off as a queue, oldest first; support takes
one, writes notes on it and closes it with what came of it."""

import reflex as rx

from admin_app.auth.permissions import Permission
from admin_app.components.access import may
from admin_app.components.cells import cell_badge, cell_line, cell_text
from admin_app.components.data_table import Column, data_table
from admin_app.components.forms import field_error, reason_field
from admin_app.components.layout import page_shell
from admin_app.components.status import error_callout
from admin_app.state.failure_queue import OUTCOME_CHOICES, FailureQueueState

S = FailureQueueState


def _holder(row) -> rx.Component:
    return rx.cond(row["holder"] != "", cell_text(row["holder"]), cell_text("Nobody yet", muted=True))


def _failure_class(row) -> rx.Component:
    return cell_badge(row["class_label"], "red")


def _link(row):
    return "/reconciliations/" + row["id"]


def _actions(row) -> rx.Component:
    return rx.cond(
        may(Permission.FAILURES_WORK),
        cell_line(
            rx.cond(
                row["holder"] == "",
                rx.button(
                    "Take", size="1", on_click=S.take(row), aria_label="Take reconciliation " + row["id"]
                ),
                rx.button(
                    "Close",
                    size="1",
                    variant="soft",
                    on_click=S.open_close(row),
                    aria_label="Close reconciliation " + row["id"],
                ),
            ),
            rx.button(
                "Note",
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=S.open_note(row),
                aria_label="Note on reconciliation " + row["id"],
            ),
        ),
    )


COLUMNS = [
    Column("date", "Date"),
    Column("class_label", "Failure", render=_failure_class),
    Column("account", "Account", wrap=True),
    Column("at_stake", "At stake", align="right"),
    Column("age_days", "Age (days)", align="right"),
    Column("holder", "Who has it", render=_holder),
    Column("id", "Actions", render=_actions),
]


def _counts() -> rx.Component:
    return rx.hstack(
        rx.foreach(S.counts, lambda c: rx.badge(c.label, ": ", c.count, color_scheme="gray", size="2")),
        spacing="2",
        wrap="wrap",
        data_testid="failure-counts",
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.spacer(),
        rx.text("Page ", S.page_number, size="2", data_testid="page-number"),
        rx.button(
            rx.icon("chevron-left", size=16),
            "Previous",
            variant="soft",
            disabled=S.page_number <= 1,
            on_click=S.prev_page,
        ),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=16),
            variant="soft",
            disabled=~S.has_next,
            on_click=S.next_page,
        ),
        align="center",
        width="100%",
        spacing="3",
    )


def _cancel() -> rx.Component:
    return rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button"))


def _close_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Close reconciliation #", S.target_id),
            rx.dialog.description(S.target_about, size="2"),
            rx.form(
                rx.vstack(
                    rx.el.label("What came of it", html_for="outcome", font_size="var(--font-size-2)"),
                    rx.select.root(
                        rx.select.trigger(id="outcome", placeholder="Choose an outcome", width="100%"),
                        rx.select.content(
                            *[rx.select.item(label, value=value) for value, label in OUTCOME_CHOICES]
                        ),
                        name="outcome",
                    ),
                    field_error("outcome", S.outcome_error),
                    reason_field(S.reason_error, required=True),
                    rx.hstack(_cancel(), rx.button("Close it", type="submit"), justify="end", width="100%"),
                    spacing="3",
                ),
                on_submit=S.close_failure,
                reset_on_submit=False,
            ),
            max_width="32rem",
        ),
        open=S.dialog == "close",
        on_open_change=S.set_dialog_open,
    )


def _note_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Note on reconciliation #", S.target_id),
            rx.form(
                rx.vstack(
                    rx.el.label("Note", html_for="text", font_size="var(--font-size-2)"),
                    rx.text_area(id="text", name="text", rows="4", max_length=2000, width="100%"),
                    field_error("text", S.note_error),
                    rx.hstack(_cancel(), rx.button("Add note", type="submit"), justify="end", width="100%"),
                    spacing="3",
                ),
                on_submit=S.add_note,
                reset_on_submit=True,
            ),
            max_width="32rem",
        ),
        open=S.dialog == "note",
        on_open_change=S.set_dialog_open,
    )


def failure_queue_page() -> rx.Component:
    return page_shell(
        "Failed reconciliations",
        rx.text(
            "Open failures, oldest first. Take one to work it off; anyone may close it with what came of it.",
            size="2",
            color=rx.color("gray", 11),
        ),
        _counts(),
        rx.cond(
            S.error != "",
            error_callout(S.error),
            rx.cond(
                S.rows.length() > 0,
                data_table(COLUMNS, S.rows, row_href=_link),
                rx.cond(~S.loading, rx.text("No open failures.", color=rx.color("gray", 11))),
            ),
        ),
        _pager(),
        _close_dialog(),
        _note_dialog(),
        needs=Permission.FAILURES_READ,
    )
