"""Customer links end to end: after both customer emails went through the real mail server, no column of
any table holds a working token (the ones in the delivered mail work); the portal redeems a link over
HTTP, signed as delivery reports are, once."""

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from starlette.testclient import TestClient

from admin_app.background.mailer import event_signature, send_due
from admin_app.db.customers.emails import send_confirmation, send_sign_in_link
from admin_app.db.customers.login_status import set_login_activated
from admin_app.db.customers.tokens import NO_LONGER_VALID, redeem_token
from admin_app.db.history.audit import Actor
from admin_app.db.mail.outbox import SendResult, claim_due, record_send_result
from admin_app.db.models import AuthEvent, OutboxMessage
from admin_app.devtools.smtp_server import smtp_server
from admin_app.settings import get_settings
from admin_app.web.api import PORTAL_REDEEM_PATH, build_api
from tests import test_mailer
from tests.factories import NOW, add_customer
from tests.waiting import wait_until

# The app's routes on a socket, for the mail server's delivery reports.
app_url = test_mailer.app_url

ACTOR = Actor("support@example.com")
PORTAL = "https://portal.test"
PORTAL_SECRET = "test-portal-secret"
# Anything a token could be: URL-safe base64 runs, as long as a token or longer.
TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-]{16,}")


def send_both_emails(session: Session) -> int:
    customer = add_customer(session, email="ann@numbat.test", confirmed_at=None)
    for send in (send_sign_in_link, send_confirmation):
        assert send(
            session=session,
            customer_id=customer.id,
            actor=ACTOR,
            now=NOW,
            portal_url=PORTAL,
            domain="admin.test",
        ).ok
    session.commit()
    return customer.id


def every_stored_string(session: Session) -> set[str]:
    """Every value of every column of every table, whole and cut into token-like pieces."""
    found = set()
    for table in sa.inspect(session.get_bind()).get_table_names():
        for row in session.execute(sa.text(f'SELECT * FROM "{table}"')):
            for value in row:
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, default=str)
                found.add(text)
                found.update(TOKEN_LIKE.findall(text))
    return found


def working_tokens(session: Session, candidates: set[str]) -> list[str]:
    """The candidates that redeem as a link of either purpose (nothing is kept: each try is rolled back)."""
    working = []
    for candidate in candidates:
        for purpose in ("sign_in", "confirmation"):
            if redeem_token(session=session, token=candidate, purpose=purpose, now=NOW).ok:
                working.append(candidate)
            session.rollback()
    return working


def test_after_both_emails_were_sent_no_column_of_any_table_holds_a_working_token(
    session, app_url, tmp_path, monkeypatch
):
    mailbox = tmp_path / "mail"
    with smtp_server(f"{app_url}/api/mail-events", test_mailer.SECRET, mailbox) as smtp_url:
        monkeypatch.setenv("SMTP_URL", smtp_url)
        get_settings.cache_clear()
        customer_id = send_both_emails(session)
        assert working_tokens(session, every_stored_string(session)) == []
        assert send_due(now=NOW) == 2

        def delivered() -> bool:
            session.expire_all()
            messages = session.exec(select(OutboxMessage).where(OutboxMessage.item_id == customer_id)).all()
            return [m.status for m in messages] == ["delivered", "delivered"]

        wait_until(delivered)
    stored = every_stored_string(session)
    assert working_tokens(session, stored) == []
    # The probe finds tokens where they are: in the mail the customer received.
    received = [
        message_from_bytes(p.read_bytes(), policy=default).get_content() for p in mailbox.glob("*.eml")
    ]
    in_mail = {re.search(r"/(?:sign-in|confirm)/(\S+)", text).group(1) for text in received}
    assert len(in_mail) == 2 and not in_mail & stored
    assert sorted(working_tokens(session, every_stored_string(session) | in_mail)) == sorted(in_mail)


