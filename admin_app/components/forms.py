"""Form fields with their validation message beside them, as the server returned it."""

import reflex as rx
from reflex.vars import Var


def field_error(errors: Var, name: str) -> rx.Component:
    """The server's message for one field, if any."""
    return rx.cond(
        errors.contains(name),
        rx.text(errors[name], size="1", color=rx.color("red", 11), role="alert", data_testid=f"error-{name}"),
    )


def form_field(
    name: str,
    label: str,
    default: Var | str,
    errors: Var,
    *,
    type: str = "text",
    max_length: int | None = None,
) -> rx.Component:
    """A labelled input whose border turns red when the server refused its value."""
    return rx.vstack(
        rx.el.label(label, html_for=name, font_size="var(--font-size-2)", font_weight="500"),
        rx.input(
            id=name,
            name=name,
            default_value=default,
            max_length=max_length,
            color_scheme=rx.cond(errors.contains(name), "red", "gray"),
            aria_invalid=rx.cond(errors.contains(name), "true", "false"),
            width="100%",
        ),
        field_error(errors, name),
        spacing="1",
        width="100%",
    )


def reason_field(errors: Var, *, required: bool) -> rx.Component:
    """Why the change is made; it goes into the history."""
    label = "Reason (goes into the history)" + ("" if required else ", optional")
    return rx.vstack(
        rx.el.label(label, html_for="reason", font_size="var(--font-size-2)", font_weight="500"),
        rx.text_area(id="reason", name="reason", rows="2", width="100%"),
        field_error(errors, "reason"),
        spacing="1",
        width="100%",
    )
