"""Field lists and timelines for detail pages."""

import reflex as rx
from reflex.vars import Var

from admin_app.components.status import active_badge, error_callout, status_badge


def field_row(label: str, value: Var | rx.Component) -> rx.Component:
    """One "label: value" line of a detail card."""
    content = value if isinstance(value, rx.Component) else rx.text(value, size="2")
    return rx.data_list.item(
        rx.data_list.label(label, min_width="9rem"),
        rx.data_list.value(content),
    )


def license_timeline(rows: Var, current_id: Var | None = None) -> rx.Component:
    """A company's licenses, newest first: when, who requested, how many users, trial or paid."""

    def entry(row: Var) -> rx.Component:
        is_current = row["id"] == current_id if current_id is not None else False
        return rx.hstack(
            rx.box(
                width="0.6rem",
                height="0.6rem",
                border_radius="50%",
                margin_top="0.35rem",
                background=rx.cond(row["trial"] == "Trial", rx.color("amber", 9), rx.color("accent", 9)),
                flex_shrink="0",
            ),
            rx.vstack(
                rx.hstack(
                    rx.link(row["issued_date"], href="/licenses/" + row["id"], weight="medium", size="2"),
                    rx.badge(row["trial"], color_scheme=rx.cond(row["trial"] == "Trial", "amber", "gray")),
                    rx.text(row["plan"], size="2"),
                    rx.text(row["user_count"], " users", size="2"),
                    status_badge(row),
                    active_badge(row),
                    rx.cond(is_current, rx.badge("this license", variant="outline")),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(
                    row["licensee_name"],
                    " · ",
                    row["email"],
                    " · ",
                    row["starts"],
                    " → ",
                    row["expires"],
                    size="1",
                    color=rx.color("gray", 11),
                ),
                spacing="0",
            ),
            spacing="3",
            align="start",
            padding_y="0.35rem",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
            width="100%",
        )

    return rx.vstack(rx.foreach(rows, entry), spacing="0", width="100%")


def detail_body(
    *, error: Var, not_found: Var, not_found_message: str, loading: Var, content: rx.Component
) -> rx.Component:
    """A detail page's states: database error, no such record, first load, the record."""
    return rx.cond(
        error != "",
        error_callout(error),
        rx.cond(
            not_found,
            rx.callout(not_found_message, icon="search-x", color_scheme="gray"),
            rx.cond(loading, rx.center(rx.spinner(size="3"), padding="3rem"), content),
        ),
    )


def back_to(label: str, href: Var | str) -> rx.Component:
    """The way back to the list (or record) a detail page belongs to."""
    return rx.link(rx.button(rx.icon("arrow-left", size=16), label, variant="ghost"), href=href)


def linked_out(url: Var, text: Var | str, system: str) -> rx.Component:
    """`text` as a link to the record in another system when its URL template is configured."""
    return rx.cond(
        url != "",
        rx.link(
            text,
            rx.icon("external-link", size=12, margin_left="0.25rem"),
            href=url,
            is_external=True,
            # The accessible name starts with the visible text (WCAG 2.5.3), then says where it goes.
            aria_label=text + f" (opens in {system}, new tab)",
            size="2",
            white_space="nowrap",
        ),
        rx.text(text, size="2"),
    )
