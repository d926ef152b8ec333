"""Saved views: the Save view button of every list, the person's views under each list in the sidebar
(each with Rename and Remove), and the dialogs those open."""

import reflex as rx

from admin_app.components.status import error_callout
from admin_app.db.staff.saved_views import MAX_NAME_LENGTH, PAGES
from admin_app.state.saved_views import SavedViewItem, SavedViewsState

S = SavedViewsState


def save_view_button() -> rx.Component:
    return rx.button(rx.icon("bookmark-plus", size=16), "Save view", variant="outline", on_click=S.open_save)


def _view_link(view: SavedViewItem) -> rx.Component:
    return rx.hstack(
        rx.link(
            view.name,
            href=view.href,
            title=view.name,
            underline="none",
            size="1",
            color=rx.color("gray", 11),
            padding="0.2rem 0.5rem 0.2rem 2.25rem",
            display="block",
            white_space="nowrap",
            overflow="hidden",
            text_overflow="ellipsis",
            flex="1",
            min_width="0",
            border_radius="var(--radius-2)",
            _hover={"background": rx.color("gray", 3)},
            data_testid="saved-view",
        ),
        rx.dropdown_menu.root(
            rx.dropdown_menu.trigger(
                rx.icon_button(
                    rx.icon("ellipsis", size=14),
                    variant="ghost",
                    color_scheme="gray",
                    size="1",
                    aria_label="Rename or remove the view " + view.name,
                )
            ),
            rx.dropdown_menu.content(
                rx.dropdown_menu.item("Rename…", on_select=S.open_rename(view.id)),
                rx.dropdown_menu.item("Remove…", color_scheme="red", on_select=S.open_remove(view.id)),
            ),
        ),
        align="center",
        spacing="1",
        width="100%",
    )


def saved_view_links(page: str) -> rx.Component:
    """The person's views of the list at `page`, under its link in the sidebar."""
    if page not in PAGES:
        return rx.fragment()
    return rx.foreach(S.views, lambda view: rx.cond(view.page == page, _view_link(view)))


def _name_form(submit_label: str, on_submit, default) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label("Name", html_for="view-name", font_size="var(--font-size-2)", font_weight="500"),
            rx.input(
                id="view-name",
                name="name",
                default_value=default,
                max_length=MAX_NAME_LENGTH,
                auto_focus=True,
                auto_complete="off",
                aria_invalid=rx.cond(S.name_error != "", "true", "false"),
                aria_describedby="view-name-error",
                color_scheme=rx.cond(S.name_error != "", "red", "gray"),
                width="100%",
            ),
            rx.text(S.name_error, id="view-name-error", size="1", color=rx.color("red", 11), role="alert"),
            rx.cond(S.message != "", error_callout(S.message)),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                rx.button(submit_label, type="submit"),
                justify="end",
                width="100%",
            ),
            spacing="2",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
    )


def saved_view_dialogs() -> rx.Component:
    """Save, rename and remove; one open at a time, opened by the server (S.dialog)."""
    save = rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Save this view"),
            rx.dialog.description(
                "The search, filters and sort of this list, under a name of yours. It appears under the "
                "list in the sidebar, for you only.",
                size="2",
            ),
            _name_form("Save view", S.save, ""),
            max_width="28rem",
        ),
        open=S.dialog == "save",
        on_open_change=S.close,
    )
    rename = rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename the view"),
            rx.dialog.description("“", S.target.name, "” on ", S.target.page, size="2"),
            rx.box(_name_form("Rename", S.rename, S.target.name), key=S.target.id),
            max_width="28rem",
        ),
        open=S.dialog == "rename",
        on_open_change=S.close,
    )
    remove = rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove the view “", S.target.name, "”?"),
            rx.alert_dialog.description(
                "Only the saved view goes; the list and its data stay as they are.", size="2"
            ),
            rx.cond(S.message != "", error_callout(S.message)),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.button("Remove", color_scheme="red", on_click=S.remove),
                justify="end",
                width="100%",
                margin_top="1rem",
            ),
            max_width="28rem",
        ),
        open=S.dialog == "remove",
        on_open_change=S.close,
    )
    return rx.fragment(save, rename, remove)
