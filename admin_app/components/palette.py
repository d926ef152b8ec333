"""The command palette: Ctrl+K (⌘K) on any page opens a box that finds customers, licenses, servers,
billing accounts, subscriptions and reconciliations at once. It is a native <dialog> opened in the browser
(components/keyboard.py); only the search goes to the server."""

import reflex as rx

from admin_app.state.palette import PaletteGroup, PaletteHit, PaletteState

OPEN_PALETTE = "window.openPalette && window.openPalette()"


def _hit(hit: PaletteHit) -> rx.Component:
    return rx.el.li(
        rx.link(
            rx.text(hit.title, weight="medium", size="2"),
            rx.text(hit.detail, size="1", color=rx.color("gray", 11)),
            href=hit.href,
            class_name="palette-hit",
            underline="none",
        )
    )


def _group(group: PaletteGroup) -> rx.Component:
    return rx.el.section(
        rx.heading(group.label, as_="h3", size="1", color=rx.color("gray", 11), weight="medium"),
        rx.el.ul(rx.foreach(group.hits, _hit)),
        rx.link(
            "All matching ",
            group.label.lower(),
            " →",
            href=group.all_href,
            class_name="palette-all",
            size="1",
        ),
    )


def open_palette_button() -> rx.Component:
    """The header's way into the palette, for those who do not know the shortcut."""
    return rx.button(
        rx.icon("search", size=14),
        "Find",
        rx.code("Ctrl K", size="1", variant="ghost"),
        variant="soft",
        color_scheme="gray",
        size="1",
        on_click=rx.call_script(OPEN_PALETTE),
        aria_keyshortcuts="Control+K Meta+K",
    )


def palette() -> rx.Component:
    """The dialog; it stays in the page, closed, until Ctrl+K or the Find button opens it."""
    return rx.el.dialog(
        rx.heading("Find anything", as_="h2", size="3", id="palette-title"),
        # The browser owns what is typed (as in the search box): no answer overwrites it mid-word.
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            id="palette-input",
            default_value=PaletteState.term,
            on_change=PaletteState.search.debounce(120),
            placeholder="Name, email, company, account, subscription or host name",
            aria_label="Find a customer, license, server, billing account, subscription or reconciliation",
            aria_describedby="palette-hint",
            size="3",
            width="100%",
            auto_complete="off",
        ),
        rx.text(PaletteState.hint, id="palette-hint", size="2", color=rx.color("gray", 11), role="status"),
        rx.el.div(
            rx.foreach(PaletteState.groups, _group),
            id="palette-results",
            data_term=PaletteState.term,
            data_searching=rx.cond(PaletteState.searching, "yes", ""),
        ),
        rx.el.p("↑ ↓ move · Enter opens · Esc closes", class_name="palette-keys"),
        id="palette",
        aria_labelledby="palette-title",
    )
