"""Sign-in over HTTP against a real OpenID provider process; every failure leaves no session behind."""

import asyncio
import re
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from pydantic import ValidationError
from sqlmodel import select
from starlette.testclient import TestClient

from admin_app.auth.identity import identity_for_cookie_header
from admin_app.db.models import AuthEvent, StaffSession
from admin_app.settings import Settings, get_settings
from admin_app.web.api import build_api
from tests.auth.conftest import APP_URL, sign_in, sign_in_at_provider


def sessions(session) -> list[StaffSession]:
    session.expire_all()
    return list(session.exec(select(StaffSession)))


def events(session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(e.kind, e.detail) for e in session.exec(select(AuthEvent).order_by(AuthEvent.id))]


@pytest.mark.parametrize(
    ("user", "role"),
    [
        ("sales@example.com", "sales"),
        ("support@example.com", "support"),
        ("manager@example.com", "manager"),
        ("admin@example.com", "admin"),
    ],
)
def test_each_role_signs_in_and_returns_to_the_page_asked_for(app_client, session, user, role):
    response = sign_in(app_client, user, next_path="/licenses/42?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/licenses/42?x=1"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("ca_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    [stored] = sessions(session)
    assert (stored.email, stored.roles) == (user, role)
    assert stored.id != token and stored.id_token
    assert events(session) == [("sign_in", role)]


def test_a_user_without_a_mapped_group_gets_the_no_access_page(app_client, session):
    response = sign_in(app_client, "nobody@example.com")
    assert response.headers["location"] == "/no-access"
    assert sessions(session)[0].roles == ""
    assert events(session) == [("sign_in_failed", "no role")]


@pytest.mark.parametrize(
    "next_path", ["https://evil.example/x", "//evil.example", "/\\evil.example", "javascript:x"]
)
def test_next_pointing_off_the_app_is_not_followed(app_client, next_path):
    assert sign_in(app_client, "sales@example.com", next_path=next_path).headers["location"] == "/"


def test_a_replayed_callback_is_refused(app_client, session):
    back = sign_in_at_provider(app_client, "sales@example.com")
    assert app_client.get(back.headers["location"], follow_redirects=False).status_code == 303
    replay = app_client.get(back.headers["location"], follow_redirects=False)
    assert replay.status_code == 400
    assert len(sessions(session)) == 1
    assert events(session)[-1] == ("sign_in_failed", "bad state")


def test_a_forged_or_missing_state_is_refused(app_client, session):
    back = sign_in_at_provider(app_client, "sales@example.com")
    query = parse_qs(urlsplit(back.headers["location"]).query)
    forged = app_client.get("/auth/callback", params={"code": query["code"][0], "state": "forged"})
    missing = app_client.get("/auth/callback", params={"code": query["code"][0]})
    assert (forged.status_code, missing.status_code) == (400, 400)
    assert "Sign-in failed" in forged.text
    assert sessions(session) == []


def test_an_error_from_the_provider_is_shown_and_recorded(app_client, session):
    response = app_client.get("/auth/callback", params={"error": "access_denied", "state": "x"})
    assert response.status_code == 400
    assert sessions(session) == []
    assert events(session) == [("sign_in_failed", "the identity provider said access_denied")]


def test_sign_out_revokes_the_session_and_ends_the_provider_session(app_client, session):
    signed_in = sign_in(app_client, "support@example.com")
    app_client.cookies.set("ca_session", signed_in.cookies["ca_session"])
    response = app_client.post("/auth/logout", headers={"Origin": APP_URL}, follow_redirects=False)
    assert response.status_code == 200
    assert 'sessionStorage.removeItem("token")' in response.text, "the tab forgets its state token"
    target = urlsplit(re.search(r'href="([^"]+)"', response.text)[1].replace("&amp;", "&"))
    assert target.path.endswith("/oauth2/end_session")
    params = parse_qs(target.query)
    assert params["post_logout_redirect_uri"] == ["http://testserver/auth/signed-out"]
    assert params["id_token_hint"][0].count(".") == 2
    assert 'ca_session=""' in response.headers["set-cookie"] or "Max-Age=0" in response.headers["set-cookie"]
    assert sessions(session)[0].revoked_at is not None
    assert [kind for kind, _ in events(session)] == ["sign_in", "sign_out"]


def test_provider_down_gets_a_plain_page(app_client, monkeypatch):
    from admin_app.devtools.reflex_server import free_port
    from admin_app.settings import get_settings

    monkeypatch.setenv("OIDC_ISSUER", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    response = app_client.get("/auth/login", follow_redirects=False)
    assert response.status_code == 503
    assert "not answering" in response.text


def test_over_https_the_cookie_is_secure_and_host_prefixed(session, db_url, issuer, monkeypatch):
    for name, value in {
        "DATABASE_URL": db_url,
        "OIDC_ISSUER": issuer,
        "APP_URL": "https://testserver",
        "OIDC_CLIENT_SECRET": "a-real-secret",
        "SESSION_SECRET": "another-real-secret",
        "MAIL_EVENTS_SECRET": "a-real-mail-secret",
        "PORTAL_SECRET": "a-real-portal-secret",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    with TestClient(build_api(), base_url="https://testserver") as client:
        login = client.get("/auth/login", follow_redirects=False)
        assert "secure" in login.headers["set-cookie"].lower()
        back = httpx2.post(
            login.headers["location"], data={"sub": "sales@example.com"}, follow_redirects=False
        )
        response = client.get(back.headers["location"], follow_redirects=False)
    get_settings.cache_clear()
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-ca_session=")
    attributes = cookie.lower()
    assert "secure" in attributes and "httponly" in attributes and "path=/" in attributes
    assert "domain" not in attributes


@pytest.mark.parametrize(
    "placeholder", ["OIDC_CLIENT_SECRET", "SESSION_SECRET", "MAIL_EVENTS_SECRET", "PORTAL_SECRET"]
)
def test_development_secrets_are_refused_over_https(monkeypatch, placeholder):
    monkeypatch.setenv("APP_URL", "https://admin.example.com")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "a-real-secret")
    monkeypatch.setenv("SESSION_SECRET", "another-real-secret")
    monkeypatch.setenv("MAIL_EVENTS_SECRET", "a-real-mail-secret")
    monkeypatch.setenv("PORTAL_SECRET", "a-real-portal-secret")
    monkeypatch.delenv(placeholder)
    with pytest.raises(ValidationError, match=placeholder):
        Settings()


def test_a_get_or_a_cross_site_post_does_not_sign_anyone_out(app_client, session):
    signed_in = sign_in(app_client, "support@example.com")
    app_client.cookies.set("ca_session", signed_in.cookies["ca_session"])
    asked = app_client.get("/auth/logout", follow_redirects=False)
    assert asked.status_code == 200 and 'method="post"' in asked.text
    for headers in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"}, {}):
        refused = app_client.post("/auth/logout", headers=headers, follow_redirects=False)
        assert refused.status_code == 403, headers
    assert sessions(session)[0].revoked_at is None
    assert [kind for kind, _ in events(session)] == ["sign_in"]


def test_signing_in_again_in_the_same_browser_ends_the_session_it_replaces(app_client, session):
    first = sign_in(app_client, "admin@example.com")
    app_client.cookies.set("ca_session", first.cookies["ca_session"])
    sign_in(app_client, "sales@example.com")
    rows = sorted(sessions(session), key=lambda row: row.created_at)
    assert [(row.email, row.revoked_at is not None) for row in rows] == [
        ("admin@example.com", True),
        ("sales@example.com", False),
    ]


def known_in_this_process(token: str) -> bool:
    """Whether the app's websocket gate, in this process, still takes the cookie for a live session."""
    return asyncio.run(identity_for_cookie_header(f"ca_session={token}")) is not None


def test_a_session_ended_here_stops_working_at_once_though_its_answer_was_cached(app_client, session):
    signed_out = sign_in(app_client, "support@example.com").cookies["ca_session"]
    assert known_in_this_process(signed_out), "the answer is now cached for a few seconds"
    app_client.cookies.set("ca_session", signed_out)
    app_client.post("/auth/logout", headers={"Origin": APP_URL}, follow_redirects=False)
    assert not known_in_this_process(signed_out)

    replaced = sign_in(app_client, "admin@example.com").cookies["ca_session"]
    assert known_in_this_process(replaced)
    app_client.cookies.set("ca_session", replaced)
    sign_in(app_client, "sales@example.com")
    assert not known_in_this_process(replaced)


@pytest.mark.parametrize(
    ("trusted", "recorded"), [("10.0.0.0/8", "203.0.113.9"), ("", "10.1.2.3"), ("192.0.2.0/24", "10.1.2.3")]
)
def test_the_sign_in_audit_believes_x_forwarded_for_only_from_a_trusted_proxy(
    session, db_url, issuer, monkeypatch, trusted, recorded
):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("OIDC_ISSUER", issuer)
    monkeypatch.setenv("APP_URL", APP_URL)
    monkeypatch.setenv("TRUSTED_PROXIES", trusted)
    get_settings.cache_clear()
    headers = {"X-Forwarded-For": "203.0.113.9"}
    with TestClient(build_api(), base_url=APP_URL, client=("10.1.2.3", 443), headers=headers) as client:
        assert sign_in(client, "support@example.com").status_code == 303
    get_settings.cache_clear()
    session.expire_all()
    [stored] = sessions(session)
    [event] = session.exec(select(AuthEvent)).all()
    assert (stored.client_address, event.client_address) == (recorded, recorded)
