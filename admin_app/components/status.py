"""Badges and callouts shared by pages."""

import reflex as rx
from reflex.vars import Var

from admin_app.components.cells import cell_badge
from admin_app.glossary import ACTIVE_LICENSE, ACTIVE_LICENSE_MEANING

LICENSE_STATUS_COLORS = {"active": "green", "expired": "gray", "not_started": "blue"}
RECONCILIATION_STATUS_COLORS = {
    "pending": "gray",
    "processing": "blue",
    "done": "green",
    "skipped": "amber",
    "failed": "red",
}


def status_badge(row: Var, colors: dict[str, str] = LICENSE_STATUS_COLORS) -> rx.Component:
    """The row's status_label in the colour of its status (a license's by default)."""
    return cell_badge(row["status_label"], rx.match(row["status"], *colors.items(), ""))


def reconciliation_status_badge(row: Var) -> rx.Component:
    return status_badge(row, RECONCILIATION_STATUS_COLORS)


def active_badge(row: Var) -> rx.Component:
    """The mark of the company's active license, saying what that is on hover."""
    return rx.cond(
        row["active"],
        rx.badge(
            rx.icon("circle-check", size=12),
            ACTIVE_LICENSE,
            color_scheme="green",
            variant="solid",
            size="1",
            title=ACTIVE_LICENSE_MEANING,
        ),
    )


def error_callout(message: Var) -> rx.Component:
    return rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%")


def notices(messages: Var) -> rx.Component:
    """Messages about input that was ignored (a bad date, an unknown filter value)."""
    return rx.foreach(
        messages,
        lambda message: rx.callout(message, icon="info", color_scheme="amber", size="1", width="100%"),
    )
