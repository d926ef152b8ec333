"""Rule 13: each verification option with its conditions (the handbook's "Ownership verification")."""

from datetime import date

import pytest

from admin_app.db.ownership_evidence import AccountFacts, Evidence, evidence_errors

TODAY = date(2026, 11, 26)
DIRECT = AccountFacts(
    reseller=None,
    sold_to_email="jane@acme.test",
    bill_to_email="ap@acme.test",
    deployments=frozenset({"self-managed"}),
)
RESELLER = AccountFacts(
    reseller="Softchoice", sold_to_email="jane@acme.test", bill_to_email="", deployments=frozenset({"saas"})
)


def errors(kind: str, facts: AccountFacts = DIRECT, requester: str = "bo@acme.test", **details) -> dict:
    evidence = Evidence(kind=kind, ticket="12345", note="Requester took over from Jane.", **details)
    return evidence_errors(evidence, facts, requester, TODAY)


@pytest.mark.parametrize(
    ("kind", "facts", "details"),
    [
        ("sold_to_approval", DIRECT, {"approver_email": "JANE@acme.test"}),
        ("prior_contract", DIRECT, {}),
        ("recent_invoice", DIRECT, {"invoice_date": date(2025, 12, 1)}),
        ("license_text", DIRECT, {"license_text": "eyJkYXRhIjoi" * 10}),
        ("namespace_owner", RESELLER, {"namespace": "acme/platform"}),
        ("reseller_vouch", RESELLER, {}),
    ],
)
def test_each_option_verifies_where_its_conditions_hold(kind, facts, details):
    assert errors(kind, facts, **details) == {}


@pytest.mark.parametrize(
    ("kind", "facts", "details", "field", "message"),
    [
        (
            "sold_to_approval",
            DIRECT,
            {"approver_email": "ap@acme.test"},
            "approver_email",
            "Only the Sold To",
        ),
        ("sold_to_approval", DIRECT, {"approver_email": "x@acme.test"}, "approver_email", "current Sold To"),
        (
            "recent_invoice",
            RESELLER,
            {"invoice_date": date(2026, 10, 1)},
            "evidence",
            "bought through a reseller",
        ),
        ("recent_invoice", DIRECT, {"invoice_date": date(2025, 11, 1)}, "invoice_date", "last 12 months"),
        ("recent_invoice", DIRECT, {"invoice_date": date(2026, 12, 1)}, "invoice_date", "last 12 months"),
        ("recent_invoice", DIRECT, {}, "invoice_date", "invoice's date"),
        ("license_text", RESELLER, {"license_text": "x" * 100}, "evidence", "self-managed"),
        ("license_text", DIRECT, {"license_text": " \n"}, "license_text", "as text"),
        ("namespace_owner", DIRECT, {"namespace": "acme"}, "evidence", "SaaS"),
        ("namespace_owner", RESELLER, {}, "namespace", "Namespace can't be blank"),
        ("namespace_owner", RESELLER, {"namespace": "acme platform"}, "namespace", "path as in its URL"),
        ("namespace_owner", RESELLER, {"namespace": "/acme"}, "namespace", "path as in its URL"),
        ("reseller_vouch", DIRECT, {}, "evidence", "only for accounts bought through a reseller"),
        ("staff_vouch", DIRECT, {}, "evidence", "Choose one of the verification options"),
    ],
)
def test_evidence_outside_its_conditions_is_refused_with_the_reason(kind, facts, details, field, message):
    found = errors(kind, facts, **details)
    assert list(found) == [field]
    assert message in found[field]


def test_a_resellers_vouch_needs_the_requesters_domain_to_be_the_sold_tos():
    found = errors("reseller_vouch", RESELLER, requester="bo@elsewhere.test")
    assert found["evidence"].endswith("the requester's email domain to match the Sold To's (@acme.test).")


def test_a_ticket_and_a_note_are_required():
    evidence = Evidence(kind="prior_contract", ticket=" ", note="")
    assert evidence_errors(evidence, DIRECT, "bo@acme.test", TODAY) == {
        "ticket": "Ticket reference can't be blank.",
        "note": "Note can't be blank.",
    }


def test_the_evidence_reads_plainly_in_the_history():
    evidence = Evidence(
        kind="recent_invoice", ticket="12345", note="Invoice INV-9", invoice_date=date(2026, 9, 1)
    )
    assert evidence.summary() == (
        "evidence: invoice from the last 12 months dated 2026-09-01; ticket 12345; note: Invoice INV-9"
    )


@pytest.mark.parametrize(
    "approver", ["\u212aim@acme.test", "\uff4bim@acme.test"], ids=["Kelvin sign", "fullwidth k"]
)
def test_an_approval_from_a_look_alike_of_the_sold_to_is_refused(approver):
    facts = AccountFacts(
        reseller=None, sold_to_email="kim@acme.test", bill_to_email="", deployments=frozenset({"saas"})
    )
    assert errors("sold_to_approval", facts, approver_email="KIM@acme.test") == {}
    found = errors("sold_to_approval", facts, approver_email=approver)
    assert "current Sold To" in found["approver_email"]


def test_the_namespace_checked_is_named_in_the_history():
    evidence = Evidence(
        kind="namespace_owner", ticket="12345", note="Owner confirmed", namespace=" acme/platform "
    )
    assert evidence.summary() == (
        "evidence: namespace owner check (saas) of namespace acme/platform; ticket 12345; "
        "note: Owner confirmed"
    )
