"""/reconciliations/charts: charts over one filter bar, linked to the table with the same filters."""

import plotly.graph_objects as go
import reflex as rx

from admin_app.components.filters import filter_controls, select_filter
from admin_app.components.layout import page_shell
from admin_app.components.list_page import filters_and_clear
from admin_app.components.status import error_callout, notices
from admin_app.db.reconciliations.search import ROLLUP_FILTERS
from admin_app.state.reconciliation_charts import ReconciliationChartsState

S = ReconciliationChartsState
# Each chart's click: a bar or point opens the table at its slice, under the page's filters.
BAR_CLICKS = {
    "status": S.open_status,
    "invoiced": S.open_invoiced,
    "skip_reasons": S.open_skip_reason,
    "failure_rate": S.open_failure_rate,
    "seats_added": S.open_seats_added,
    "top_accounts": S.open_account,
    "failure_classes": S.open_failure_class,
    "failure_ages": S.open_failure_age,
}
CHART_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
}


def filter_bar() -> rx.Component:
    quarter = select_filter(
        "quarter", "Quarter", S.quarters, S.quarter, lambda _name, value: S.set_quarter(value)
    )
    return filters_and_clear(S, quarter, *filter_controls(ROLLUP_FILTERS, S.filters, S.set_filter))


def _summary() -> rx.Component:
    return rx.hstack(
        rx.text(S.summary, size="3", weight="medium", data_testid="chart-summary"),
        rx.spacer(),
        rx.cond(
            S.failed > 0,
            rx.link(
                rx.button(
                    rx.icon("circle-x", size=16),
                    "Failed ones in the table",
                    variant="soft",
                    color_scheme="red",
                ),
                href=S.failed_table_url,
            ),
        ),
        rx.link(rx.button(rx.icon("table", size=16), "Open in table", variant="soft"), href=S.table_url),
        align="center",
        width="100%",
        spacing="3",
        wrap="wrap",
    )


def _numbers(name: str) -> rx.Component:
    """The chart's numbers as a table, folded under it: for screen readers, and for copying."""
    header = rx.table.row(rx.foreach(S.table_columns[name], lambda label: rx.table.column_header_cell(label)))
    body = rx.foreach(
        S.table_rows[name], lambda row: rx.table.row(rx.foreach(row, lambda cell: rx.table.cell(cell)))
    )
    return rx.el.details(
        rx.el.summary("The numbers", cursor="pointer", font_size="var(--font-size-2)"),
        rx.box(
            rx.table.root(rx.table.header(header), rx.table.body(body), size="1", variant="surface"),
            overflow_x="auto",
            margin_top="0.5rem",
        ),
        width="100%",
        data_testid=f"numbers-{name}",
    )


def chart_card(name: str, title: rx.Component | str, figure, filename: str, note: str = "") -> rx.Component:
    """One chart: its title, the figure (PNG download in its toolbar), or why there is none."""
    plot = rx.plotly(
        # The state holds the figure as plain JSON; the component draws either.
        data=figure.to(go.Figure),
        config={**CHART_CONFIG, "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2}},
        width="100%",
        on_click=BAR_CLICKS[name],
    )
    return rx.card(
        rx.vstack(
            rx.heading(title, size="3", as_="h2"),
            *([rx.text(note, size="1", color=rx.color("gray", 11))] if note else []),
            rx.cond(
                S.error != "",
                error_callout(S.error),
                rx.cond(
                    S.empty[name],
                    rx.center(
                        rx.text(
                            "Nothing to show: no reconciliations match these filters.",
                            size="2",
                            color=rx.color("gray", 11),
                        ),
                        height="12rem",
                    ),
                    rx.cond(
                        S.empty.contains(name),
                        rx.vstack(
                            rx.box(
                                plot,
                                width="100%",
                                opacity=rx.cond(S.loading, "0.5", "1"),
                                transition="opacity 0.15s",
                            ),
                            _numbers(name),
                            width="100%",
                        ),
                        rx.center(rx.spinner(size="3"), height="12rem"),
                    ),
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        min_width="0",
        data_testid=f"chart-{name}",
    )


def reconciliation_charts_page() -> rx.Component:
    return page_shell(
        "Reconciliation charts",
        filter_bar(),
        notices(S.notices),
        _summary(),
        rx.grid(
            chart_card(
                "status",
                "Reconciliations per quarter, by status",
                S.status_figure,
                "reconciliations-by-status",
                note="Click a part of a bar to see that quarter's reconciliations of that status.",
            ),
            chart_card(
                "failure_rate",
                "Failure rate per quarter",
                S.failure_rate_figure,
                "failure-rate",
                note="Failed as a share of all reconciliations that quarter; hover for the counts, "
                "click to see the failed ones.",
            ),
            chart_card(
                "invoiced",
                "Invoiced per quarter, by currency",
                S.invoiced_figure,
                "invoiced",
                note="Click a point to see the reconciliations that invoiced it.",
            ),
            chart_card(
                "seats_added",
                "Seats added by reconciliation per quarter",
                S.seats_added_figure,
                "seats-added",
                note="Users above the subscription's seats, over completed reconciliations. "
                "Click a bar to see them.",
            ),
            chart_card(
                "skip_reasons",
                "Why reconciliations were skipped",
                S.skip_reasons_figure,
                "skip-reasons",
                note="Click a bar to see the reconciliations skipped for that reason.",
            ),
            chart_card(
                "top_accounts",
                rx.fragment("Top 10 billing accounts by invoiced amount (", S.top_currency, ")"),
                S.top_accounts_figure,
                "top-accounts",
                note="Click a bar to see that account's reconciliations. Pick a currency to rank by another.",
            ),
            chart_card(
                "failure_classes",
                "Open failures by class",
                S.failure_classes_figure,
                "open-failures-by-class",
                note="Failed reconciliations, by what their error says. Click a bar to see them.",
            ),
            chart_card(
                "failure_ages",
                "Open failures by age",
                S.failure_ages_figure,
                "open-failures-by-age",
                note="Failed reconciliations, by days from their reconciliation date to today. "
                "Click a bar to see them.",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
    )
