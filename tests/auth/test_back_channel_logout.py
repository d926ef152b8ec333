"""OpenID Connect Back-Channel Logout: the issuer (one the test controls, over HTTP) posts a logout
token; a valid one ends the person's sessions once, every malformed one is refused and ends nothing."""

import asyncio
import base64
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey
from sqlmodel import select
from starlette.testclient import TestClient

from admin_app.auth import back_channel
from admin_app.auth.back_channel import BACK_CHANNEL_EVENT, LEEWAY_S, MAX_AGE, MAX_BODY_BYTES
from admin_app.auth.identity import identity_for_cookie_header
from admin_app.db.models import AuthEvent, StaffSession
from admin_app.db.staff.sessions import purge_sessions
from admin_app.settings import get_settings
from admin_app.web.api import build_api
from tests.auth.conftest import APP_URL, app_routes, sign_in_through
from tests.auth.fake_issuer import Issuer, fake_issuer, new_key

ENDPOINT = "/auth/backchannel-logout"


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with fake_issuer() as running:
        running.overrides = {"sid": "provider-session-1"}
        yield running


@pytest.fixture
def client(session, db_url, issuer, monkeypatch) -> Iterator[TestClient]:
    with app_routes(db_url, issuer.url, monkeypatch) as test_client:
        yield test_client


def logout_token(
    issuer: Issuer, key=None, header: dict | None = None, algorithms: list[str] | None = None, **changes
) -> str:
    claims = {
        "iss": issuer.url,
        "aud": "customer-admin",
        "iat": int(time.time()),
        "jti": uuid.uuid4().hex,
        "sub": "sales@example.com",
        "sid": "provider-session-1",
        "events": {BACK_CHANNEL_EVENT: {}},
    }
    claims.update(changes)
    claims = {name: value for name, value in claims.items() if value is not None}
    key = key or issuer.signing_key
    header = header or {"alg": "RS256", "kid": key.kid, "typ": "logout+jwt"}
    return jwt.encode(header, claims, key, algorithms=algorithms)


def live_sessions(session) -> int:
    session.expire_all()
    return len(session.exec(select(StaffSession).where(StaffSession.revoked_at.is_(None))).all())


def test_a_valid_logout_token_ends_the_persons_sessions_once(client, session, issuer):
    sign_in_through(client)
    sign_in_through(TestClient(build_api(), base_url=APP_URL))
    assert live_sessions(session) == 2
    token = logout_token(issuer, sid=None)

    answer = client.post(ENDPOINT, data={"logout_token": token}, headers={"X-Forwarded-For": "203.0.113.9"})
    assert (answer.status_code, answer.headers["cache-control"]) == (200, "no-store")
    assert answer.json() == {}
    assert live_sessions(session) == 0
    ended = session.exec(select(AuthEvent).where(AuthEvent.kind == "session_ended")).all()
    # Without a trusted proxy, the address recorded is the peer's, not the one it forwarded.
    assert [(e.email, e.subject, e.client_address, e.detail, e.count) for e in ended] == [
        (
            "sales@example.com",
            "sales@example.com",
            "testclient",
            "back-channel logout from the identity provider",
            1,
        )
    ] * 2

    replayed = client.post(ENDPOINT, data={"logout_token": token})
    assert replayed.status_code == 400
    assert replayed.json() == {"error": "invalid_request", "error_description": "logout token already used"}


def test_a_logout_token_naming_only_the_provider_session_ends_that_session(client, session, issuer):
    sign_in_through(client)
    issuer.overrides = {"sid": "provider-session-2"}
    sign_in_through(TestClient(build_api(), base_url=APP_URL))
    answer = client.post(ENDPOINT, data={"logout_token": logout_token(issuer, sub=None)})
    assert answer.status_code == 200
    session.expire_all()
    [still_live] = session.exec(select(StaffSession).where(StaffSession.revoked_at.is_(None))).all()
    assert still_live.sid == "provider-session-2"


def test_a_logout_token_for_someone_without_a_session_is_accepted_and_ends_nothing(client, session, issuer):
    sign_in_through(client)
    answer = client.post(
        ENDPOINT, data={"logout_token": logout_token(issuer, sub="other@example.com", sid=None)}
    )
    assert answer.status_code == 200
    assert live_sessions(session) == 1