def sent_sign_in_token(session: Session, customer_id: int) -> str:
    """A link sent just now (the route redeems at the real time)."""
    now = datetime.now(UTC)
    message = send_sign_in_link(
        session=session, customer_id=customer_id, actor=ACTOR, now=now, portal_url=PORTAL, domain="admin.test"
    ).value
    [claimed] = claim_due(session=session, now=now)
    record_send_result(session=session, message_id=message.id, result=SendResult(250, "250 ok"), now=now)
    session.commit()
    return re.search(r"/sign-in/(\S+)", claimed.body).group(1)


@pytest.fixture
def portal(db_url, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("PORTAL_SECRET", PORTAL_SECRET)
    get_settings.cache_clear()
    yield TestClient(build_api())
    get_settings.cache_clear()


def signed(body: dict, *, secret: str = PORTAL_SECRET, age_s: float = 0) -> dict:
    raw = json.dumps(body).encode()
    at = str(int(time.time() - age_s))
    return {
        "content": raw,
        "headers": {"X-Portal-Timestamp": at, "X-Portal-Signature": event_signature(secret, at, raw)},
    }


def test_the_portal_redeems_a_link_once_with_a_fresh_genuine_signature(session, portal):
    customer = add_customer(session, email="ann@numbat.test")
    token = sent_sign_in_token(session, customer.id)
    request = signed({"token": token, "purpose": "sign_in"})
    answer = portal.post(PORTAL_REDEEM_PATH, **request)
    assert (answer.status_code, answer.json()) == (
        200,
        {"customer_id": customer.id, "email": "ann@numbat.test"},
    )
    replay = portal.post(PORTAL_REDEEM_PATH, **request)
    assert (replay.status_code, replay.json()) == (
        422,
        {"refused": "This link was used already; ask for a new one."},
    )


@pytest.mark.parametrize(
    ("secret", "age_s"),
    [
        ("another-secret", 0),
        (PORTAL_SECRET, test_mailer.OUT_OF_WINDOW_S),
        (PORTAL_SECRET, -test_mailer.OUT_OF_WINDOW_S),
    ],
    ids=["forged", "old", "future"],
)
def test_a_request_without_a_fresh_genuine_signature_redeems_nothing(session, portal, secret, age_s):
    customer = add_customer(session)
    token = sent_sign_in_token(session, customer.id)
    answer = portal.post(
        PORTAL_REDEEM_PATH, **signed({"token": token, "purpose": "sign_in"}, secret=secret, age_s=age_s)
    )
    assert answer.status_code == 401
    unsigned = portal.post(PORTAL_REDEEM_PATH, json={"token": token, "purpose": "sign_in"})
    assert unsigned.status_code == 401
    session.expire_all()
    refusals = session.exec(select(AuthEvent.detail).where(AuthEvent.kind == "refused")).all()
    assert refusals[0] == f"{PORTAL_REDEEM_PATH}: a request without a valid signature"
    # The link still works for the genuine portal.
    assert (
        portal.post(PORTAL_REDEEM_PATH, **signed({"token": token, "purpose": "sign_in"})).status_code == 200
    )


def test_the_portal_is_told_plainly_when_a_link_was_revoked_or_the_request_is_malformed(session, portal):
    customer = add_customer(session)
    token = sent_sign_in_token(session, customer.id)
    assert set_login_activated(
        session,
        customer_id=customer.id,
        activated=False,
        lock_version=customer.lock_version,
        confirmed=False,
        actor=ACTOR,
        reason="Asked to close the account",
        now=datetime.now(UTC),
    ).ok
    session.commit()
    revoked = portal.post(PORTAL_REDEEM_PATH, **signed({"token": token, "purpose": "sign_in"}))
    assert (revoked.status_code, revoked.json()) == (422, {"refused": NO_LONGER_VALID})
    malformed = portal.post(PORTAL_REDEEM_PATH, **signed({"token": token}))
    assert (malformed.status_code, malformed.text) == (400, "Expected JSON with token and purpose.")
