"""The typed errors of the forms (state/form_errors.py): every field the data layer can name has a place
in its form's errors, and the page shows each of them, under its own name, in an `error-<name>` element."""

import dataclasses
from datetime import date

import pytest

from admin_app.admin_app import app
from admin_app.db.accounts.contact_fields import ADDRESS_FIELDS, CONTACT_FIELDS, address_errors
from admin_app.db.accounts.contacts import ContactEdit
from admin_app.db.customers.edit import EDITABLE
from admin_app.db.memberships.ownership_evidence import (
    EVIDENCE_KINDS,
    AccountFacts,
    Evidence,
    evidence_errors,
)
from admin_app.state.form_errors import (
    AddMembershipErrors,
    ContactFormErrors,
    CustomerFormErrors,
    LicenseSendErrors,
    OwnershipFormErrors,
    ReasonErrors,
    SoldToAddressErrors,
    form_errors,
)


def names(form: type) -> set[str]:
    return {field.name for field in dataclasses.fields(form)}


def test_the_messages_become_the_forms_fields():
    errors = form_errors(LicenseSendErrors, {"ticket": "Ticket can't be blank."})
    assert errors == LicenseSendErrors(ticket="Ticket can't be blank.")
    assert form_errors(ReasonErrors, {}) == ReasonErrors()


def test_a_message_for_a_field_the_form_lacks_is_refused():
    with pytest.raises(ValueError, match=r"ReasonErrors has no field .* about email"):
        form_errors(ReasonErrors, {"reason": "Reason can't be blank.", "email": "Email is taken"})


def test_a_contact_form_has_a_place_for_every_field_a_contact_edit_refuses():
    refused = ContactEdit(values=dict.fromkeys(CONTACT_FIELDS, 1)).errors()
    assert set(refused) == set(CONTACT_FIELDS)
    assert form_errors(ContactFormErrors, refused).country == refused["country"]


def test_the_decided_address_has_a_place_for_every_field_of_an_address():
    refused = {
        f"sold_to_{name}": message
        for name, message in address_errors(dict.fromkeys(ADDRESS_FIELDS, 1)).items()
    }
    assert set(refused) == {f"sold_to_{name}" for name in ADDRESS_FIELDS}
    assert names(SoldToAddressErrors) == {"sold_to_address", *refused}
    for form in (CustomerFormErrors, ContactFormErrors):
        assert form_errors(form, refused).sold_to_city == refused["sold_to_city"]


def test_the_customer_form_has_a_place_for_every_field_an_edit_changes():
    assert set(EDITABLE) | {"reason"} <= names(CustomerFormErrors)


WITHOUT = AccountFacts(
    reseller=None, sold_to_email="owner@acme.test", bill_to_email="", deployments=frozenset()
)
WITH = AccountFacts(
    reseller="Softchoice",
    sold_to_email="owner@acme.test",
    bill_to_email="billing@acme.test",
    deployments=frozenset({"self-managed", "saas"}),
)


@pytest.mark.parametrize("facts", [WITHOUT, WITH], ids=["plain", "reseller"])
@pytest.mark.parametrize("kind", ["", *EVIDENCE_KINDS])
def test_the_ownership_form_has_a_place_for_every_problem_of_the_evidence(kind, facts):
    for approver, invoice in [("", None), ("billing@acme.test", date(2000, 1, 1))]:
        evidence = Evidence(kind=kind, ticket="", note="", approver_email=approver, invoice_date=invoice)
        refused = evidence_errors(evidence, facts, "new@other.test", date(2026, 1, 1))
        assert form_errors(OwnershipFormErrors, refused) != OwnershipFormErrors()


def test_the_ownership_form_has_a_place_for_what_the_writes_of_the_change_refuse():
    """The change edits the previous owner's customer record (and its contact, rule 3), the Sold To
    contact and memberships, and passes their refusals on."""
    written = {*EDITABLE, *CONTACT_FIELDS, "sold_to_address", "customer", "billing_account", "reason"}
    assert written <= names(OwnershipFormErrors)


PAGES = [
    ("customers/[customer_id]", "field_errors", CustomerFormErrors),
    ("customers/[customer_id]", "login_errors", ReasonErrors),
    ("customers/[customer_id]", "unlink_errors", ReasonErrors),
    ("billing-accounts/[billing_account_id]", "contact_errors", ContactFormErrors),
    ("billing-accounts/[billing_account_id]/owner", "errors", OwnershipFormErrors),
    ("memberships", "add_errors", AddMembershipErrors),
    ("memberships", "delete_errors", ReasonErrors),
    ("licenses/[license_id]", "send_errors", LicenseSendErrors),
]


def shown_messages(node: object, found: dict[str, set[str]]) -> dict[str, set[str]]:
    """`error-<name>` element → what it shows (the rendered expressions of its children)."""
    if isinstance(node, dict):
        for prop in node.get("props", []):
            if str(prop).startswith('"data-testid":"error-'):
                found.setdefault(str(prop).split('"')[3].removeprefix("error-"), set()).add(
                    str(node.get("children"))
                )
        for value in node.values():
            shown_messages(value, found)
    elif isinstance(node, list | tuple):
        for value in node:
            shown_messages(value, found)
    return found


@pytest.mark.parametrize(("route", "var", "form"), PAGES, ids=[f"{route} {var}" for route, var, _ in PAGES])
def test_the_page_shows_every_message_of_the_form_under_its_own_name(route, var, form):
    page = app._unevaluated_pages[route]
    shown = shown_messages((page.component() if callable(page.component) else page.component).render(), {})
    for name in names(form):
        assert any(f'{var}_rx_state_?.["{name}"]' in children for children in shown.get(name, ())), name
