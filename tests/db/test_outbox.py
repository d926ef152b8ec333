"""The outbox: an email is a row and a history row at once; senders claim due rows, record what the
mail server said, retry what can be retried and give up after the last try; delivery reports finish a
message once."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from admin_app.db.history.audit import Actor
from admin_app.db.mail.outbox import (
    LAST_ATTEMPT_LOST,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    SENDING_LEASE,
    Claimed,
    Email,
    SendResult,
    apply_delivery_event,
    claim_due,
    enqueue,
    messages_about,
    record_send_result,
)
from admin_app.db.models import OutboxMessage, Version
from admin_app.db.session import engine_for
from tests.db.history_faults import history_writes_fail

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
ACTOR = Actor("support@example.com")


def email(to: str = "ops@numbat.test", item_id: int = 7, kind: str = "license_file") -> Email:
    return Email(kind, to, "Your license", "The license file is attached.", "license", item_id)


def queue(session: Session, *emails: Email) -> list[OutboxMessage]:
    made = [enqueue(session=session, email=e, actor=ACTOR, now=NOW, domain="admin.test") for e in emails]
    session.commit()
    return made


def status(session: Session, message_id: int) -> tuple:
    session.expire_all()
    m = session.get(OutboxMessage, message_id)
    return (m.status, m.attempts, m.last_answer)


def test_asking_for_an_email_writes_its_row_and_its_history_row_with_one_request_id(session):
    [message] = queue(session, email())
    assert (message.status, message.attempts, message.next_attempt_at) == ("queued", 0, NOW)
    assert message.message_id.startswith("<") and message.message_id.endswith("@admin.test>")
    [version] = session.exec(select(Version)).all()
    assert (version.item_type, version.item_id, version.actor) == ("outbox_message", message.id, ACTOR.email)
    assert version.changes["to_address"] == [None, "ops@numbat.test"]
    assert version.changes["about"] == [None, "license 7"]
    assert version.request_id == message.request_id == ACTOR.request_id


def test_an_email_about_a_customer_is_in_the_customers_history(session):
    queue(session, Email("confirmation", "c@x.test", "Confirm", "Please confirm.", "customer", 42))
    [version] = session.exec(select(Version)).all()
    assert version.customer_id == 42


def test_no_email_is_queued_when_its_history_row_cannot_be_written(session, db_url):
    with history_writes_fail(db_url), pytest.raises(DBAPIError):
        enqueue(session=session, email=email(), actor=ACTOR, now=NOW, domain="admin.test")
        session.commit()
    session.rollback()
    assert session.exec(select(OutboxMessage)).all() == []


def test_a_sender_claims_what_is_due_once_until_its_lease_runs_out(session):
    first, second = queue(session, email(), email("b@numbat.test"))
    later = queue(session, email("later@numbat.test"))[0]
    later.next_attempt_at = NOW + timedelta(minutes=10)
    session.add(later)
    session.commit()
    claimed = claim_due(session=session, now=NOW)
    session.commit()
    assert [(c.id, c.attempt) for c in claimed] == [(first.id, 1), (second.id, 1)]
    assert claim_due(session=session, now=NOW + SENDING_LEASE - timedelta(seconds=1)) == []
    session.commit()
    # The sender died: after the lease, the message is tried again, as a second attempt.
    again = claim_due(session=session, now=NOW + SENDING_LEASE, limit=1)
    assert [(c.id, c.attempt) for c in again] == [(first.id, 2)]


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (SendResult(250, "250 2.0.0 Ok: queued as 4F2"), ("sent", "250 2.0.0 Ok: queued as 4F2")),
        (
            SendResult(550, "550 5.1.1 <ops@numbat.test>: mailbox unavailable"),
            ("bounced", "550 5.1.1 <ops@numbat.test>: mailbox unavailable"),
        ),
        (SendResult(421, "421 4.3.2 try again later"), ("queued", "421 4.3.2 try again later")),
        (SendResult(None, "connection refused"), ("queued", "connection refused")),
    ],
    ids=["accepted", "refused", "busy", "unreachable"],
)
def test_each_answer_of_the_mail_server_moves_the_message_on(session, result, expected):
    [message] = queue(session, email())
    claim_due(session=session, now=NOW)
    record_send_result(session=session, message_id=message.id, result=result, now=NOW)
    session.commit()
    assert status(session, message.id) == (expected[0], 1, expected[1])
    stored = session.get(OutboxMessage, message.id)
    if expected[0] == "queued":
        assert stored.next_attempt_at == NOW + RETRY_DELAYS[0]
    else:
        assert stored.next_attempt_at is None


def test_after_the_last_try_a_message_has_failed(session):
    [message] = queue(session, email())
    at = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        [claimed] = claim_due(session=session, now=at)
        assert claimed.attempt == attempt
        record_send_result(
            session=session, message_id=message.id, result=SendResult(None, "timed out"), now=at
        )
        session.commit()
        at += timedelta(days=1)
    assert status(session, message.id) == ("failed", MAX_ATTEMPTS, "timed out")
    assert claim_due(session=session, now=at + timedelta(days=30)) == []


def test_a_message_that_cannot_be_sent_as_it_is_has_failed_after_one_try(session):
    [message] = queue(session, email())
    claim_due(session=session, now=NOW)
    result = SendResult(None, "not sent: no such address", final=True)
    record_send_result(session=session, message_id=message.id, result=result, now=NOW)
    session.commit()
    assert status(session, message.id) == ("failed", 1, "not sent: no such address")
    assert claim_due(session=session, now=NOW + timedelta(days=30)) == []


def test_a_message_whose_attempts_are_all_lost_fails_and_is_never_tried_past_the_maximum(session):
    [message] = queue(session, email())
    at = NOW
    # Each sender dies mid-send: no result is ever recorded, the lease runs out, the next one claims it.
    for _ in range(MAX_ATTEMPTS + 3):
        claim_due(session=session, now=at)
        session.commit()
        assert status(session, message.id)[1] <= MAX_ATTEMPTS
        at += SENDING_LEASE
    assert status(session, message.id) == ("failed", MAX_ATTEMPTS, LAST_ATTEMPT_LOST)


def test_a_result_for_a_message_no_longer_being_sent_changes_nothing(session):
    [message] = queue(session, email())
    record_send_result(session=session, message_id=message.id, result=SendResult(250, "250 ok"), now=NOW)
    session.commit()
    assert status(session, message.id) == ("queued", 0, "")


def test_delivery_reports_finish_a_message_once(session):
    delivered, bounced = queue(session, email(), email("typo@numbat.tset"))
    for message in (delivered, bounced):
        claim_due(session=session, now=NOW)
        record_send_result(session=session, message_id=message.id, result=SendResult(250, "250 ok"), now=NOW)
    session.commit()
    assert apply_delivery_event(
        session=session, message_id=delivered.message_id, event="delivered", answer="250 delivered", at=NOW
    ).ok
    assert apply_delivery_event(
        session=session,
        message_id=bounced.message_id,
        event="bounced",
        answer="550 5.1.1 no such user",
        at=NOW,
    ).ok
    # A late, different report does not undo the first.
    assert apply_delivery_event(
        session=session, message_id=bounced.message_id, event="delivered", answer="", at=NOW
    ).ok
    assert apply_delivery_event(
        session=session, message_id=delivered.message_id, event="bounced", answer="550 late", at=NOW
    ).ok
    session.commit()
    assert status(session, delivered.id) == ("delivered", 1, "250 delivered")
    assert status(session, bounced.id) == ("bounced", 1, "550 5.1.1 no such user")


@pytest.mark.parametrize(
    ("message_id", "event", "answer"),
    [
        ("<nope@admin.test>", "delivered", "No message of ours has this Message-ID."),
        (None, "opened", "Unknown delivery event 'opened'."),
    ],
)
def test_unknown_reports_are_refused(session, message_id, event, answer):
    [message] = queue(session, email())
    outcome = apply_delivery_event(
        session=session, message_id=message_id or message.message_id, event=event, answer="", at=NOW
    )
    assert outcome.message == answer
    assert status(session, message.id) == ("queued", 0, "")


def test_the_emails_about_a_record_newest_first(session):
    a, b, _ = queue(session, email(item_id=1), email(item_id=1), email(item_id=2))
    assert [m.id for m in messages_about(session=session, item_type="license", item_ids=[1])] == [b.id, a.id]
    assert messages_about(session=session, item_type="license", item_ids=[]) == []


def test_two_senders_at_once_never_claim_the_same_message(postgres_url):
    from tests.conftest import empty_tables

    empty_tables(postgres_url)
    with Session(engine_for(postgres_url)) as setup:
        queue(setup, *(email(f"p{n}@numbat.test") for n in range(6)))
    with Session(engine_for(postgres_url)) as one, Session(engine_for(postgres_url)) as two:
        first = claim_due(session=one, now=NOW, limit=4)
        second = claim_due(session=two, now=NOW, limit=4)
        one.commit()
        two.commit()
    assert len(first) == 4 and len(second) == 2
    assert not {c.id for c in first} & {c.id for c in second}


def stored_times(session: Session, message_id: int) -> tuple:
    session.expire_all()
    m = session.get(OutboxMessage, message_id)
    return (m.sent_at, m.finished_at, m.next_attempt_at)


@pytest.mark.parametrize(
    ("about", "changes"),
    [
        (("customer", 42), {"customer_id": [None, 42]}),
        (("license", 42), {}),
    ],
    ids=["customer", "license"],
)
def test_an_email_row_holds_what_was_asked_and_its_history_row_who_asked_and_why(session, about, changes):
    asked = Email("confirmation", "c@x.test", "Confirm", "Please confirm.", *about)
    message = enqueue(
        session=session, email=asked, actor=ACTOR, now=NOW, domain="admin.test", reason=" By phone "
    )
    session.commit()
    session.expire_all()
    row = session.get(OutboxMessage, message.id)
    assert (row.kind, row.to_address, row.subject, row.body, row.item_type, row.item_id) == (
        "confirmation",
        "c@x.test",
        "Confirm",
        "Please confirm.",
        *about,
    )
    assert (row.requested_by, row.requested_at, row.request_id) == (ACTOR.email, NOW, ACTOR.request_id)
    [version] = session.exec(select(Version)).all()
    assert (version.event, version.reason, version.created_at) == ("create", "By phone", NOW)
    assert version.changes == {
        "kind": [None, "confirmation"],
        "to_address": [None, "c@x.test"],
        "about": [None, f"{about[0]} 42"],
        **changes,
    }


def test_an_email_of_an_unknown_kind_is_a_programming_error_and_nothing_is_queued(session):
    with pytest.raises(ValueError, match="unknown email kind 'newsletter'"):
        enqueue(session=session, email=email(kind="newsletter"), actor=ACTOR, now=NOW, domain="admin.test")
    assert session.exec(select(OutboxMessage)).all() == []
    assert session.exec(select(Version)).all() == []


def test_a_sender_claims_ten_at_a_time_the_longest_due_first_each_as_it_was_asked(session):
    messages = queue(session, *(email(f"m{n}@numbat.test") for n in range(11)))
    # The last one queued has waited longest (a retry), so it goes first.
    messages[-1].next_attempt_at = NOW - timedelta(hours=1)
    session.add(messages[-1])
    session.commit()
    claimed = claim_due(session=session, now=NOW)
    assert claimed[0] == Claimed(
        messages[-1].id,
        messages[-1].message_id,
        "m10@numbat.test",
        "Your license",
        "The license file is attached.",
        1,
    )
    assert [c.id for c in claimed] == [messages[-1].id] + [m.id for m in messages[:9]]
    session.commit()
    assert stored_times(session, messages[0].id) == (None, None, NOW + SENDING_LEASE)


def test_a_message_whose_last_attempt_was_lost_is_finished_when_found(session):
    [message] = queue(session, email())
    message.attempts, message.status = MAX_ATTEMPTS, "sending"
    session.add(message)
    session.commit()
    assert claim_due(session=session, now=NOW) == []
    session.commit()
    assert status(session, message.id) == ("failed", MAX_ATTEMPTS, LAST_ATTEMPT_LOST)
    assert stored_times(session, message.id) == (None, NOW, None)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (200, "sent"),
        (299, "sent"),
        (300, "queued"),
        (499, "queued"),
        (500, "bounced"),
        (599, "bounced"),
        (600, "queued"),
    ],
)
def test_the_mail_servers_code_decides_sent_bounced_or_tried_again(session, code, expected):
    [message] = queue(session, email())
    claim_due(session=session, now=NOW)
    record_send_result(session=session, message_id=message.id, result=SendResult(code, "x" * 600), now=NOW)
    session.commit()
    assert status(session, message.id) == (expected, 1, "x" * 500)
    assert (
        stored_times(session, message.id)
        == {
            "sent": (NOW, None, None),
            "bounced": (None, NOW, None),
            "queued": (None, None, NOW + RETRY_DELAYS[0]),
        }[expected]
    )


def test_each_try_again_waits_longer_and_the_last_try_finishes_the_message(session):
    [message] = queue(session, email())
    at = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claim_due(session=session, now=at)
        record_send_result(session=session, message_id=message.id, result=SendResult(421, "busy"), now=at)
        session.commit()
        if attempt < MAX_ATTEMPTS:
            assert stored_times(session, message.id) == (None, None, at + RETRY_DELAYS[attempt - 1])
        at = at + timedelta(days=1)
    assert stored_times(session, message.id) == (None, at - timedelta(days=1), None)


def test_a_delivery_report_finishes_the_message_and_keeps_the_servers_answer_when_it_gives_none(session):
    first, second, given_up = queue(session, email(), email("b@numbat.test"), email("c@numbat.test"))
    claim_due(session=session, now=NOW)
    for message in (first, second):
        record_send_result(session=session, message_id=message.id, result=SendResult(250, "250 ok"), now=NOW)
    final = SendResult(None, "not sent", final=True)
    record_send_result(session=session, message_id=given_up.id, result=final, now=NOW)
    session.commit()
    later = NOW + timedelta(minutes=3)
    for message, answer in ((first, ""), (second, "y" * 600), (given_up, "250 delivered")):
        outcome = apply_delivery_event(
            session=session, message_id=message.message_id, event="delivered", answer=answer, at=later
        )
        assert outcome.value.id == message.id
    session.commit()
    assert status(session, first.id) == ("delivered", 1, "250 ok")
    assert stored_times(session, first.id) == (NOW, later, None)
    assert status(session, second.id) == ("delivered", 1, "y" * 500)
    assert status(session, given_up.id) == ("failed", 1, "not sent")


def test_an_unknown_report_is_named_in_the_refusal(session):
    outcome = apply_delivery_event(
        session=session, message_id="<x@admin.test>", event="opened", answer="", at=NOW
    )
    assert outcome.message == "Unknown delivery event 'opened'."


def test_only_the_emails_about_that_kind_of_record_and_the_newest_fifty(session):
    licenses = queue(session, *(email(item_id=1) for _ in range(51)))
    queue(session, Email("confirmation", "c@x.test", "Confirm", "Please confirm.", "customer", 1))
    found = messages_about(session=session, item_type="license", item_ids=[1])
    assert [m.id for m in found] == [m.id for m in reversed(licenses)][:50]
    assert [m.id for m in messages_about(session=session, item_type="license", item_ids=[1], limit=2)] == [
        licenses[-1].id,
        licenses[-2].id,
    ]


def test_of_messages_due_at_the_same_moment_the_one_queued_first_is_tried_first(session):
    first, second = queue(session, email("a@numbat.test"), email("b@numbat.test"))
    assert [c.id for c in claim_due(session=session, now=NOW, limit=1)] == [first.id]
    second.next_attempt_at = NOW + SENDING_LEASE
    session.add(second)
    session.commit()
    # The first one's lease runs out as the second one falls due: a retry and a first try, tied.
    assert [c.id for c in claim_due(session=session, now=NOW + SENDING_LEASE, limit=1)] == [first.id]