BAD_TOKENS = {
    "wrong audience": lambda issuer: logout_token(issuer, aud="another-app"),
    "wrong issuer": lambda issuer: logout_token(issuer, iss="https://evil.example"),
    "no iat": lambda issuer: logout_token(issuer, iat=None),
    "issued an hour ago": lambda issuer: logout_token(issuer, iat=int(time.time()) - 3600),
    "no jti": lambda issuer: logout_token(issuer, jti=None),
    "no events claim": lambda issuer: logout_token(issuer, events=None),
    "another event": lambda issuer: logout_token(issuer, events={"http://example.com/other": {}}),
    "event not an object": lambda issuer: logout_token(issuer, events={BACK_CHANNEL_EVENT: "yes"}),
    "carries a nonce": lambda issuer: logout_token(issuer, nonce="n-0S6_WzA2Mj"),
    "neither sub nor sid": lambda issuer: logout_token(issuer, sub=None, sid=None),
    "expired": lambda issuer: logout_token(issuer, exp=int(time.time()) - 600),
    "signed by an unknown key": lambda issuer: logout_token(issuer, key=new_key("key-1")),
    "HS256 with the client secret": lambda issuer: logout_token(
        issuer, key=OctKey.import_key("dev-client-secret"), header={"alg": "HS256"}
    ),
    "alg none": lambda issuer: _unsigned(issuer),
    "not a JWT": lambda issuer: "not.a.jwt",
    "empty": lambda issuer: "",
    "over the token limit": lambda issuer: "a" * 16_001,
}


# The reason each is refused, as the provider reads it in the answer.
REFUSED_BECAUSE = {
    "wrong audience": "invalid_claim: Invalid claim: 'aud'",
    "wrong issuer": "invalid_claim: Invalid claim: 'iss'",
    "no iat": "missing_claim: Missing claim: 'iat'",
    "issued an hour ago": "issued too long ago",
    "no jti": "missing_claim: Missing claim: 'jti'",
    "no events claim": "no back-channel logout event",
    "another event": "no back-channel logout event",
    "event not an object": "no back-channel logout event",
    "carries a nonce": "a logout token must not carry a nonce",
    "neither sub nor sid": "neither sub nor sid",
    "expired": "expired_token: The token is expired",
    "signed by an unknown key": "invalid token: bad_signature",
    "HS256 with the client secret": "invalid token: unsupported_algorithm",
    "alg none": "invalid token: unsupported_algorithm",
    "not a JWT": "invalid token: decode_error",
    "empty": "no logout_token",
    "over the token limit": "no logout_token",
}


def _unsigned(issuer: Issuer) -> str:
    signed = logout_token(issuer)
    none_header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    return f"{none_header}.{signed.split('.')[1]}."


@pytest.mark.parametrize("case", BAD_TOKENS)
def test_a_bad_logout_token_is_refused_and_ends_nothing(client, session, issuer, case):
    sign_in_through(client)
    answer = client.post(ENDPOINT, data={"logout_token": BAD_TOKENS[case](issuer)})
    assert (answer.status_code, answer.headers["cache-control"]) == (400, "no-store")
    assert answer.json() == {"error": "invalid_request", "error_description": REFUSED_BECAUSE[case]}
    assert live_sessions(session) == 1


def test_a_logout_token_signed_with_an_algorithm_outside_the_configured_ones_is_refused(
    client, session, issuer, monkeypatch
):
    issuer.other_key = ECKey.generate_key("P-256", parameters={"kid": "ec-1"}, private=True)
    sign_in_through(client)
    monkeypatch.setenv("OIDC_ID_TOKEN_ALGORITHMS", "RS256")
    get_settings.cache_clear()
    header = {"alg": "ES256", "kid": "ec-1", "typ": "logout+jwt"}
    answer = client.post(ENDPOINT, data={"logout_token": logout_token(issuer, issuer.other_key, header)})
    assert answer.status_code == 400
    assert live_sessions(session) == 1
    monkeypatch.setenv("OIDC_ID_TOKEN_ALGORITHMS", "RS256,ES256")
    get_settings.cache_clear()
    answer = client.post(ENDPOINT, data={"logout_token": logout_token(issuer, issuer.other_key, header)})
    assert answer.status_code == 200
    assert live_sessions(session) == 0


def test_an_ended_session_stops_working_at_once_though_its_answer_was_cached(client, session, issuer):
    cookie = sign_in_through(client).headers["set-cookie"].split(";")[0]
    assert asyncio.run(identity_for_cookie_header(cookie)) is not None, "now cached for a few seconds"
    assert client.post(ENDPOINT, data={"logout_token": logout_token(issuer)}).status_code == 200
    assert asyncio.run(identity_for_cookie_header(cookie)) is None


