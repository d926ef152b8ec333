"""/reconciliations: search, filter, sort and page through every seat reconciliation."""

from collections.abc import Callable, Mapping

import reflex as rx
from reflex.vars import Var

from admin_app.components.cells import cell_text
from admin_app.components.data_table import Column
from admin_app.components.filters import amount_filter, date_range_filter, select_filter
from admin_app.components.list_page import clear_filters_button, export_button, list_page
from admin_app.components.status import reconciliation_status_badge
from admin_app.db.lists.spec import AmountRangeFilter, ChoiceFilter, DateRangeFilter, Filter, IdFilter
from admin_app.db.reconciliations.search import RECONCILIATION_LIST
from admin_app.state.reconciliations import ReconciliationsState

S = ReconciliationsState


def subscription_link(row) -> rx.Component:
    """A link inside a clickable row: it opens the subscription, not the row."""
    return rx.link(
        row["subscription_name"],
        href="/subscriptions/" + row["subscription_name"],
        size="2",
        on_click=rx.stop_propagation,
    )


def _customer(row) -> rx.Component:
    return cell_text(row["customer_name"], medium=True)


def _error(row) -> rx.Component:
    return rx.text(row["error_preview"], size="1", color=rx.color("red", 11), title=row["error_message"])


COLUMNS = [
    Column("customer_name", "Customer", "customer", render=_customer, wrap=True),
    Column("subscription_name", "Subscription", render=subscription_link),
    Column("status", "Status", render=reconciliation_status_badge),
    Column("reconciliation_date", "Date", "date"),
    Column("done_at", "Done"),
    Column("skip_reason", "Skip reason", wrap=True),
    Column("user_count", "Users", "users", align="right"),
    Column("invoiced", "Invoiced", align="right"),
    Column("error_preview", "Error", render=_error, wrap=True),
]


def filter_controls(
    filters: tuple[Filter, ...], chosen: Var, on_change: Callable, from_data: Mapping[str, Var]
) -> list[rx.Component]:
    """A control for each of the list's filters, in their order; a filter in `from_data` offers the
    values the data holds (a list the server found), a billing account is reached by a chart's link."""
    controls: list[rx.Component] = []
    for f in filters:
        if f.names[0] in from_data:
            controls.append(
                select_filter(f.names[0], f.label, from_data[f.names[0]], chosen[f.names[0]], on_change)
            )
        elif isinstance(f, ChoiceFilter):
            controls.append(select_filter(f.name, f.label, f.options, chosen[f.name], on_change))
        elif isinstance(f, DateRangeFilter):
            controls.append(date_range_filter(f.names, f.labels, chosen, on_change))
        elif isinstance(f, AmountRangeFilter):
            labelled = zip(f.names, f.labels, strict=True)
            controls += [amount_filter(name, label, chosen[name], on_change) for name, label in labelled]
        elif not isinstance(f, IdFilter):
            raise TypeError(f"No control draws a {type(f).__name__}")
    return controls


def filter_bar() -> rx.Component:
    return rx.hstack(
        *filter_controls(
            RECONCILIATION_LIST.filters, S.filters, S.set_filter, {"skip_reason": S.skip_reasons}
        ),
        clear_filters_button(S),
        spacing="3",
        align="end",
        wrap="wrap",
    )


def _actions() -> rx.Component:
    charts = rx.link(
        rx.button(rx.icon("chart-column", size=16), "Charts", variant="soft"),
        href="/reconciliations/charts" + S.query_string,
    )
    return rx.hstack(charts, export_button("/api/export/reconciliations.csv" + S.query_string), spacing="2")


def reconciliations_page() -> rx.Component:
    return list_page(
        S,
        title="Reconciliations",
        noun="reconciliations",
        search_placeholder="Search customer or subscription name",
        filter_bar=rx.vstack(
            filter_bar(),
            rx.cond(
                S.filters["account"] != "",
                rx.badge("Billing account ", S.filters["account"], variant="surface", size="2"),
            ),
            width="100%",
        ),
        columns=COLUMNS,
        row_href=lambda row: "/reconciliations/" + row["id"],
        empty_hint=(
            "Check the spelling, search for part of a customer or subscription name, or clear the filters."
        ),
        actions=_actions(),
    )
