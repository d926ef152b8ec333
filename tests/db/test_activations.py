"""Cloud activation codes: used or not, by which instance, the code never shown whole, a code activating
one instance (the same one may ask again), and unknown codes, a used code or bad instance ids refused
with nothing written."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from admin_app.db.licenses.activations import CODE_USED, UNKNOWN_CODE, activation_status, record_activation
from admin_app.db.models import CloudActivation
from admin_app.db.session import engine_for
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


def test_a_code_activates_one_instance_which_may_ask_again(session, licenses):
    first = record_activation(
        session=session, code="abcdef123456abcdef12wxyz ", instance_id="instance-b", at=AT
    )
    again = record_activation(
        session=session, code="ABCDEF123456ABCDEF12WXYZ", instance_id=" instance-b", at=AT + timedelta(days=3)
    )
    session.commit()
    assert (first.value.first_time, again.value.first_time) == (True, False)
    assert first.value.license.id == again.value.license.id == licenses[0].id
    status = activation_status(session=session, license=licenses[0])
    assert status.used
    assert [(a.instance_id, a.activated_at.date()) for a in status.activations] == [("instance-b", AT.date())]
    assert not activation_status(session=session, license=licenses[1]).used


def test_a_used_code_is_refused_to_another_instance(session, licenses):
    assert record_activation(
        session=session, code="ABCDEF123456ABCDEF12WXYZ", instance_id="instance-a", at=AT
    ).ok
    session.commit()
    outcome = record_activation(
        session=session, code="ABCDEF123456ABCDEF12WXYZ", instance_id="instance-b", at=AT
    )
    session.commit()
    assert outcome.message == CODE_USED
    assert stored(session) == [(licenses[0].id, "instance-a")]


@pytest.mark.parametrize(
    ("code", "instance_id", "answer"),
    [
        ("NOPE", "instance-a", UNKNOWN_CODE),
        ("", "instance-a", "An activation code is needed."),
        (None, "instance-a", "An activation code is needed."),
        ("ABCDEF123456ABCDEF12WXYZ", "", "An instance id has 1 to 64"),
        ("ABCDEF123456ABCDEF12WXYZ", "x" * 65, "An instance id has 1 to 64"),
        ("ABCDEF123456ABCDEF12WXYZ", 42, "An instance id has 1 to 64"),
        ("%", "instance-a", UNKNOWN_CODE),
        ("ABCDEF123456ABCDEF12WXYZ", "instance a", "An instance id has 1 to 64"),
        ("ABCDEF123456ABCDEF12WXYZ", "a\nb", "An instance id has 1 to 64"),
        ("ABCDEF123456ABCDEF12WXYZ", "<script>", "An instance id has 1 to 64"),
    ],
)
def test_unknown_codes_and_bad_instance_ids_are_refused_and_nothing_is_written(
    session, licenses, code, instance_id, answer
):
    outcome = record_activation(session=session, code=code, instance_id=instance_id, at=AT)
    session.commit()
    assert not outcome.ok
    assert any(message.startswith(answer) for message in (outcome.message, *outcome.field_errors.values()))
    assert stored(session) == []


def test_two_instances_presenting_one_code_at_once_activate_one_on_postgresql(postgres_url):
    from tests.conftest import empty_tables

    empty_tables(postgres_url)
    with Session(engine_for(postgres_url)) as setup:
        add_licenses(
            setup, [license_fields(license_type="cloud", activation_code="ABCDEF123456ABCDEF12WXYZ")]
        )
    with Session(engine_for(postgres_url)) as one, Session(engine_for(postgres_url)) as two:
        first = record_activation(
            session=one, code="ABCDEF123456ABCDEF12WXYZ", instance_id="instance-a", at=AT
        )
        with ThreadPoolExecutor(1) as pool:
            # The second waits for the first's transaction (the license row is locked), then sees its row.
            second = pool.submit(
                record_activation,
                session=two,
                code="ABCDEF123456ABCDEF12WXYZ",
                instance_id="instance-b",
                at=AT,
            )
            time.sleep(0.5)
            assert not second.done()
            one.commit()
            assert second.result(timeout=10).message == CODE_USED
        two.commit()
    assert first.ok
    with Session(engine_for(postgres_url)) as check:
        assert [a.instance_id for a in check.exec(select(CloudActivation))] == ["instance-a"]
