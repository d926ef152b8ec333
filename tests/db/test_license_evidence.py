"""Rule 13's "license as text", on both databases: only a license file this app signed (or a key it
still trusts) for a license of this account verifies the requester, and what was verified goes into
every history row of the ownership change."""

import base64
import json
from datetime import UTC, datetime

import pytest
from joserfc.jwk import OKPKey
from sqlmodel import select

from admin_app.db.history.audit import Actor
from admin_app.db.licenses.evidence import CHANGED, NOT_A_FILE, NOT_OURS, UNKNOWN_LICENSE
from admin_app.db.licenses.files import BEGIN, END, license_file_text
from admin_app.db.memberships.ownership import OwnershipRequest, apply_ownership_change, plan_ownership_change
from admin_app.db.memberships.ownership_evidence import Evidence
from admin_app.db.models import License, Version
from tests.factories import add_account, add_customer, add_licenses, license_fields, subscription_row

NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)
KEY = OKPKey.generate_key("Ed25519")
EARLIER_KEY = OKPKey.generate_key("Ed25519")
STRANGER_KEY = OKPKey.generate_key("Ed25519")


def account_with_license(session, name: str, email_domain: str):
    """A self-managed account (Sold To jane@<domain>) and a license of its subscription."""
    account = add_account(
        session,
        sold_to={"first_name": "Jane", "last_name": "Doe", "email": f"jane@{email_domain}"},
        name=name,
    )
    subscription = f"A-S{account.id:08d}"
    session.add(subscription_row(account.id, subscription))
    session.commit()
    [license] = add_licenses(session, [license_fields(company=name, subscription_name=subscription)])
    return account, license


@pytest.fixture
def acme(session):
    account, license = account_with_license(session, "ACME Corp", "acme.test")
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    return account, license


def request_with(account, text: str) -> OwnershipRequest:
    evidence = Evidence(
        kind="license_text", ticket="12345", note="Pasted from the admin area", license_text=text
    )
    return OwnershipRequest(billing_account_id=account.id, requester_email="bo@acme.test", evidence=evidence)


def planned(session, account, text: str, keys=(KEY,)):
    return plan_ownership_change(session, request_with(account, text), today=NOW.date(), license_keys=keys)


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unsigned_file(license: License) -> str:
    """The license's claims with no signature at all (`alg: none`), claiming the app's key."""
    claims = {"license_id": license.id, "company": license.company}
    return f"{BEGIN}\n{b64({'alg': 'none', 'kid': KEY.thumbprint()})}.{b64(claims)}.\n{END}\n"


def tampered_file(license: License) -> str:
    """A genuine file of another license with this license's id written over it."""
    header, _, signature = "".join(license_file_text(license, KEY).split("\n")[1:-2]).split(".")
    return f"{header}.{b64({'license_id': license.id, 'users': 5000})}.{signature}"


@pytest.mark.parametrize(
    ("make_text", "message"),
    [
        (lambda license: "x" * 40, NOT_A_FILE),
        (lambda license: "eyJkYXRhIjoi" * 10, NOT_A_FILE),
        (lambda license: "aaaa.bbbb.cccc", NOT_A_FILE),
        (unsigned_file, NOT_A_FILE),
        (lambda license: license_file_text(license, STRANGER_KEY), NOT_OURS),
        (tampered_file, CHANGED),
    ],
    ids=["forty-characters", "base64-noise", "three-parts", "unsigned", "another-key", "tampered"],
)
def test_text_that_is_not_a_file_this_app_signed_is_refused_with_the_reason(
    session, acme, make_text, message
):
    account, license = acme
    outcome = planned(session, account, make_text(license))
    assert not outcome.ok
    assert outcome.field_errors == {"license_text": message}


def test_a_genuine_file_of_another_account_is_refused(session, acme):
    account, _ = acme
    _, other_license = account_with_license(session, "Globex", "globex.test")
    outcome = planned(session, account, license_file_text(other_license, KEY))
    assert outcome.field_errors == {
        "license_text": f"This license file was issued for another account (license {other_license.id}, "
        "Globex), not ACME Corp; it is not evidence for this account."
    }


def test_a_genuine_file_of_a_license_the_database_does_not_have_is_refused(session, acme):
    account, _ = acme
    made_up = License(
        id=987654, **license_fields(company="ACME Corp", subscription_name=f"A-S{account.id:08d}")
    )
    assert planned(session, account, license_file_text(made_up, KEY)).field_errors == {
        "license_text": UNKNOWN_LICENSE
    }


def test_a_file_signed_by_an_earlier_trusted_key_verifies_and_an_untrusted_one_does_not(session, acme):
    account, license = acme
    text = license_file_text(license, EARLIER_KEY)
    assert planned(session, account, text, keys=(KEY, EARLIER_KEY)).ok
    assert planned(session, account, text, keys=(KEY,)).field_errors == {"license_text": NOT_OURS}
    assert planned(session, account, text, keys=()).field_errors == {"license_text": NOT_OURS}


def test_a_genuine_file_of_this_account_verifies_and_what_was_verified_is_in_every_history_row(session, acme):
    account, license = acme
    text = "  " + license_file_text(license, KEY).replace("\n", "\r\n")
    plan = planned(session, account, text)
    assert plan.ok, plan
    verified = (
        f"license file of license {license.id} (ACME Corp, subscription A-S{account.id:08d}), "
        f"signature verified with key {KEY.thumbprint()}"
    )
    assert plan.value.evidence == (
        f"evidence: last loaded license, as text (self-managed): {verified}; ticket 12345; "
        "note: Pasted from the admin area"
    )
    outcome = apply_ownership_change(
        session,
        request_with(account, text),
        fingerprint=plan.value.fingerprint,
        actor=Actor("support@example.com"),
        now=NOW,
        license_keys=(KEY,),
    )
    session.commit()
    assert outcome.ok
    reasons = session.exec(select(Version.reason)).all()
    assert len(reasons) >= 2
    assert all(verified in reason for reason in reasons)


def test_the_file_is_verified_again_when_the_change_is_made(session, acme):
    account, license = acme
    text = license_file_text(license, KEY)
    plan = planned(session, account, text)
    outcome = apply_ownership_change(
        session,
        request_with(account, text),
        fingerprint=plan.value.fingerprint,
        actor=Actor("support@example.com"),
        now=NOW,
        license_keys=(STRANGER_KEY,),
    )
    session.commit()
    assert outcome.field_errors == {"license_text": NOT_OURS}
    assert session.exec(select(Version)).all() == []
