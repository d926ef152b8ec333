"""/no-access: signed in, but no group of this app; says who and which groups grant access. No data."""

import reflex as rx

from admin_app.components.layout import sign_out_button
from admin_app.state.user import UserState


def no_access_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading("You have no access to Customer Admin", size="5", as_="h1"),
                rx.text("You are signed in as ", rx.text.strong(UserState.name), " (", UserState.email, ")."),
                rx.text(
                    "Access comes from membership of one of these groups; ask your manager or IT to add you:"
                ),
                rx.hstack(
                    rx.foreach(UserState.granting_groups, lambda g: rx.code(g)), wrap="wrap", spacing="2"
                ),
                sign_out_button(),
                spacing="3",
            ),
            max_width="36rem",
        ),
        min_height="90vh",
        padding="1rem",
    )
