"""Sending a license again: to the address on record as it is; to a corrected address only with the
ticket, and with a reason when the activation code was already used; the address change, the email
and their history rows in one transaction, or none of them."""

import pytest
from joserfc.jwk import OKPKey
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from admin_app.db.history.audit import Actor
from admin_app.db.licenses.activations import record_activation
from admin_app.db.licenses.files import check_license_file
from admin_app.db.licenses.sending import SendRequest, plan_send, send_license
from admin_app.db.models import License, OutboxMessage, Version
from admin_app.db.validation import ASCII_LOCAL_PART
from tests.db.history_faults import history_writes_fail
from tests.factories import NOW, add_licenses, license_fields

KEY = OKPKey.generate_key("Ed25519")
ACTOR = Actor("support@example.com")


@pytest.fixture
def licenses(session) -> dict[str, License]:
    cloud, used, offline = add_licenses(
        session,
        [
            license_fields(email="ops@numbat.tset", license_type="cloud", activation_code="A" * 20 + "WXYZ"),
            license_fields(email="it@wombat.test", license_type="cloud", activation_code="B" * 20 + "1234"),
            license_fields(email="it@quokka.test", license_type="offline"),
        ],
    )
    record_activation(session=session, code="B" * 20 + "1234", instance_id="instance-1", at=NOW)
    session.commit()
    return {"cloud": cloud, "used": used, "offline": offline}


def send(session: Session, license: License, **request) -> object:
    outcome = send_license(
        session=session,
        license_id=license.id,
        request=SendRequest(**request),
        actor=ACTOR,
        now=NOW,
        key=KEY,
        domain="admin.test",
    )
    session.commit()
    return outcome


def emails(session: Session) -> list[tuple[str, str, str]]:
    return [
        (m.kind, m.to_address, m.subject)
        for m in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))
    ]


def test_to_the_address_on_record_a_cloud_license_sends_its_code_and_an_offline_one_its_file(
    session, licenses
):
    assert send(session, licenses["cloud"], to_address="OPS@numbat.tset").ok
    assert send(session, licenses["offline"], to_address="it@quokka.test").ok
    assert [(kind, to) for kind, to, _ in emails(session)] == [
        ("activation_code", "OPS@numbat.tset"),
        ("license_file", "it@quokka.test"),
    ]
    code_mail, file_mail = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert "A" * 20 + "WXYZ" in code_mail.body
    file_text = file_mail.body[file_mail.body.index("-----BEGIN") :]
    assert check_license_file(file_text, [KEY]).claims["license_id"] == licenses["offline"].id
    # The address did not change: the license is as it was; the history has the two emails only.
    assert session.get(License, licenses["cloud"].id).email == "ops@numbat.tset"
    assert [v.item_type for v in session.exec(select(Version))] == ["outbox_message", "outbox_message"]


def test_a_corrected_address_needs_the_ticket_and_is_saved_with_the_email_under_one_request(
    session, licenses
):
    refused = send(session, licenses["cloud"], to_address="ops@numbat.test")
    assert set(refused.field_errors) == {"ticket"}
    assert emails(session) == []
    assert send(session, licenses["cloud"], to_address="ops@numbat.test", ticket="ZD-4711").ok
    session.expire_all()
    assert session.get(License, licenses["cloud"].id).email == "ops@numbat.test"
    change, email = session.exec(select(Version).order_by(Version.id)).all()
    assert (change.item_type, change.changes, change.reason) == (
        "license",
        {"email": ["ops@numbat.tset", "ops@numbat.test"]},
        "Ticket ZD-4711",
    )
    assert email.item_type == "outbox_message" and email.request_id == change.request_id


def test_a_used_activation_code_goes_to_another_address_only_with_a_reason(session, licenses):
    plan = plan_send(session=session, license_id=licenses["used"].id, request=SendRequest("it@wombat.test"))
    assert plan.value.code_used and not plan.value.changes_address
    refused = send(session, licenses["used"], to_address="new@wombat.test", ticket="ZD-1")
    assert "already used" in refused.field_errors["reason"]
    assert send(
        session, licenses["used"], to_address="new@wombat.test", ticket="ZD-1", reason="Admin left"
    ).ok
    [change] = session.exec(select(Version).where(Version.item_type == "license")).all()
    assert change.reason == "Ticket ZD-1: Admin left"


