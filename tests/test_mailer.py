"""Sending the outbox over real SMTP to the local mail server process: accepted mail is delivered and
reported back over HTTP, a mistyped address bounces with the server's 550, an unreachable server is
tried again later; delivery reports need a fresh signature."""

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
import uvicorn
from sqlmodel import Session, select
from starlette.testclient import TestClient

from admin_app.background import mailer
from admin_app.background.mailer import event_signature, send_due
from admin_app.db.history.audit import Actor
from admin_app.db.mail.outbox import Email, SendResult, claim_due, enqueue, record_send_result
from admin_app.db.models import AuthEvent, OutboxMessage
from admin_app.db.validation import ASCII_LOCAL_PART
from admin_app.devtools.smtp_server import smtp_server
from admin_app.settings import get_settings
from admin_app.web.api import SIGNED_BODY_MAX_BYTES, build_api
from tests.factories import NOW
from tests.waiting import wait_until

SECRET = "test-mail-events-secret"


def queue(session: Session, to: str, subject: str = "Your license") -> OutboxMessage:
    email = Email("license_file", to, subject, "The license file:\nLINE", "license", 1)
    message = enqueue(
        session=session, email=email, actor=Actor("sales@example.com"), now=NOW, domain="admin.test"
    )
    session.commit()
    return message


def row(session: Session, message_id: int) -> OutboxMessage:
    session.expire_all()
    return session.get(OutboxMessage, message_id)


@pytest.fixture
def app_url(db_url, monkeypatch) -> Iterator[str]:
    """The app's HTTP routes (the delivery-report route among them) on a socket bound here."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("MAIL_EVENTS_SECRET", SECRET)
    get_settings.cache_clear()
    listener = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(build_api(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()
    get_settings.cache_clear()


def test_mail_is_delivered_and_reported_and_a_typo_bounces_with_the_servers_answer(
    session, app_url, tmp_path, monkeypatch
):
    with smtp_server(f"{app_url}/api/mail-events", SECRET, tmp_path / "mail") as smtp_url:
        monkeypatch.setenv("SMTP_URL", smtp_url)
        get_settings.cache_clear()
        good = queue(session, "ops@numbat.test")
        typo = queue(session, "ops@numbat.tset")
        assert send_due() == 2
        assert (row(session, typo.id).status, row(session, typo.id).last_answer) == (
            "bounced",
            "550 5.1.1 <ops@numbat.tset>: Recipient address rejected: User unknown in virtual mailbox table",
        )
        assert row(session, good.id).last_answer.startswith("250 2.0.0 Ok: delivered to mailbox")
        wait_until(lambda: row(session, good.id).status == "delivered")
        assert row(session, good.id).last_answer == "250 delivered to ops@numbat.test"
        [stored] = list((tmp_path / "mail").glob("*.eml"))
        received = message_from_bytes(stored.read_bytes())
        assert (received["To"], received["Message-ID"]) == ("ops@numbat.test", good.message_id)
        assert "LINE" in received.get_payload(decode=True).decode()
    assert send_due() == 0


def test_one_message_the_relay_cannot_take_fails_alone_at_once_and_the_batch_is_delivered(
    session, app_url, tmp_path, monkeypatch
):
    """Rows queued before addresses were checked as they are now: a non-ASCII and a look-alike local
    part, and a subject that would inject a header. Each is its own failure; the others go out."""
    with smtp_server(f"{app_url}/api/mail-events", SECRET, tmp_path / "mail") as smtp_url:
        monkeypatch.setenv("SMTP_URL", smtp_url)
        get_settings.cache_clear()
        long_s = queue(session, "op\u017f@kodak.test")
        good = queue(session, "ops@kodak.test")
        kelvin = queue(session, "\u212aim@kodak.test")
        injected = queue(session, "ops@kodak.test", subject="Your license\r\nBcc: all@kodak.test")
        international = queue(session, "ops@B\u00fccher.test")
        assert send_due() == 5
        for bad in (long_s, kelvin):
            stored = row(session, bad.id)
            assert (stored.status, stored.attempts) == ("failed", 1)
            assert stored.last_answer == f"not sent: {ASCII_LOCAL_PART}"
        stored = row(session, injected.id)
        assert (stored.status, stored.attempts) == ("failed", 1)
        assert stored.last_answer == (
            "not sent: the message cannot be built "
            "(Header values may not contain linefeed or carriage return characters)"
        )
        wait_until(lambda: {row(session, m.id).status for m in (good, international)} == {"delivered"})
        assert row(session, international.id).last_answer == "250 delivered to ops@xn--bcher-kva.test"
        received = sorted(message_from_bytes(f.read_bytes())["To"] for f in (tmp_path / "mail").glob("*.eml"))
        assert received == ["ops@kodak.test", "ops@xn--bcher-kva.test"]
    # Nothing was left "sending": after any lease, there is nothing to claim.
    assert send_due(now=datetime.now(UTC) + timedelta(days=1)) == 0
    assert {row(session, m.id).attempts for m in (long_s, good, kelvin, injected, international)} == {1}


def test_whatever_sending_one_message_raises_is_that_messages_attempt_alone(
    session, app_url, tmp_path, monkeypatch
):
    """A fault nobody foresaw, injected while one message is built: that message is tried again
    later, its attempt counted and the error's type recorded; the rest of the batch goes out."""
    built = mailer._message

    def faulty(claimed, sender):
        if claimed.subject == "faulty":
            raise RuntimeError("a fault nobody foresaw")
        return built(claimed, sender)

    monkeypatch.setattr(mailer, "_message", faulty)
    with smtp_server(f"{app_url}/api/mail-events", SECRET, tmp_path / "mail") as smtp_url:
        monkeypatch.setenv("SMTP_URL", smtp_url)
        get_settings.cache_clear()
        broken = queue(session, "ops@kodak.test", subject="faulty")
        good = queue(session, "it@kodak.test")
        assert send_due() == 2
        stored = row(session, broken.id)
        assert (stored.status, stored.attempts) == ("queued", 1)
        assert stored.last_answer == "not sent: sending raised RuntimeError"
        assert row(session, good.id).status == "sent"


