"""Rule 13: each verification option with its conditions (the handbook's "Ownership verification")."""

from datetime import date

import pytest

from admin_app.db.memberships.ownership_evidence import AccountFacts, Evidence, evidence_errors

TODAY = date(2026, 11, 26)
NAMESPACE_PATH = "Enter the namespace's path as in its URL, such as acme or acme/platform."
INVOICE_AGE = "The invoice must be from the last 12 months."
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
        ("recent_invoice", DIRECT, {"invoice_date": date(2025, 11, 26)}),
        ("recent_invoice", DIRECT, {"invoice_date": TODAY}),
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
        ("recent_invoice", DIRECT, {"invoice_date": date(2025, 11, 25)}, "invoice_date", INVOICE_AGE),
        (
            "sold_to_approval",
            DIRECT,
            {"approver_email": "ap@acme.test"},
            "approver_email",
            "Only the Sold To can approve when Sold To and Bill To differ; the Bill To must give a recent "
            "invoice instead.",
        ),
        (
            "sold_to_approval",
            DIRECT,
            {"approver_email": "x@acme.test"},
            "approver_email",
            "The approval must come from the current Sold To's email address.",
        ),
        (
            "recent_invoice",
            RESELLER,
            {"invoice_date": date(2026, 10, 1)},
            "evidence",
            "This account was bought through a reseller (Softchoice): an invoice is not accepted. "
            "The reseller can vouch, or provide the invoice in the ticket.",
        ),
        (
            "recent_invoice",
            DIRECT,
            {"invoice_date": date(2025, 11, 1)},
            "invoice_date",
            "The invoice must be from the last 12 months.",
        ),
        (
            "recent_invoice",
            DIRECT,
            {"invoice_date": date(2026, 12, 1)},
            "invoice_date",
            "The invoice must be from the last 12 months.",
        ),
        ("recent_invoice", DIRECT, {}, "invoice_date", "Enter the invoice's date."),
        (
            "license_text",
            RESELLER,
            {"license_text": "x" * 100},
            "evidence",
            "A license copy is evidence only for self-managed subscriptions.",
        ),
        (
            "license_text",
            DIRECT,
            {"license_text": " \n"},
            "license_text",
            "Paste the license as text (screenshots are not accepted).",
        ),
        (
            "namespace_owner",
            DIRECT,
            {"namespace": "acme"},
            "evidence",
            "The namespace owner check is for SaaS subscriptions only.",
        ),
        ("namespace_owner", RESELLER, {}, "namespace", "Namespace can't be blank."),
        ("namespace_owner", RESELLER, {"namespace": "acme platform"}, "namespace", NAMESPACE_PATH),
        ("namespace_owner", RESELLER, {"namespace": "/acme"}, "namespace", NAMESPACE_PATH),
        (
            "reseller_vouch",
            DIRECT,
            {},
            "evidence",
            "A reseller's vouch is accepted only for accounts bought through a reseller.",
        ),
        ("staff_vouch", DIRECT, {}, "evidence", "Choose one of the verification options."),
    ],
)
def test_evidence_outside_its_conditions_is_refused_with_the_reason(kind, facts, details, field, message):
    assert errors(kind, facts, **details) == {field: message}


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


@pytest.mark.parametrize(
    ("kind", "details", "verified", "summary"),
    [
        (
            "sold_to_approval",
            {"approver_email": "jane@acme.test"},
            "",
            "approval from the current sold to from jane@acme.test",
        ),
        ("prior_contract", {}, "", "prior subscription contract"),
        ("recent_invoice", {}, "", "invoice from the last 12 months"),
        ("license_text", {"license_text": "x"}, "", "last loaded license, as text (self-managed)"),
        (
            "license_text",
            {"license_text": "x"},
            "license #7 signed by this app",
            "last loaded license, as text (self-managed): license #7 signed by this app",
        ),
        ("reseller_vouch", {}, "checked", "reseller's vouch (reseller accounts)"),
        ("staff_vouch", {}, "", "staff_vouch"),
    ],
)
def test_each_kind_of_evidence_reads_with_its_own_details(kind, details, verified, summary):
    evidence = Evidence(kind=kind, ticket="T-1", note="Seen", **details)
    assert evidence.summary(verified) == f"evidence: {summary}; ticket T-1; note: Seen"


def test_a_license_copy_not_yet_verified_reads_without_a_verification():
    evidence = Evidence(kind="license_text", ticket="T-1", note="Seen", license_text="x")
    assert (
        evidence.summary() == "evidence: last loaded license, as text (self-managed); ticket T-1; note: Seen"
    )
