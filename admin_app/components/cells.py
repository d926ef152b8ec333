"""Light elements for what a table repeats in every row: Radix Themes' look without its per-render work.

A Radix Themes component (Text, Flex, Badge, Table.Cell) merges and walks its whole table of prop
definitions each time it renders. A page of 50 rows holds over a thousand of them, and drawing the rows
after a search spent about as long in that as in React itself. These render the plain elements with the
class names Radix Themes gives the same components, so its stylesheet styles them alike; the
repeated styles live in assets/tables.css, not in a style object per element.
"""

import reflex as rx
from reflex.components.react_router.dom import ReactRouterLink
from reflex.vars import Var

Content = str | Var | rx.Component


def cell_text(value: Content, *, size: str = "2", medium: bool = False, muted: bool = False) -> rx.Component:
    """A line of text, like `rx.text(value, size=...)`; `muted` is the gray secondary line."""
    classes = ["rt-Text", f"rt-r-size-{size}"]
    if medium:
        classes.append("rt-r-weight-medium")
    if muted:
        classes.append("muted")
    return rx.el.p(value, class_name=" ".join(classes))


def cell_stack(*children: rx.Component, gap: str = "0") -> rx.Component:
    """Children one under another, like `rx.vstack(..., spacing=gap, align="start")`."""
    return rx.el.div(*children, class_name=f"rt-Flex rt-r-fd-column rt-r-ai-start rt-r-gap-{gap} rx-Stack")


def cell_line(*children: rx.Component, gap: str = "2") -> rx.Component:
    """Children side by side, like `rx.hstack(..., spacing=gap)`."""
    return rx.el.div(*children, class_name=f"rt-Flex rt-r-fd-row rt-r-ai-start rt-r-gap-{gap} rx-Stack")


def cell_badge(label: Content, color: str | Var = "", variant: str = "soft") -> rx.Component:
    """A small badge, like `rx.badge(label, color_scheme=color, variant=variant)`; "" is the accent."""
    return rx.el.span(
        label, class_name=f"rt-reset rt-Badge rt-r-size-1 rt-variant-{variant}", data_accent_color=color
    )


def row_link(content: rx.Component, href: Var) -> rx.Component:
    """The row's main link, like `rx.link(content, href=href, underline="hover")`: a real link that
    navigates in the page (no reload), stretched over the row by assets/tables.css."""
    return ReactRouterLink.create(
        content,
        to=href,
        class_name="rt-Text rt-reset rt-Link rt-underline-hover row-link",
        data_accent_color="",
    )