def test_an_unreachable_mail_server_is_tried_again_later(session, monkeypatch):
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("DATABASE_URL", str(session.get_bind().url.render_as_string(hide_password=False)))
    get_settings.cache_clear()
    message = queue(session, "ops@numbat.test")
    assert send_due() == 1
    stored = row(session, message.id)
    assert (stored.status, stored.attempts) == ("queued", 1)
    assert stored.last_answer.startswith("could not reach the mail server")
    get_settings.cache_clear()


# Well past the allowed age either way, so that a slow request cannot bring a stamp back inside it;
# the exact edge is checked without a clock below.
OUT_OF_WINDOW_S = mailer.EVENT_MAX_AGE_S + 60


@pytest.mark.parametrize(
    ("age_s", "genuine"),
    [(0, True), (300, True), (-300, True), (300.001, False), (-300.001, False)],
)
def test_a_signature_is_fresh_up_to_five_minutes_either_way(age_s, genuine):
    now, body = 1_800_000_000.0, b'{"event": "delivered"}'
    stamp = repr(now - age_s)
    signature = event_signature(SECRET, stamp, body)
    assert mailer.event_is_genuine(SECRET, stamp, signature, body, now) is genuine


def report(client: TestClient, body: dict, stamp: float | None = None, secret: str = SECRET):
    raw = json.dumps(body).encode()
    at = str(int(stamp if stamp is not None else time.time()))
    return client.post(
        "/api/mail-events",
        content=raw,
        headers={"X-Mail-Timestamp": at, "X-Mail-Signature": event_signature(secret, at, raw)},
    )


