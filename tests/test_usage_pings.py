"""POST /api/usage-pings on both databases: a self-managed server's daily usage, signed as delivery reports
are, records the server on its first ping and each day once; anything unsigned, stale or malformed
writes nothing."""

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from admin_app.background.mailer import event_signature
from admin_app.db.licenses.usage import CLOUD_LICENSE, UNKNOWN_LICENSE
from admin_app.db.models import AuthEvent, License, LicenseInstance, UsagePing
from admin_app.settings import Settings, get_settings
from admin_app.web.api import SIGNED_BODY_MAX_BYTES, build_api
from tests import test_mailer
from tests.factories import add_licenses

SECRET = "test-usage-pings-secret-of-32-characters"
PATH = "/api/usage-pings"


@pytest.fixture
def client(db_url, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("USAGE_PINGS_SECRET", SECRET)
    get_settings.cache_clear()
    yield TestClient(build_api())
    get_settings.cache_clear()


@pytest.fixture
def license(session) -> License:
    return add_licenses(session, [{"license_type": "offline", "company": "ACME Inc"}])[0]


def ping_body(license: License, **overrides: object) -> dict:
    return {
        "license_id": license.id,
        "instance_id": "3f1c2a9e-0b7d-4c55-9a61-2f0e8d4b7c10",
        "hostname": "gitlab.acmeinc.ninja",
        "version": "17.4.2",
        "day": datetime.now(UTC).date().isoformat(),
        "active_users": 40,
        **overrides,
    }


def ping(client: TestClient, body: object, *, secret: str = SECRET, age_s: float = 0):
    raw = json.dumps(body).encode()
    at = str(int(time.time() - age_s))
    return client.post(
        PATH,
        content=raw,
        headers={"X-Usage-Timestamp": at, "X-Usage-Signature": event_signature(secret, at, raw)},
    )


def servers(session: Session) -> list[tuple]:
    session.expire_all()
    found = session.exec(select(LicenseInstance).order_by(LicenseInstance.id)).all()
    return [(s.license_id, s.instance_id, s.hostname, s.version, s.active_users, s.peak_users) for s in found]


def pings(session: Session) -> list[tuple]:
    found = session.exec(select(UsagePing).order_by(UsagePing.day)).all()
    return [(p.day.isoformat(), p.active_users) for p in found]


def test_a_genuine_ping_records_the_server_and_its_day(session, client, license):
    answer = ping(client, ping_body(license))
    assert (answer.status_code, answer.text) == (200, "recorded")
    assert servers(session) == [
        (license.id, "3f1c2a9e-0b7d-4c55-9a61-2f0e8d4b7c10", "gitlab.acmeinc.ninja", "17.4.2", 40, 40)
    ]
    assert pings(session) == [(datetime.now(UTC).date().isoformat(), 40)]
    server = session.exec(select(LicenseInstance)).one()
    assert server.first_ping_at == server.last_ping_at
    assert abs(server.last_ping_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_repeat_of_the_same_day_changes_nothing(session, client, license):
    assert ping(client, ping_body(license)).status_code == 200
    before = session.exec(select(LicenseInstance)).one().model_dump()
    again = ping(client, ping_body(license, active_users=55, version="17.5.0", hostname="other.example.net"))
    assert (again.status_code, again.text) == (200, "recorded before")
    session.expire_all()
    assert session.exec(select(LicenseInstance)).one().model_dump() == before
    assert len(pings(session)) == 1


def test_the_next_days_update_the_server_and_its_peak_and_a_late_day_only_the_peak(session, client, license):
    today = datetime.now(UTC).date()
    day = lambda n: (today - timedelta(days=n)).isoformat()  # noqa: E731
    assert ping(client, ping_body(license, day=day(2), active_users=40)).status_code == 200
    assert ping(client, ping_body(license, day=day(1), active_users=90, version="17.5.0")).status_code == 200
    assert ping(client, ping_body(license, day=day(0), active_users=30, version="17.5.1")).status_code == 200
    assert servers(session)[0][3:] == ("17.5.1", 30, 90)
    # A day the server missed, sent late, counts for the peak; the newest day still says who is active.
    assert ping(client, ping_body(license, day=day(3), active_users=120, version="17.3.0")).status_code == 200
    assert servers(session)[0][3:] == ("17.5.1", 30, 120)
    assert pings(session) == [(day(3), 120), (day(2), 40), (day(1), 90), (day(0), 30)]
    server = session.exec(select(LicenseInstance)).one()
    assert server.first_ping_at < server.last_ping_at


def test_each_server_of_a_license_is_its_own_row(session, client, license):
    assert ping(client, ping_body(license)).status_code == 200
    assert (
        ping(
            client, ping_body(license, instance_id="ci-runner-03", hostname="ci-runner-03.internal")
        ).status_code
        == 200
    )
    assert [s[2] for s in servers(session)] == ["gitlab.acmeinc.ninja", "ci-runner-03.internal"]


@pytest.mark.parametrize(
    ("secret", "age_s"),
    [("another-secret", 0), (SECRET, test_mailer.OUT_OF_WINDOW_S), (SECRET, -test_mailer.OUT_OF_WINDOW_S)],
    ids=["forged", "old", "future"],
)
def test_a_ping_without_a_fresh_genuine_signature_writes_nothing(session, client, license, secret, age_s):
    answer = ping(client, ping_body(license), secret=secret, age_s=age_s)
    assert answer.status_code == 401
    unsigned = client.post(PATH, json=ping_body(license))
    assert unsigned.status_code == 401
    assert servers(session) == [] and pings(session) == []
    refusals = session.exec(select(AuthEvent.detail).where(AuthEvent.kind == "refused")).all()
    assert refusals[0] == f"{PATH}: a request without a valid signature"


def test_without_a_secret_configured_every_ping_is_refused(session, client, license, monkeypatch):
    monkeypatch.setenv("USAGE_PINGS_SECRET", "")
    get_settings.cache_clear()
    # Signed with the empty secret anyone could use.
    answer = ping(client, ping_body(license), secret="")
    assert answer.status_code == 503
    assert servers(session) == []


def test_a_malformed_signature_header_is_a_plain_400(session, client, license):
    answer = client.post(
        PATH, json=ping_body(license), headers={"X-Usage-Timestamp": "now", "X-Usage-Signature": "a" * 64}
    )
    assert answer.status_code == 400
    assert "X-Usage-Signature" in answer.text
    assert servers(session) == []


def test_a_body_over_its_limit_is_a_413_before_any_check(session, client, license):
    answer = client.post(PATH, content=b"x" * (SIGNED_BODY_MAX_BYTES + 1))
    assert answer.status_code == 413
    assert session.exec(select(AuthEvent)).all() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"license_id": "1"}, "license_id"),
        ({"license_id": True}, "license_id"),
        ({"license_id": 2**63}, "license_id"),
        ({"instance_id": ""}, "instance_id"),
        ({"instance_id": "x" * 65}, "instance_id"),
        ({"hostname": "gitlab.acme.ninja<script>"}, "hostname"),
        ({"hostname": "a" * 254}, "hostname"),
        ({"hostname": None}, "hostname"),
        ({"version": "17.4.2 beta"}, "version"),
        ({"day": "2026-02-30"}, "day"),
        ({"day": "2001-01-01"}, "day"),
        ({"day": (datetime.now(UTC).date() + timedelta(days=2)).isoformat()}, "day"),
        ({"active_users": -1}, "active_users"),
        ({"active_users": 1.5}, "active_users"),
        ({"active_users": 10**12}, "active_users"),
    ],
)
def test_a_field_out_of_bounds_is_a_422_naming_it(session, client, license, change, field):
    answer = ping(client, ping_body(license, **change))
    assert answer.status_code == 422
    assert list(answer.json()["fields"]) == [field]
    assert servers(session) == [] and pings(session) == []


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"{"], ids=["text", "array", "truncated"])
def test_a_body_that_is_not_a_json_object_is_a_plain_4xx(session, client, body):
    at = str(int(time.time()))
    answer = client.post(
        PATH,
        content=body,
        headers={"X-Usage-Timestamp": at, "X-Usage-Signature": event_signature(SECRET, at, body)},
    )
    assert answer.status_code in (400, 422)
    assert servers(session) == []


def test_a_ping_for_an_unknown_or_cloud_license_is_refused(session, client, license):
    cloud = add_licenses(session, [{"license_type": "cloud"}])[0]
    unknown = ping(client, {**ping_body(license), "license_id": license.id + 1000})
    assert (unknown.status_code, unknown.text) == (422, UNKNOWN_LICENSE)
    refused = ping(client, ping_body(cloud))
    assert (refused.status_code, refused.text) == (422, CLOUD_LICENSE)
    assert servers(session) == []


def test_production_holds_a_usage_pings_secret_to_the_other_secrets_length():
    from tests.test_settings import REAL

    assert Settings(**REAL).USAGE_PINGS_SECRET == ""
    assert Settings(**{**REAL, "USAGE_PINGS_SECRET": "u" * 32}).USAGE_PINGS_SECRET == "u" * 32
    with pytest.raises(ValueError, match="USAGE_PINGS_SECRET must be at least 32 characters"):
        Settings(**{**REAL, "USAGE_PINGS_SECRET": "u" * 31})
    with pytest.raises(ValueError, match="USAGE_STALE_DAYS must be"):
        Settings(USAGE_STALE_DAYS=0)
