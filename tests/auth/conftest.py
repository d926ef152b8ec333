"""A real OpenID provider process and the app's HTTP routes, for sign-in tests."""

from collections.abc import Iterator
from contextlib import contextmanager

import httpx2
import pytest
from starlette.testclient import TestClient

from admin_app.auth.oidc import _client as oidc_client_cache
from admin_app.devtools.oidc_provider import oidc_provider
from admin_app.settings import get_settings
from admin_app.web.api import build_api

APP_URL = "http://testserver"


@pytest.fixture(scope="session")
def issuer() -> Iterator[str]:
    with oidc_provider() as url:
        yield url


@contextmanager
def app_routes(db_url: str, issuer_url: str, monkeypatch) -> Iterator[TestClient]:
    """The app's HTTP routes on `db_url`, configured for the provider at `issuer_url`."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("OIDC_ISSUER", issuer_url)
    monkeypatch.setenv("APP_URL", APP_URL)
    get_settings.cache_clear()
    # A fresh issuer may reuse an earlier one's port: no discovery or keys cached from that one.
    oidc_client_cache.cache_clear()
    with TestClient(build_api(), base_url=APP_URL) as client:
        yield client
    get_settings.cache_clear()


@pytest.fixture
def app_client(session, db_url, issuer, monkeypatch) -> Iterator[TestClient]:
    """The app's routes on a clean database, configured for the provider process."""
    with app_routes(db_url, issuer, monkeypatch) as client:
        yield client


def sign_in_through(client: TestClient) -> httpx2.Response:
    """The code flow against an issuer that signs in without asking: the app's answer to its callback."""
    login = client.get("/auth/login", follow_redirects=False)
    back = httpx2.get(login.headers["location"], follow_redirects=False)
    return client.get(back.headers["location"], follow_redirects=False)


def sign_in_at_provider(client: TestClient, user: str, next_path: str = "/licenses") -> httpx2.Response:
    """Go through the real authorization code flow; returns the provider's redirect back to the app."""
    login = client.get("/auth/login", params={"next": next_path}, follow_redirects=False)
    assert login.status_code in (302, 303), login.text
    authorized = httpx2.post(login.headers["location"], data={"sub": user}, follow_redirects=False)
    assert authorized.status_code in (302, 303), authorized.text
    assert authorized.headers["location"].startswith(f"{APP_URL}/auth/callback?")
    return authorized


def sign_in(client: TestClient, user: str, next_path: str = "/licenses") -> httpx2.Response:
    """The whole sign-in: the app's answer to the callback."""
    back = sign_in_at_provider(client, user, next_path)
    return client.get(back.headers["location"], follow_redirects=False)
