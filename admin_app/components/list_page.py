"""The parts of a searchable list page, laid out once for every state that mixes in ListPageState."""

from collections.abc import Callable

import reflex as rx
from reflex.vars import Var

from admin_app.auth.permissions import Permission
from admin_app.components.data_table import Column, data_table
from admin_app.components.filters import search_box
from admin_app.components.layout import page_shell
from admin_app.components.saved_views import save_view_button
from admin_app.components.status import error_callout, notices


def clear_filters_button(state) -> rx.Component:
    """Shown while a search or filter narrows the list."""
    return rx.cond(
        state.has_filters,
        rx.button("Clear all", variant="soft", color_scheme="gray", on_click=state.clear_filters),
    )


def filters_and_clear(state, *controls: rx.Component) -> rx.Component:
    """A list's filter controls, then Clear all, wrapping onto the next line as the page narrows."""
    return rx.hstack(*controls, clear_filters_button(state), spacing="3", align="end", wrap="wrap")


def pager(state, noun: str) -> rx.Component:
    """The result count, the page number and Previous / Next."""
    return rx.hstack(
        rx.text(
            rx.cond(
                state.count_label != "",
                state.count_label
                + rx.cond(state.count_label == "1", f" {noun.removesuffix('s')}", f" {noun}"),
                "Counting…",
            ),
            size="2",
            color=rx.color("gray", 11),
            data_testid="result-count",
        ),
        rx.spacer(),
        rx.text(
            "Page ",
            state.page_number,
            rx.cond(state.page_count > 0, rx.fragment(" of ", state.page_count), ""),
            size="2",
            data_testid="page-number",
        ),
        rx.button(
            rx.icon("chevron-left", size=16),
            "Previous",
            variant="soft",
            disabled=state.prev_cursor == "",
            on_click=state.prev_page,
        ),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=16),
            variant="soft",
            disabled=state.next_cursor == "",
            on_click=state.next_page,
        ),
        align="center",
        width="100%",
        spacing="3",
    )


def empty_state(state, noun: str, hint: str) -> rx.Component:
    """What an empty result means, and the way out of it."""
    return rx.center(
        rx.vstack(
            rx.icon("search-x", size=32, color=rx.color("gray", 9)),
            rx.text(f"No {noun} match.", weight="medium"),
            rx.text(hint, size="2", color=rx.color("gray", 11)),
            rx.button("Clear search and filters", variant="soft", on_click=state.clear_filters),
            align="center",
            spacing="2",
        ),
        padding="3rem",
        width="100%",
    )


def results(
    state,
    columns: list[Column],
    row_href: Callable[[Var], Var] | None,
    empty: rx.Component,
    row_hidden: Callable[[Var], Var] | None = None,
) -> rx.Component:
    """The database error, the table (dimmed while the next page loads), a spinner, or the empty state."""
    table = data_table(
        columns,
        state.rows,
        sort=state.sort,
        descending=state.descending,
        on_sort=state.sort_by,
        row_href=row_href,
        row_hidden=row_hidden,
    )
    return rx.cond(
        state.error != "",
        error_callout(state.error),
        rx.cond(
            state.rows.length() > 0,
            rx.box(
                table, opacity=rx.cond(state.loading, "0.55", "1"), transition="opacity 0.15s", width="100%"
            ),
            rx.cond(state.loading, rx.center(rx.spinner(size="3"), padding="3rem"), empty),
        ),
    )


def export_button(href: Var) -> rx.Component:
    """Downloads everything the current search and filters match (a full request: it is an HTTP route)."""
    return rx.link(
        rx.button(rx.icon("download", size=16), "Export CSV", variant="outline"),
        href=href,
        reload_document=True,
        download=True,
    )


def list_page(
    state,
    *,
    title: str,
    noun: str,
    search_placeholder: str,
    filter_bar: rx.Component,
    columns: list[Column],
    row_href: Callable[[Var], Var] | None,
    empty_hint: str,
    actions: rx.Component,
    row_hidden: Callable[[Var], Var] | None = None,
    needs: Permission | None = None,
) -> rx.Component:
    """Search box, filters, notices, pager and results, in the page shell (see page_shell for `needs`)."""
    return page_shell(
        title,
        search_box(state.q, state.set_search, search_placeholder),
        filter_bar,
        notices(state.notices),
        rx.cond(
            state.partial_notice != "",
            rx.callout(state.partial_notice, icon="info", color_scheme="blue", size="1", width="100%"),
        ),
        pager(state, noun),
        rx.box(
            results(state, columns, row_href, empty_state(state, noun, empty_hint), row_hidden),
            width="100%",
            data_testid="results",
            data_query=state.loaded_query,
        ),
        actions=rx.fragment(save_view_button(), actions),
        needs=needs,
    )
