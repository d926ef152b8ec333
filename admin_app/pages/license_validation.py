"""/licenses/validate: paste a license file, see whether it is genuine, what it says, and how it
compares with the license in the database."""

import reflex as rx

from admin_app.auth.permissions import Permission
from admin_app.components.detail import back_to
from admin_app.components.layout import page_shell
from admin_app.components.status import error_callout
from admin_app.db.licenses.files import MAX_TEXT_LENGTH
from admin_app.state.license_validation import FieldRow, LicenseValidationState

S = LicenseValidationState
VERDICT_COLOURS = {"valid": "green", "tampered": "red", "unknown_key": "red"}


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label(
                "License file (the text between and including the BEGIN and END lines)",
                html_for="license_text",
                font_size="var(--font-size-2)",
                font_weight="500",
            ),
            rx.text_area(
                id="license_text",
                name="license_text",
                rows="9",
                width="100%",
                # One over the limit: a longer paste arrives cut there and is answered as too long.
                max_length=MAX_TEXT_LENGTH + 1,
                spell_check=False,
                auto_focus=True,
                font_family="var(--code-font-family)",
                placeholder="-----BEGIN CUSTOMER ADMIN LICENSE-----",
            ),
            rx.hstack(
                rx.button(rx.icon("file-check", size=16), "Validate", type="submit"),
                rx.button("Clear", type="reset", variant="soft", color_scheme="gray", on_click=S.clear),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=S.validate,
        reset_on_submit=False,
        width="100%",
    )


def _row(row: FieldRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.label),
        rx.table.cell(rx.text(row.in_file, font_family="var(--code-font-family)", size="2")),
        rx.table.cell(rx.text(row.in_database, font_family="var(--code-font-family)", size="2")),
        rx.table.cell(
            rx.cond(row.differs, rx.badge("differs", color_scheme="amber"), rx.text("same", size="1"))
        ),
        data_testid="license-field",
    )


def _result() -> rx.Component:
    colour = rx.match(S.verdict, *VERDICT_COLOURS.items(), "gray")
    icon = rx.cond(S.trusted, rx.icon("shield-check"), rx.icon("shield-alert"))
    return rx.cond(
        S.verdict != "",
        rx.vstack(
            rx.callout.root(
                rx.callout.icon(icon),
                rx.callout.text(S.message),
                color_scheme=colour,
                role="status",
                width="100%",
                data_testid="license-verdict",
                data_verdict=S.verdict,
            ),
            rx.cond(S.error != "", error_callout(S.error)),
            rx.cond(
                S.fields.length() > 0,
                rx.vstack(
                    rx.hstack(
                        rx.text(S.match_message, size="2", data_testid="license-match"),
                        rx.cond(S.match_href != "", rx.link("Open the license", href=S.match_href, size="2")),
                        spacing="3",
                        align="center",
                        wrap="wrap",
                    ),
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Field"),
                                rx.table.column_header_cell(
                                    rx.cond(S.trusted, "In the file", "In the file (not trustworthy)")
                                ),
                                rx.table.column_header_cell("In the database"),
                                rx.table.column_header_cell("Same?"),
                            )
                        ),
                        rx.table.body(rx.foreach(S.fields, _row)),
                        variant="surface",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
    )


def license_validation_page() -> rx.Component:
    return page_shell(
        "Validate a license file",
        back_to("Licenses", "/licenses"),
        rx.text(
            "Paste a license file from a ticket: the page says whether this app signed it, shows every "
            "field, and compares them with the license in the database.",
            size="2",
            color=rx.color("gray", 11),
        ),
        _form(),
        _result(),
        needs=Permission.LICENSE_FILES,
    )