def test_the_endpoint_takes_only_post(client):
    assert client.get(ENDPOINT).status_code == 405


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
def test_a_body_over_the_limit_is_a_413_before_it_is_parsed(client, session, issuer, announced):
    sign_in_through(client)
    body = b"logout_token=" + b"a" * MAX_BODY_BYTES
    content = body if announced else iter([body[:10_000], body[10_000:]])
    answer = client.post(
        ENDPOINT, content=content, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code == 413
    assert live_sessions(session) == 1


def test_two_logout_tokens_in_one_form_are_refused(client, session, issuer):
    sign_in_through(client)
    token = logout_token(issuer)
    answer = client.post(
        ENDPOINT,
        content=f"logout_token={token}&logout_token={token}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 400
    assert live_sessions(session) == 1


def test_unknown_key_ids_fetch_the_providers_keys_again_at_most_once_a_minute(
    client, session, issuer, monkeypatch
):
    """Anyone can post a token naming a key id the app has not seen; each one must not make the app
    fetch the provider's keys again."""
    clock = [1000.0]
    monkeypatch.setattr(back_channel, "key_refetches", back_channel.KeyRefetches(clock=lambda: clock[0]))
    sign_in_through(client)
    before = issuer.jwks_requests
    for number in range(20):
        answer = client.post(ENDPOINT, data={"logout_token": logout_token(issuer, key=new_key(f"k{number}"))})
        assert answer.status_code == 400
    assert issuer.jwks_requests - before == 1
    rotated = new_key("rotated")
    issuer.published_keys.append(rotated)
    clock[0] += back_channel.KEY_REFETCH_EVERY_S
    answer = client.post(ENDPOINT, data={"logout_token": logout_token(issuer, key=rotated)})
    assert answer.status_code == 200, "a real rotation is still picked up once the minute has passed"
    assert live_sessions(session) == 0


def test_an_ended_session_stops_working_at_once_in_the_process_that_had_it_cached(client, session, issuer):
    sign_in_through(client)
    cookie = f"ca_session={client.cookies['ca_session']}"
    assert asyncio.run(identity_for_cookie_header(cookie)) is not None, "now cached as live"

    assert client.post(ENDPOINT, data={"logout_token": logout_token(issuer)}).status_code == 200
    # Within the cache's few seconds: the process that ended the session does not answer from it.
    assert asyncio.run(identity_for_cookie_header(cookie)) is None


def test_a_rotated_key_is_checked_against_the_configured_algorithms_after_the_keys_are_fetched_again(
    client, session, issuer, monkeypatch
):
    """PS256 is outside joserfc's default algorithms: a provider configured for it still ends sessions
    with a token signed by a key it published after the app last fetched its keys."""
    monkeypatch.setattr(back_channel, "key_refetches", back_channel.KeyRefetches())
    monkeypatch.setenv("OIDC_ID_TOKEN_ALGORITHMS", "RS256,PS256")
    get_settings.cache_clear()
    sign_in_through(client)
    before = issuer.jwks_requests
    rotated = new_key("rotated-ps256")
    issuer.published_keys.append(rotated)
    header = {"alg": "PS256", "kid": rotated.kid, "typ": "logout+jwt"}
    answer = client.post(ENDPOINT, data={"logout_token": logout_token(issuer, rotated, header, ["PS256"])})
    assert answer.status_code == 200, answer.text
    assert issuer.jwks_requests - before == 1
    assert live_sessions(session) == 0


def test_a_used_token_is_remembered_past_the_purge_for_as_long_as_it_could_still_be_accepted(
    client, session, issuer
):
    """A token issued up to a minute ahead of the app's clock is accepted for ten minutes after that:
    the purge that runs in between must not forget it, or it could be replayed."""
    sign_in_through(client)
    token = logout_token(issuer, iat=int(time.time()) + LEEWAY_S)
    assert client.post(ENDPOINT, data={"logout_token": token}).status_code == 200
    last_acceptable = datetime.now(UTC) + MAX_AGE + timedelta(seconds=LEEWAY_S)
    purge_sessions(session=session, now=last_acceptable, retention=timedelta(days=30))
    session.commit()
    replayed = client.post(ENDPOINT, data={"logout_token": token})
    assert replayed.json() == {"error": "invalid_request", "error_description": "logout token already used"}
