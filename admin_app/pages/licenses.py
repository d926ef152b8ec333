"""/licenses: search, filter, sort and page through every license."""

import reflex as rx

from admin_app.components.data_table import Column, data_table
from admin_app.components.filters import date_filter, search_box, select_filter
from admin_app.components.layout import page_shell
from admin_app.components.status import active_badge, error_callout, notices, status_badge
from admin_app.db.licenses import LICENSE_TYPES, PLANS, STATUSES
from admin_app.state.licenses import LicensesState


def _company(row) -> rx.Component:
    return rx.vstack(
        rx.text(row["company"], size="2", weight="medium"),
        active_badge(row),
        spacing="1",
        align="start",
    )


def _licensee(row) -> rx.Component:
    return rx.vstack(
        rx.text(row["licensee_name"], size="2"),
        rx.text(row["email"], size="1", color=rx.color("gray", 11)),
        spacing="0",
    )


def _plan(row) -> rx.Component:
    return rx.hstack(
        rx.text(row["plan"], size="2"),
        rx.cond(row["trial"] == "Trial", rx.badge("Trial", color_scheme="amber", variant="soft")),
        spacing="2",
    )


def _subscription(row) -> rx.Component:
    return rx.vstack(
        rx.text(rx.cond(row["subscription_name"] != "", row["subscription_name"], "—"), size="2"),
        rx.text(row["license_type"], size="1", color=rx.color("gray", 11)),
        spacing="0",
    )


COLUMNS = [
    Column("company", "Company", "company", render=_company, wrap=True),
    Column("licensee_name", "Licensee", render=_licensee, wrap=True),
    Column("plan", "Plan", render=_plan),
    Column("user_count", "Users", "users", align="right"),
    Column("issued_date", "Issued", "issued"),
    Column("starts", "Starts", "starts"),
    Column("expires", "Expires", "expires"),
    Column("status", "Status", render=status_badge),
    Column("subscription_name", "Subscription", render=_subscription),
]


def filter_bar() -> rx.Component:
    on_change = LicensesState.set_filter
    return rx.hstack(
        select_filter("plan", "Plan", {p: p.capitalize() for p in PLANS}, LicensesState.plan, on_change),
        select_filter(
            "trial", "Trial or paid", {"trial": "Trial", "paid": "Paid"}, LicensesState.trial, on_change
        ),
        select_filter("status", "Status", STATUSES, LicensesState.status, on_change),
        select_filter(
            "license_type",
            "Type",
            {t: t.capitalize() for t in LICENSE_TYPES},
            LicensesState.license_type,
            on_change,
        ),
        date_filter("issued_from", "Issued from", LicensesState.issued_from, on_change),
        date_filter("issued_to", "Issued to", LicensesState.issued_to, on_change),
        rx.cond(
            LicensesState.has_filters,
            rx.button("Clear all", variant="soft", color_scheme="gray", on_click=LicensesState.clear_filters),
        ),
        spacing="3",
        align="end",
        wrap="wrap",
    )


def pager() -> rx.Component:
    return rx.hstack(
        rx.text(
            rx.cond(LicensesState.count_label != "", LicensesState.count_label + " licenses", "Counting…"),
            size="2",
            color=rx.color("gray", 11),
            data_testid="result-count",
        ),
        rx.spacer(),
        rx.text("Page ", LicensesState.page_number, size="2", data_testid="page-number"),
        rx.button(
            rx.icon("chevron-left", size=16),
            "Previous",
            variant="soft",
            disabled=LicensesState.prev_cursor == "",
            on_click=LicensesState.prev_page,
        ),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=16),
            variant="soft",
            disabled=LicensesState.next_cursor == "",
            on_click=LicensesState.next_page,
        ),
        align="center",
        width="100%",
        spacing="3",
    )


def empty_state() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("search-x", size=32, color=rx.color("gray", 9)),
            rx.text("No licenses match.", weight="medium"),
            rx.text(
                "Check the spelling, search for part of a company, email or subscription name, "
                "or clear the filters.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.button("Clear search and filters", variant="soft", on_click=LicensesState.clear_filters),
            align="center",
            spacing="2",
        ),
        padding="3rem",
        width="100%",
    )


def results() -> rx.Component:
    table = data_table(
        COLUMNS,
        LicensesState.rows,
        sort=LicensesState.sort,
        descending=LicensesState.descending,
        on_sort=LicensesState.sort_by,
        row_href=lambda row: "/licenses/" + row["id"],
    )
    return rx.cond(
        LicensesState.error != "",
        error_callout(LicensesState.error),
        rx.cond(
            LicensesState.rows.length() > 0,
            rx.box(
                table,
                opacity=rx.cond(LicensesState.loading, "0.55", "1"),
                transition="opacity 0.15s",
                width="100%",
            ),
            rx.cond(LicensesState.loading, rx.center(rx.spinner(size="3"), padding="3rem"), empty_state()),
        ),
    )


def licenses_page() -> rx.Component:
    export = rx.link(
        rx.button(rx.icon("download", size=16), "Export CSV", variant="outline"),
        href=LicensesState.export_url,
        reload_document=True,
        download=True,
    )
    return page_shell(
        "Licenses",
        search_box(
            LicensesState.q, LicensesState.set_search, "Search company, licensee, email or subscription"
        ),
        filter_bar(),
        notices(LicensesState.notices),
        rx.cond(
            LicensesState.partial_notice != "",
            rx.callout(
                LicensesState.partial_notice, icon="info", color_scheme="blue", size="1", width="100%"
            ),
        ),
        pager(),
        rx.box(results(), width="100%", data_testid="results", data_query=LicensesState.loaded_query),
        actions=export,
    )
