"""ID tokens that must be refused, signed by an issuer the test controls; each leaves no session behind."""

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from joserfc.jwk import ECKey
from sqlmodel import select
from starlette.testclient import TestClient

from admin_app.db.models import AuthEvent, StaffSession
from admin_app.settings import get_settings
from tests.auth.conftest import APP_URL, app_routes, sign_in_through
from tests.auth.fake_issuer import Issuer, fake_issuer, new_key


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with fake_issuer() as running:
        yield running


@pytest.fixture
def client(session, db_url, issuer, monkeypatch) -> Iterator[TestClient]:
    with app_routes(db_url, issuer.url, monkeypatch) as test_client:
        yield test_client


def outcome(session) -> tuple[int, list[str]]:
    session.expire_all()
    sessions = len(session.exec(select(StaffSession)).all())
    return sessions, [f"{e.kind}: {e.detail}" for e in session.exec(select(AuthEvent))]


def test_a_good_token_from_this_issuer_signs_in(client, session):
    assert sign_in_through(client).status_code == 303
    assert outcome(session) == (1, ["sign_in: sales"])


@pytest.mark.parametrize(
    ("case", "overrides"),
    [
        ("wrong audience", {"aud": "some-other-app"}),
        ("wrong issuer", {"iss": "https://evil.example"}),
        ("no issuer claim at all", {"iss": None}),
        ("expired", {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}),
        ("wrong nonce", {"nonce": "not-the-nonce-we-sent"}),
        ("empty nonce", {"nonce": ""}),
        ("no nonce claim at all", {"nonce": None}),
    ],
)
def test_a_token_with_bad_claims_is_refused(client, session, issuer, case, overrides):
    issuer.overrides = overrides
    response = sign_in_through(client)
    assert response.status_code == 400, case
    assert "Sign-in failed" in response.text
    sessions, events = outcome(session)
    assert sessions == 0
    assert len(events) == 1 and events[0].startswith("sign_in_failed: invalid token")


def test_a_token_signed_with_a_key_the_issuer_does_not_publish_is_refused(client, session, issuer):
    issuer.signing_key = new_key("key-1")  # same key id, different key: a forged signature
    response = sign_in_through(client)
    assert response.status_code == 400
    sessions, events = outcome(session)
    assert sessions == 0 and events[0].startswith("sign_in_failed: invalid token")


@pytest.mark.parametrize("forgery", ["none", "hs256-public-key"])
def test_an_unsigned_token_or_one_keyed_with_the_public_key_is_refused(client, session, issuer, forgery):
    issuer.forge = forgery
    response = sign_in_through(client)
    assert response.status_code == 400
    sessions, events = outcome(session)
    assert sessions == 0 and events[0].startswith("sign_in_failed: invalid token")


def _provider_answer(client: TestClient) -> dict[str, str]:
    """Start a sign-in and follow it to the provider: the code and state it sends back."""
    login = client.get("/auth/login", follow_redirects=False)
    assert "code_challenge_method=S256" in login.headers["location"]
    back = httpx2.get(login.headers["location"]).headers["location"]
    return {name: values[0] for name, values in parse_qs(urlsplit(back).query).items()}


def test_pkce_a_code_redeemed_with_another_sign_ins_verifier_is_refused(client, session, issuer):
    """RFC 7636: a stolen code is useless in the thief's own sign-in, whose verifier does not match."""
    victims = _provider_answer(client)
    thief = TestClient(client.app, base_url=APP_URL)
    thiefs = _provider_answer(thief)
    stolen = {"code": victims["code"], "state": thiefs["state"]}
    response = thief.get("/auth/callback", params=stolen, follow_redirects=False)
    assert response.status_code == 400
    sessions, events = outcome(session)
    assert sessions == 0 and events[0].startswith("sign_in_failed")


@pytest.mark.parametrize(
    ("claim_name", "claims", "roles"),
    [
        ("groups", {"groups": "customer-admin-support"}, "support"),
        ("roles", {"groups": None, "roles": ["customer-admin-support"]}, "support"),
        ("groups", {"groups": None, "roles": ["customer-admin-support"]}, ""),
    ],
    ids=["groups as one string", "renamed groups claim", "a claim under another name is not read"],
)
def test_roles_come_from_the_configured_groups_claim(
    client, session, issuer, monkeypatch, claim_name, claims, roles
):
    monkeypatch.setenv("OIDC_GROUPS_CLAIM", claim_name)
    get_settings.cache_clear()
    issuer.overrides = claims
    assert sign_in_through(client).status_code == 303
    assert signed_in_as(session)[2] == roles


def test_a_rotated_signing_key_is_picked_up_from_the_jwks(client, session, issuer):
    assert sign_in_through(client).status_code == 303
    rotated = new_key("key-2")
    issuer.signing_key, issuer.published_keys = rotated, [rotated]
    client.cookies.clear()
    assert sign_in_through(client).status_code == 303
    assert outcome(session)[0] == 2


def signed_in_as(session) -> tuple[str, str, str]:
    session.expire_all()
    [row] = session.exec(select(StaffSession)).all()
    return row.email, row.name, row.roles


