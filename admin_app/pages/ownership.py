"""/billing-accounts/[id]/owner: change who owns a billing account, as one reviewed step."""

import reflex as rx

from admin_app.auth.permissions import Permission
from admin_app.components.data_table import Column, data_table
from admin_app.components.detail import back_to, detail_body
from admin_app.components.forms import field_error, form_field
from admin_app.components.layout import page_shell
from admin_app.db.memberships.ownership_evidence import EVIDENCE_KINDS
from admin_app.state.ownership import OwnershipState

S = OwnershipState
A = S.account


def _current() -> rx.Component:
    contact = lambda c: rx.text(  # noqa: E731
        rx.text.strong(c["role"]), ": ", c["name"], " · ", c["email"], " · ", c["address"], size="2"
    )
    member = lambda m: rx.text(m["name"], " · ", m["email"], size="2")  # noqa: E731
    return rx.card(
        rx.vstack(
            rx.heading("Today", size="3", as_="h2"),
            rx.foreach(S.contacts, contact),
            rx.text(rx.text.strong("Members"), ":", size="2"),
            rx.cond(
                S.members.length() > 0, rx.foreach(S.members, member), rx.text("Nobody manages it.", size="2")
            ),
            spacing="1",
        ),
        width="100%",
    )


def _section(title: str, hint: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="3", as_="h2"),
        rx.text(hint, size="2", color=rx.color("gray", 11)),
        *children,
        spacing="2",
        width="100%",
    )


def _evidence_choice() -> rx.Component:
    return rx.vstack(
        rx.radio_group.root(
            rx.vstack(
                *[
                    rx.el.label(
                        rx.radio_group.item(value=kind),
                        label,
                        display="flex",
                        gap="0.5rem",
                        align_items="center",
                    )
                    for kind, label in EVIDENCE_KINDS.items()
                ],
                spacing="1",
            ),
            value=S.evidence_kind,
            on_change=S.choose_evidence,
            aria_label="Verification",
        ),
        field_error("evidence", S.errors.evidence),
        rx.match(
            S.evidence_kind,
            (
                "sold_to_approval",
                form_field(
                    "approver_email", "Approved by (email of the Sold To)", "", S.errors.approver_email
                ),
            ),
            (
                "recent_invoice",
                form_field(
                    "invoice_date", "Invoice date (YYYY-MM-DD)", "", S.errors.invoice_date, type="date"
                ),
            ),
            (
                "namespace_owner",
                form_field(
                    "namespace", "Namespace checked (path, such as acme/platform)", "", S.errors.namespace
                ),
            ),
            (
                "license_text",
                rx.vstack(
                    rx.el.label(
                        "The license file, as text (signed by this app for this account)",
                        html_for="license_text",
                        font_size="var(--font-size-2)",
                    ),
                    rx.text_area(id="license_text", name="license_text", rows="4", width="100%"),
                    field_error("license_text", S.errors.license_text),
                    width="100%",
                ),
            ),
            rx.fragment(),
        ),
        spacing="2",
        width="100%",
    )


# Saving the change edits the previous owner's customer record, the Sold To contact and memberships;
# what those writes refuse comes back under their own fields, which this form has no input for.
WRITTEN_FIELDS = (
    "email",
    "company",
    "country",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "sold_to_address",
    "customer",
    "billing_account",
    "reason",
)


def _refused_writes() -> rx.Component:
    return rx.fragment(*[field_error(name, getattr(S.errors, name)) for name in WRITTEN_FIELDS])


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _section(
                "1. Who asks",
                "Their email: a customer becomes the owner; for someone new, enter their name too and the "
                "previous owner's customer record is handed over to them.",
                form_field("requester_email", "Requester's email", "", S.errors.requester_email),
                rx.hstack(
                    form_field("first_name", "First name (new person only)", "", S.errors.first_name),
                    form_field("last_name", "Last name (new person only)", "", S.errors.last_name),
                    width="100%",
                ),
            ),
            _section(
                "2. Evidence",
                "One of the handbook's verification options. Vouches from our own staff are not evidence.",
                _evidence_choice(),
                rx.hstack(
                    form_field("ticket", "Ticket reference", "", S.errors.ticket),
                    width="100%",
                ),
                rx.vstack(
                    rx.el.label(
                        "Note (goes into the history)", html_for="note", font_size="var(--font-size-2)"
                    ),
                    rx.text_area(id="note", name="note", rows="2", width="100%"),
                    field_error("note", S.errors.note),
                    width="100%",
                ),
            ),
            rx.cond(
                S.message != "",
                rx.callout(S.message, icon="triangle-alert", color_scheme="red", role="alert"),
            ),
            _refused_writes(),
            rx.button("Review the change", type="submit", loading=S.planning, size="3"),
            spacing="5",
            width="100%",
        ),
        on_submit=S.review,
        width="100%",
    )


PLAN_COLUMNS = [
    Column("what", "What"),
    Column("before", "Before", wrap=True),
    Column("after", "After", wrap=True),
]


def _review() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Change the owner of ", A["name"], "?"),
            rx.alert_dialog.description(
                S.plan["previous_owner"],
                " → ",
                S.plan["new_owner"],
                " (",
                S.plan["process"],
                "). ",
                S.plan["evidence"],
            ),
            rx.vstack(
                data_table(PLAN_COLUMNS, S.plan_changes),
                rx.foreach(
                    S.plan_warnings,
                    lambda w: rx.callout(w, icon="info", color_scheme="amber", size="1"),
                ),
                rx.cond(
                    S.plan["manages_other_account"] != "",
                    rx.el.label(
                        rx.checkbox(checked=S.move_confirmed, on_change=S.set_move_confirmed),
                        "End their membership of ",
                        S.plan["manages_other_account"],
                        display="flex",
                        gap="0.5rem",
                        align_items="center",
                    ),
                ),
                rx.hstack(
                    rx.alert_dialog.cancel(
                        rx.button("Back to the form", variant="soft", color_scheme="gray")
                    ),
                    rx.button(
                        "Change owner",
                        color_scheme="red",
                        loading=S.saving,
                        disabled=(S.plan["manages_other_account"] != "") & ~S.move_confirmed,
                        on_click=S.confirm,
                    ),
                    justify="end",
                    spacing="3",
                    width="100%",
                ),
                spacing="3",
                margin_top="1rem",
            ),
            max_width="56rem",
        ),
        open=S.review_open,
        on_open_change=S.close_review,
    )


def ownership_page() -> rx.Component:
    body = detail_body(
        error=S.error,
        not_found=S.not_found,
        not_found_message="There is no billing account with this id.",
        loading=S.loading & (A["id"] == ""),
        content=rx.vstack(
            rx.heading(
                "Change the owner of ", A["name"], " (", A["zuora_account_id"], ")", size="5", as_="h2"
            ),
            _current(),
            _form(),
            _review(),
            spacing="5",
            width="100%",
            max_width="56rem",
        ),
    )
    back = back_to("Billing account", "/billing-accounts/" + A["id"])
    return page_shell("Change owner", back, body, needs=Permission.MEMBERSHIPS_EDIT)
