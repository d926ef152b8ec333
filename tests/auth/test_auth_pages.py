"""The sign-in routes' own pages, and what they record, while the identity provider does not answer:
the pages a person sees when sign-in cannot go on, and sign-out, which must work all the same."""

import re
from collections.abc import Iterator

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from admin_app.auth.identity import identity_for_cookie_header
from admin_app.db.models import AuthEvent, StaffSession
from admin_app.devtools.reflex_server import free_port
from tests.auth.conftest import APP_URL, app_routes
from tests.factories import staff_session_token

# What Starlette's test client gives as the peer's address.
PEER = "testclient"


@pytest.fixture
def client(session, db_url, monkeypatch) -> Iterator[TestClient]:
    """The app's routes, configured for an identity provider that is not there."""
    with app_routes(db_url, f"http://127.0.0.1:{free_port()}", monkeypatch) as test_client:
        yield test_client


def shown(response) -> dict[str, str]:
    """What the person reads on one of the plain pages: title, heading, message and the button."""
    text = response.text
    return {
        "title": re.search(r"<title>(.*?)</title>", text)[1],
        "heading": re.search(r"<h1>(.*?)</h1>", text)[1],
        "message": re.search(r"<p>(.*?)</p>", text)[1],
        "action": re.search(r"</p>(.*?)</main>", text, re.S)[1],
        # Anything the page adds to its head after the style sheet (a script, on the sign-out page).
        "head": re.search(r"</style>(.*?)</head>", text, re.S)[1],
    }


def button(link: str, text: str) -> str:
    return f'<a class="button" href="{link}">{text}</a>'


def events(session) -> list[tuple[str, str, str, str, str, int]]:
    session.expire_all()
    return [
        (e.kind, e.email, e.subject, e.client_address, e.detail, e.count)
        for e in session.exec(select(AuthEvent).order_by(AuthEvent.id))
    ]


def test_the_signed_out_page_offers_to_sign_in_again_with_the_provider(client):
    response = client.get("/auth/signed-out")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert shown(response) == {
        "title": "You are signed out · Customer Admin",
        "heading": "You are signed out",
        "message": "Your session in Customer Admin has ended.",
        "action": button("/auth/login", "Sign in with Okta"),
        "head": "",
    }


def test_the_provider_name_on_the_signed_out_page_is_the_configured_one(client, monkeypatch):
    from admin_app.settings import get_settings

    monkeypatch.setenv("OIDC_PROVIDER_NAME", "Keycloak & Co")
    get_settings.cache_clear()
    assert shown(client.get("/auth/signed-out"))["action"] == button(
        "/auth/login", "Sign in with Keycloak &amp; Co"
    )


PROVIDER_DOWN = {
    "title": "Sign-in is unavailable · Customer Admin",
    "heading": "Sign-in is unavailable",
    "message": "Okta is not answering right now. Nothing was changed; try again in a minute.",
    "action": button("/auth/login", "Try again"),
    "head": "",
}


@pytest.mark.parametrize("path", ["/auth/login", "/auth/callback?code=a-code&state=a-state"])
def test_a_provider_that_does_not_answer_gets_a_plain_page_and_no_session(client, session, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 503
    assert response.headers["cache-control"] == "no-store"
    assert shown(response) == PROVIDER_DOWN
    assert "ca_session" not in response.headers.get("set-cookie", "")
    session.expire_all()
    assert session.exec(select(StaffSession)).all() == []


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("access_denied", "the identity provider said access_denied"),
        ("login_required", "the identity provider said login_required"),
        ("<b>made up</b>", "the identity provider sent an error the standard does not name"),
    ],
)
def test_an_error_sent_to_the_callback_is_named_only_in_the_standards_words(client, session, error, reason):
    response = client.get("/auth/callback", params={"error": error, "state": "x"}, follow_redirects=False)
    assert response.status_code == 400
    assert response.headers["cache-control"] == "no-store"
    assert shown(response) == {
        "title": "Sign-in failed · Customer Admin",
        "heading": "Sign-in failed",
        "message": f"The sign-in could not be completed ({reason}). Please try again.",
        "action": button("/auth/login", "Sign in again"),
        "head": "",
    }
    assert events(session) == [("sign_in_failed", "", "", PEER, reason, 1)]


def test_a_failed_callback_forgets_where_the_sign_in_was_going(client):
    started = client.get("/auth/login", params={"next": "/customers/7"}, follow_redirects=False)
    assert started.status_code == 503
    assert client.cookies.get("ca_oidc"), "the sign-in in progress is kept in its own cookie"
    failed = client.get("/auth/callback", params={"error": "access_denied"}, follow_redirects=False)
    assert failed.status_code == 400
    assert failed.headers["set-cookie"].startswith("ca_oidc=null;")
    assert client.cookies.get("ca_oidc") is None


SIGN_OUT_BUTTON = (
    '<form method="post" action="/auth/logout"><button class="button" type="submit" autofocus>'
    "Sign out</button></form>"
)