@pytest.mark.parametrize(
    ("to_address", "field"),
    [
        ("", "to_address"),
        ("not-an-email", "to_address"),
        ("a@b", "to_address"),
        ("x" * 300 + "@a.test", "to_address"),
    ],
)
def test_a_bad_address_is_answered_beside_the_field_and_nothing_is_written(
    session, licenses, to_address, field
):
    outcome = send(session, licenses["offline"], to_address=to_address, ticket="ZD-1")
    assert field in outcome.field_errors
    assert emails(session) == []


def test_the_plan_lists_earlier_attempts_newest_first(session, licenses):
    send(session, licenses["cloud"], to_address="ops@numbat.tset")
    send(session, licenses["cloud"], to_address="ops@numbat.tset")
    plan = plan_send(session=session, license_id=licenses["cloud"].id, request=SendRequest("ops@numbat.tset"))
    assert [m.id for m in plan.value.earlier] == sorted((m.id for m in plan.value.earlier), reverse=True)
    assert len(plan.value.earlier) == 2


def test_an_unknown_license_is_refused(session, licenses):
    outcome = plan_send(session=session, license_id=10**9, request=SendRequest("a@b.test"))
    assert outcome.message == "There is no license with this id."


def test_nothing_of_a_correction_stays_when_its_history_cannot_be_written(session, db_url, licenses):
    with history_writes_fail(db_url, item_type="outbox_message"), pytest.raises(DBAPIError):
        send(session, licenses["cloud"], to_address="ops@numbat.test", ticket="ZD-9")
    session.rollback()
    session.expire_all()
    assert session.get(License, licenses["cloud"].id).email == "ops@numbat.tset"
    assert emails(session) == []
    assert session.exec(select(Version)).all() == []


KODAK_CODE = "C" * 20 + "5678"


@pytest.fixture
def kodak(session) -> License:
    """A cloud license whose code was used: a corrected address needs the ticket and a reason."""
    [license] = add_licenses(
        session, [license_fields(email="ops@kodak.test", license_type="cloud", activation_code=KODAK_CODE)]
    )
    record_activation(session=session, code=KODAK_CODE, instance_id="instance-k", at=NOW)
    session.commit()
    return license


@pytest.mark.parametrize(
    "look_alike",
    ["op\u017f@kodak.test", "op\uff53@kodak.test", "\u212aim@kodak.test"],
    ids=["long s", "fullwidth s", "Kelvin sign"],
)
def test_a_look_alike_of_the_address_on_record_is_refused_at_input(session, kodak, look_alike):
    outcome = send(session, kodak, to_address=look_alike)
    assert outcome.field_errors == {"to_address": ASCII_LOCAL_PART}
    assert emails(session) == []
    assert session.get(License, kodak.id).email == "ops@kodak.test"


@pytest.mark.parametrize(
    ("on_record", "look_alike"),
    [("ops@kodak.test", "ops@k\u043edak.test"), ("ops@strasse.test", "ops@stra\u00dfe.test")],
    ids=["Cyrillic o", "sharp s, which casefold makes ss"],
)
def test_a_look_alike_domain_is_not_the_address_on_record(session, kodak, on_record, look_alike):
    kodak.email = on_record
    session.add(kodak)
    session.commit()
    refused = send(session, kodak, to_address=look_alike)
    assert set(refused.field_errors) == {"ticket", "reason"}
    assert emails(session) == []
    assert send(session, kodak, to_address=look_alike, ticket="ZD-9", reason="Their new domain").ok
    [change] = session.exec(select(Version).where(Version.item_type == "license")).all()
    assert change.changes == {"email": [on_record, look_alike]}


@pytest.mark.parametrize(
    ("typed", "sent_to"),
    [
        ("OPS@Kodak.TEST", "OPS@kodak.test"),
        ("ops@\uff2b\uff2f\uff24\uff21\uff2b.test", "ops@kodak.test"),
        ("ops@\u212aodak.test", "ops@kodak.test"),
    ],
    ids=["mixed case", "fullwidth domain", "Kelvin sign in the domain"],
)
def test_the_address_on_record_typed_in_another_case_or_form_goes_out_in_its_normal_form(
    session, kodak, typed, sent_to
):
    assert send(session, kodak, to_address=typed).ok
    assert [to for _, to, _ in emails(session)] == [sent_to]
    assert session.get(License, kodak.id).email == "ops@kodak.test"