def test_an_audience_that_only_names_this_app_as_azp_is_refused(client, session, issuer):
    issuer.overrides = {"aud": ["some-other-app"], "azp": "customer-admin"}
    response = sign_in_through(client)
    assert response.status_code == 400
    sessions, events = outcome(session)
    assert sessions == 0 and events[0].startswith("sign_in_failed: invalid token")


def test_an_algorithm_outside_the_configured_ones_is_refused_though_discovery_offers_it(
    client, session, issuer, monkeypatch
):
    issuer.other_key = ECKey.generate_key("P-256", parameters={"kid": "ec-1"}, private=True)
    monkeypatch.setenv("OIDC_ID_TOKEN_ALGORITHMS", "RS256")
    get_settings.cache_clear()
    assert sign_in_through(client).status_code == 400
    assert outcome(session)[0] == 0
    monkeypatch.setenv("OIDC_ID_TOKEN_ALGORITHMS", "RS256,ES256")
    get_settings.cache_clear()
    client.cookies.clear()
    assert sign_in_through(client).status_code == 303


def test_thin_id_tokens_take_email_name_and_groups_from_userinfo(client, session, issuer):
    issuer.userinfo = {"email": "sales@example.com", "name": "Sam Sales", "groups": ["customer-admin-sales"]}
    assert sign_in_through(client).status_code == 303
    assert signed_in_as(session) == ("sales@example.com", "Sam Sales", "sales")


def test_what_the_id_token_says_wins_over_userinfo(client, session, issuer):
    issuer.userinfo = {"email": "boss@example.com", "name": "Sam Sales", "groups": ["customer-admin-sales"]}
    issuer.overrides = {"email": "sales@example.com"}
    assert sign_in_through(client).status_code == 303
    assert signed_in_as(session) == ("sales@example.com", "Sam Sales", "sales")


def test_userinfo_about_someone_else_is_refused(client, session, issuer):
    issuer.userinfo = {
        "sub": "someone-else",
        "email": "boss@example.com",
        "groups": ["customer-admin-admins"],
    }
    response = sign_in_through(client)
    assert response.status_code == 400
    sessions, events = outcome(session)
    assert sessions == 0 and events == ["sign_in_failed: userinfo is about another subject"]


def test_staff_without_an_email_are_refused_sign_in_with_a_plain_page(client, session, issuer):
    issuer.userinfo = {"name": "Sam Sales", "groups": ["customer-admin-sales"]}
    response = sign_in_through(client)
    assert response.status_code == 400
    assert "no email address" in response.text
    sessions, events = outcome(session)
    assert sessions == 0 and events == ["sign_in_failed: no email address from the identity provider"]


def test_a_sign_in_opens_a_session_with_what_the_token_says_and_purges_long_ended_ones(
    client, session, issuer
):
    from datetime import UTC, datetime, timedelta

    from admin_app.auth.sealed import unseal
    from tests.factories import staff_session_token

    now = datetime.now(UTC)
    for email, ended_days_ago in (("gone@example.com", 31), ("kept@example.com", 29)):
        staff_session_token(session, email, ("sales",))
        row = session.exec(select(StaffSession).where(StaffSession.email == email)).one()
        row.revoked_at = now - timedelta(days=ended_days_ago)
        session.add(row)
    session.commit()
    issuer.overrides = {"sid": "s" * 300, "name": "Sam  Sales"}

    response = sign_in_through(client)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "Max-Age=43200" in cookie, "the session's absolute lifetime, SESSION_ABSOLUTE_HOURS"
    session.expire_all()
    rows = {row.email: row for row in session.exec(select(StaffSession))}
    assert sorted(rows) == ["kept@example.com", "sales@example.com"]
    row = rows["sales@example.com"]
    assert (row.subject, row.name, row.roles, row.client_address) == (
        "sales@example.com",
        "Sam  Sales",
        "sales",
        "testclient",
    )
    assert row.sid == "s" * 255
    assert (unseal(row.access_token), row.refresh_token) == ("at", None)
    assert row.last_seen_at == row.created_at == row.roles_checked_at
    assert row.expires_at - row.created_at == timedelta(hours=12)
    assert row.revoked_at is None
    [event] = session.exec(select(AuthEvent).where(AuthEvent.kind == "sign_in")).all()
    assert (event.email, event.subject, event.client_address, event.detail, event.count) == (
        "sales@example.com",
        "sales@example.com",
        "testclient",
        "sales",
        1,
    )


def test_a_sign_in_without_a_name_is_recorded_under_the_email(client, session, issuer):
    issuer.userinfo = {"email": "sales@example.com", "groups": ["customer-admin-sales"]}
    assert sign_in_through(client).status_code == 303
    assert signed_in_as(session) == ("sales@example.com", "sales@example.com", "sales")


@pytest.mark.parametrize(
    ("error", "recorded"),
    [("invalid_grant", "invalid_grant"), ("e" * 100, "e" * 80)],
    ids=["a standard error", "an error longer than the audit keeps of it"],
)
def test_an_error_from_the_token_endpoint_is_recorded_by_its_code(client, session, issuer, error, recorded):
    issuer.token_error = error
    response = sign_in_through(client)
    assert response.status_code == 400
    assert f"The sign-in could not be completed ({recorded})." in response.text
    assert outcome(session) == (0, [f"sign_in_failed: {recorded}"])
