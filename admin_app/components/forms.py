"""Form fields with their validation message beside them, as the server returned it."""

import reflex as rx
from reflex.vars import Var


def field_error(name: str, message: Var[str]) -> rx.Component:
    """The server's message for the field `name`, if any (a field of the form's errors in
    `state/form_errors.py`, such as `S.field_errors.email`)."""
    return rx.cond(
        message != "",
        rx.text(message, size="1", color=rx.color("red", 11), role="alert", data_testid=f"error-{name}"),
    )


def form_field(
    name: str,
    label: str,
    default: Var | str,
    error: Var[str],
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
            color_scheme=rx.cond(error != "", "red", "gray"),
            aria_invalid=rx.cond(error != "", "true", "false"),
            width="100%",
        ),
        field_error(name, error),
        spacing="1",
        width="100%",
    )


def reason_field(error: Var[str], *, required: bool) -> rx.Component:
    """Why the change is made; it goes into the history."""
    label = "Reason (goes into the history)" + ("" if required else ", optional")
    return rx.vstack(
        rx.el.label(label, html_for="reason", font_size="var(--font-size-2)", font_weight="500"),
        rx.text_area(id="reason", name="reason", rows="2", width="100%"),
        field_error("reason", error),
        spacing="1",
        width="100%",
    )


ADDRESS_INPUTS = [
    ("address_line1", "Address line 1"),
    ("address_line2", "Address line 2"),
    ("city", "City"),
    ("state", "State"),
    ("postal_code", "Postal code"),
    ("country", "Country (ISO code)"),
]


def radio_choice(name: str, value: str, label: str, *, checked: bool = False) -> rx.Component:
    """One option of a radio group, its label clickable."""
    return rx.el.label(
        rx.el.input(type="radio", name=name, value=value, default_checked=checked),
        label,
        display="flex",
        gap="0.5rem",
        align_items="center",
        font_size="var(--font-size-2)",
    )


def choice_fieldset(legend: str, *children: rx.Component) -> rx.Component:
    """A group of radio choices (and what goes with them) under a legend screen readers announce."""
    return rx.el.fieldset(
        rx.el.legend(legend, font_weight="500", font_size="var(--font-size-2)"),
        *children,
        border="none",
        padding="0",
        margin="0",
        display="flex",
        flex_direction="column",
        gap="0.5rem",
    )


def address_decision(errors: Var, *, legend: str, keep_label: str) -> rx.Component:
    """A new contact's address, decided on purpose: the current one kept, or the new person's entered
    (fields `sold_to_address` = keep | new and `sold_to_<field>`, as `SoldToAddress.from_form` reads);
    `errors` is the form's errors, a `SoldToAddressErrors`."""
    return choice_fieldset(
        legend,
        radio_choice("sold_to_address", "keep", keep_label),
        radio_choice("sold_to_address", "new", "Enter the new person's address:"),
        rx.grid(
            *[
                form_field(f"sold_to_{name}", label, "", getattr(errors, f"sold_to_{name}"))
                for name, label in ADDRESS_INPUTS
            ],
            columns="2",
            spacing="2",
            width="100%",
        ),
        field_error("sold_to_address", errors.sold_to_address),
    )