@pytest.fixture
def client(db_url, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("MAIL_EVENTS_SECRET", SECRET)
    get_settings.cache_clear()
    yield TestClient(build_api())
    get_settings.cache_clear()


def sent(session: Session, to: str) -> OutboxMessage:
    message = queue(session, to)
    claim_due(session=session, now=NOW)
    record_send_result(session=session, message_id=message.id, result=SendResult(250, "250 ok"), now=NOW)
    session.commit()
    return message


def test_a_genuine_report_finishes_a_message(session, client):
    message = sent(session, "ops@numbat.test")
    answer = report(client, {"message_id": message.message_id, "event": "bounced", "answer": "550 gone"})
    assert (answer.status_code, answer.text) == (200, "recorded")
    assert (row(session, message.id).status, row(session, message.id).last_answer) == ("bounced", "550 gone")


@pytest.mark.parametrize(
    ("secret", "age_s"),
    [("another-secret", 0), (SECRET, OUT_OF_WINDOW_S), (SECRET, -OUT_OF_WINDOW_S)],
    ids=["forged", "old", "future"],
)
def test_a_report_without_a_fresh_genuine_signature_is_refused(session, client, secret, age_s):
    message = sent(session, "ops@numbat.test")
    body = {"message_id": message.message_id, "event": "delivered", "answer": "250"}
    answer = report(client, body, stamp=time.time() - age_s, secret=secret)
    assert answer.status_code == 401
    assert row(session, message.id).status == "sent"
    refusals = session.exec(select(AuthEvent.detail).where(AuthEvent.kind == "refused")).all()
    assert refusals == ["/api/mail-events: a request without a valid signature"]


def test_a_signature_made_for_another_timestamp_is_refused(session, client):
    """The timestamp is signed with the body: an old report's signature under a fresh timestamp fails."""
    message = sent(session, "ops@numbat.test")
    raw = json.dumps({"message_id": message.message_id, "event": "delivered", "answer": "250"}).encode()
    old, fresh = str(int(time.time()) - 3600), str(int(time.time()))
    answer = client.post(
        "/api/mail-events",
        content=raw,
        headers={"X-Mail-Timestamp": fresh, "X-Mail-Signature": event_signature(SECRET, old, raw)},
    )
    assert answer.status_code == 401
    assert row(session, message.id).status == "sent"


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [
        ("now", "é" * 64),
        ("now", "a" * 63),
        ("now", "g" * 64),
        ("nan", "a" * 64),
        ("1e9", "a" * 64),
        ("١٢٣", "a" * 64),
    ],
    ids=["non-ASCII signature", "short", "not hex", "nan", "exponent", "Arabic-Indic digits"],
)
def test_a_malformed_signature_header_is_a_plain_400(session, client, timestamp, signature):
    message = sent(session, "ops@numbat.test")
    stamp = str(int(time.time())) if timestamp == "now" else timestamp
    answer = client.post(
        "/api/mail-events",
        content=b'{"message_id": "x", "event": "delivered", "answer": ""}',
        headers={"X-Mail-Timestamp": stamp.encode(), "X-Mail-Signature": signature.encode()},
    )
    assert answer.status_code == 400
    assert "X-Mail-Signature" in answer.text
    assert row(session, message.id).status == "sent"


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
def test_a_report_body_over_its_limit_is_a_413_before_any_check(session, client, announced):
    huge = b"x" * (SIGNED_BODY_MAX_BYTES + 1)
    content = huge if announced else iter([huge[:8000], huge[8000:]])
    answer = client.post("/api/mail-events", content=content, headers={"X-Mail-Timestamp": "1"})
    assert answer.status_code == 413
    assert session.exec(select(AuthEvent)).all() == []


@pytest.mark.parametrize(
    ("body", "status"),
    [({"message_id": "<nope@x>", "event": "delivered", "answer": ""}, 422), ({"event": "delivered"}, 400)],
    ids=["unknown message", "incomplete"],
)
def test_reports_about_nothing_of_ours_are_answered_plainly(session, client, body, status):
    assert report(client, body).status_code == status
