"""Every HTTP response carries the headers that stop framing, sniffing and leaking; data is never cached."""

import pytest
from starlette.testclient import TestClient

from admin_app.settings import get_settings
from admin_app.web.api import build_api
from admin_app.web.security_headers import with_security_headers
from tests.factories import staff_session_token


@pytest.fixture
def client(db_url, monkeypatch):
    def make(app_url: str = "http://localhost:3000", **env: str) -> TestClient:
        monkeypatch.setenv("DATABASE_URL", db_url)
        monkeypatch.setenv("APP_URL", app_url)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        return TestClient(with_security_headers(build_api()), base_url=app_url)

    yield make
    get_settings.cache_clear()


@pytest.mark.parametrize("path", ["/healthz", "/auth/logout", "/auth/signed-out", "/api/export/licenses.csv"])
def test_every_response_forbids_framing_and_sniffing(client, path):
    response = client().get(path)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers, "not over plain http"


def test_over_https_browsers_are_told_to_stay_on_https(client):
    https = client(
        "https://admin.example.com",
        OIDC_CLIENT_SECRET="s3cret",
        SESSION_SECRET="an0ther",
        MAIL_EVENTS_SECRET="m41l",
        PORTAL_SECRET="p0rt4l",
    )
    assert https.get("/healthz").headers["strict-transport-security"].startswith("max-age=")


def test_an_export_is_never_cached(client, session):
    signed_in = client()
    signed_in.cookies.set("ca_session", staff_session_token(session, "sales@example.com", ("sales",)))
    response = signed_in.get("/api/export/licenses.csv")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