def test_a_get_of_the_sign_out_route_only_asks(client, session):
    token = staff_session_token(session, "sales@example.com", ("sales",))
    client.cookies.set("ca_session", token)
    response = client.get("/auth/logout", follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert shown(response) == {
        "title": "Sign out · Customer Admin",
        "heading": "Sign out",
        "message": "Sign out of Customer Admin?",
        "action": SIGN_OUT_BUTTON,
        "head": "",
    }
    assert "set-cookie" not in response.headers
    assert session.exec(select(StaffSession)).one().revoked_at is None


@pytest.mark.parametrize(
    ("headers", "from_the_app"),
    [
        ({"Origin": APP_URL}, True),
        ({"Referer": f"{APP_URL}/licenses?q=1"}, True),
        ({"Origin": "", "Referer": f"{APP_URL}/licenses"}, True),
        ({"Origin": "https://evil.example", "Referer": f"{APP_URL}/licenses"}, False),
        ({"Origin": "http://testserver:8080"}, False),
        ({"Origin": "https://testserver"}, False),
        ({"Origin": "null"}, False),
        ({"Referer": "http://evil.example/?http://testserver"}, False),
        ({}, False),
    ],
)
def test_sign_out_is_taken_only_from_the_apps_own_origin(client, session, headers, from_the_app):
    token = staff_session_token(session, "sales@example.com", ("sales",))
    client.cookies.set("ca_session", token)
    response = client.post("/auth/logout", headers=headers, follow_redirects=False)
    session.expire_all()
    revoked = session.exec(select(StaffSession)).one().revoked_at is not None
    if from_the_app:
        assert (response.status_code, revoked) == (200, True)
        assert shown(response)["heading"] == "Signing out"
    else:
        assert (response.status_code, revoked) == (403, False)
        assert response.headers["cache-control"] == "no-store"
        assert shown(response) == {
            "title": "Sign out · Customer Admin",
            "heading": "Sign out",
            "message": "That sign-out did not come from Customer Admin. Sign out here?",
            "action": SIGN_OUT_BUTTON,
            "head": "",
        }
        assert events(session) == []


FORGET_AND_GO = (
    '<script>window.sessionStorage.removeItem("token");window.location.replace("/auth/signed-out");</script>'
)


def test_sign_out_while_the_provider_is_down_ends_the_session_here_and_says_so(client, session):
    import asyncio

    token = staff_session_token(session, "support@example.com", ("support",))
    cookie = f"ca_session={token}"
    assert asyncio.run(identity_for_cookie_header(cookie)) is not None, "now cached in this process"
    client.cookies.set("ca_session", token)
    response = client.post("/auth/logout", headers={"Origin": APP_URL}, follow_redirects=False)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert shown(response) == {
        "title": "Signing out · Customer Admin",
        "heading": "Signing out",
        "message": "Your session in Customer Admin has ended.",
        "action": button("/auth/signed-out", "Continue"),
        "head": FORGET_AND_GO,
    }
    cleared = response.headers["set-cookie"]
    assert cleared.startswith('ca_session=""; ')
    assert "Max-Age=0" in cleared and "HttpOnly" in cleared and "Path=/" in cleared
    assert "Secure" not in cleared
    session.expire_all()
    assert session.exec(select(StaffSession)).one().revoked_at is not None
    assert events(session) == [("sign_out", "support@example.com", "support@example.com", PEER, "", 1)]
    assert asyncio.run(identity_for_cookie_header(cookie)) is None, "not served from the cache"


def test_sign_out_without_a_session_records_nothing_and_still_clears_the_cookie(client, session):
    client.cookies.set("ca_session", "not-a-session")
    response = client.post("/auth/logout", headers={"Origin": APP_URL}, follow_redirects=False)
    assert response.status_code == 200
    assert shown(response)["action"] == button("/auth/signed-out", "Continue")
    assert shown(response)["head"] == FORGET_AND_GO
    assert response.headers["set-cookie"].startswith('ca_session=""; ')
    assert events(session) == []


def test_over_https_sign_out_clears_the_secure_host_prefixed_cookie(session, db_url, monkeypatch):
    from admin_app.settings import get_settings
    from admin_app.web.api import build_api

    for name, value in {
        "DATABASE_URL": db_url,
        "OIDC_ISSUER": f"http://127.0.0.1:{free_port()}",
        "APP_URL": "https://testserver",
        "OIDC_CLIENT_SECRET": "a-real-secret",
        "SESSION_SECRET": "another-real-secret",
        "MAIL_EVENTS_SECRET": "a-real-mail-secret",
        "PORTAL_SECRET": "a-real-portal-secret",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    token = staff_session_token(session, "sales@example.com", ("sales",))
    try:
        with TestClient(build_api(), base_url="https://testserver") as client:
            client.cookies.set("__Host-ca_session", token)
            response = client.post(
                "/auth/logout", headers={"Origin": "https://testserver"}, follow_redirects=False
            )
    finally:
        get_settings.cache_clear()
    assert response.status_code == 200
    cleared = response.headers["set-cookie"]
    assert cleared.startswith('__Host-ca_session=""; ')
    assert "Secure" in cleared and "HttpOnly" in cleared and "Path=/" in cleared
    session.expire_all()
    assert session.exec(select(StaffSession)).one().revoked_at is not None
