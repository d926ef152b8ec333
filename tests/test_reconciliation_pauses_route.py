"""GET /api/reconciliation-pauses on both databases: the billing system, signing as delivery reports are
signed (over "<timestamp>." and the empty body), reads the pauses in force; anything unsigned, forged or
stale is refused, and without a secret configured the route is off."""

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from admin_app.background.mailer import event_signature
from admin_app.db.history.audit import Actor
from admin_app.db.models import AuthEvent
from admin_app.db.subscriptions.pauses import lift_pause, pause_reconciliations
from admin_app.settings import Settings, get_settings
from admin_app.web.api import build_api
from tests import test_mailer
from tests.factories import add_account, subscription_row

SECRET = "test-reconciliation-pauses-secret-32"
PATH = "/api/reconciliation-pauses"
SUPPORT = Actor("support@example.com")


@pytest.fixture
def client(db_url, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("RECONCILIATION_PAUSES_SECRET", SECRET)
    get_settings.cache_clear()
    yield TestClient(build_api())
    get_settings.cache_clear()


def paused(session, name: str, until: date, ticket: str) -> None:
    account = add_account(
        session, sold_to={"first_name": "Ann", "last_name": "Lee", "email": "ann@example.test"}
    )
    session.add(subscription_row(account.id, name))
    session.commit()
    outcome = pause_reconciliations(
        session,
        subscription_name=name,
        until=until,
        reason="Customer disputes the invoice",
        ticket=ticket,
        actor=SUPPORT,
        now=datetime.now(UTC),
    )
    assert outcome.ok
    session.commit()


def fetch(client: TestClient, *, secret: str = SECRET, age_s: float = 0):
    at = str(int(time.time() - age_s))
    return client.get(
        PATH, headers={"X-Pauses-Timestamp": at, "X-Pauses-Signature": event_signature(secret, at, b"")}
    )


def test_the_billing_system_reads_the_pauses_in_force(session, client):
    today = datetime.now(UTC).date()
    paused(session, "A-S00000002", today + timedelta(days=30), "SUP-2")
    paused(session, "A-S00000001", today + timedelta(days=5), "SUP-1")
    paused(session, "A-S00000003", today + timedelta(days=9), "SUP-3")
    lift_pause(
        session, subscription_name="A-S00000003", reason="Settled", actor=SUPPORT, now=datetime.now(UTC)
    )
    session.commit()
    answer = fetch(client)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json() == [
        {
            "subscription_name": "A-S00000001",
            "until": (today + timedelta(days=5)).isoformat(),
            "ticket": "SUP-1",
        },
        {
            "subscription_name": "A-S00000002",
            "until": (today + timedelta(days=30)).isoformat(),
            "ticket": "SUP-2",
        },
    ]


def test_with_no_pause_in_force_the_list_is_empty(session, client):
    answer = fetch(client)
    assert (answer.status_code, answer.json()) == (200, [])


@pytest.mark.parametrize(
    ("secret", "age_s"),
    [("another-secret", 0), (SECRET, test_mailer.OUT_OF_WINDOW_S), (SECRET, -test_mailer.OUT_OF_WINDOW_S)],
    ids=["forged", "old", "future"],
)
def test_a_request_without_a_fresh_genuine_signature_is_refused(session, client, secret, age_s):
    paused(session, "A-S00000001", datetime.now(UTC).date() + timedelta(days=5), "SUP-1")
    answer = fetch(client, secret=secret, age_s=age_s)
    assert answer.status_code == 401
    assert "SUP-1" not in answer.text
    assert client.get(PATH).status_code == 401
    refusals = session.exec(select(AuthEvent.detail).where(AuthEvent.kind == "refused")).all()
    assert refusals[0] == f"{PATH}: a request without a valid signature"


def test_a_malformed_signature_header_is_a_plain_400(session, client):
    answer = client.get(PATH, headers={"X-Pauses-Timestamp": "now", "X-Pauses-Signature": "a" * 64})
    assert answer.status_code == 400
    assert "X-Pauses-Signature" in answer.text


def test_without_a_secret_configured_the_route_is_off(session, client, monkeypatch):
    monkeypatch.setenv("RECONCILIATION_PAUSES_SECRET", "")
    get_settings.cache_clear()
    # Signed with the empty secret anyone could use.
    answer = fetch(client, secret="")
    assert answer.status_code == 503
    assert "RECONCILIATION_PAUSES_SECRET" in answer.text


def test_production_holds_a_reconciliation_pauses_secret_to_the_other_secrets_length():
    from tests.test_settings import REAL

    assert Settings(**REAL).RECONCILIATION_PAUSES_SECRET == ""
    assert (
        Settings(**{**REAL, "RECONCILIATION_PAUSES_SECRET": "p" * 32}).RECONCILIATION_PAUSES_SECRET
        == "p" * 32
    )
    with pytest.raises(ValueError, match="RECONCILIATION_PAUSES_SECRET must be at least 32 characters"):
        Settings(**{**REAL, "RECONCILIATION_PAUSES_SECRET": "p" * 31})
