"""Cloud activation codes: used or not, by which instances, the code never shown whole, activations
recorded once per instance, and unknown codes or bad instance ids refused with nothing written."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from admin_app.db.activations import activation_status, record_activation
from admin_app.db.models import CloudActivation
from tests.factories import add_licenses, license_fields

AT = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def licenses(session):
    return add_licenses(
        session,
        [
            license_fields(license_type="cloud", activation_code="ABCDEF123456ABCDEF12WXYZ"),
            license_fields(license_type="cloud", activation_code="ZZZZZZ999999ZZZZZZ991234"),
            license_fields(license_type="offline"),
        ],
    )


def stored(session) -> list[tuple[int, str]]:
    return [
        (a.license_id, a.instance_id)
        for a in session.exec(select(CloudActivation).order_by(CloudActivation.id))
    ]


def test_an_unused_code_shows_its_last_four_characters_and_no_instance(session, licenses):
    status = activation_status(session=session, license=licenses[0])
    assert (status.code_hint, status.used, status.activations) == ("…WXYZ", False, [])
    assert activation_status(session=session, license=licenses[2]) is None


def test_activations_are_listed_in_order_and_an_instance_counts_once(session, licenses):
    for instance, at in (("instance-b", AT + timedelta(days=3)), ("instance-a", AT), ("instance-b", AT)):
        assert record_activation(
            session=session, code="abcdef123456abcdef12wxyz ", instance_id=instance, at=at
        ).ok
    session.commit()
    status = activation_status(session=session, license=licenses[0])
    assert status.used
    assert [(a.instance_id, a.activated_at.date()) for a in status.activations] == [
        ("instance-a", AT.date()),
        ("instance-b", (AT + timedelta(days=3)).date()),
    ]
    assert not activation_status(session=session, license=licenses[1]).used


@pytest.mark.parametrize(
    ("code", "instance_id", "answer"),
    [
        ("NOPE", "instance-a", "No cloud license has this activation code."),
        ("", "instance-a", "An activation code is needed."),
        (None, "instance-a", "An activation code is needed."),
        ("ABCDEF123456ABCDEF12WXYZ", "", "An instance id has 1 to 64 characters."),
        ("ABCDEF123456ABCDEF12WXYZ", "x" * 65, "An instance id has 1 to 64 characters."),
        ("ABCDEF123456ABCDEF12WXYZ", 42, "An instance id has 1 to 64 characters."),
        ("%", "instance-a", "No cloud license has this activation code."),
    ],
)
def test_unknown_codes_and_bad_instance_ids_are_refused_and_nothing_is_written(
    session, licenses, code, instance_id, answer
):
    outcome = record_activation(session=session, code=code, instance_id=instance_id, at=AT)
    session.commit()
    assert not outcome.ok
    assert answer in (outcome.message, *outcome.field_errors.values())
    assert stored(session) == []
