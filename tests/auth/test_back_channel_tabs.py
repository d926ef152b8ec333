"""A back-channel logout empties the person's open tabs at once, as signing out in the app does: a tab
left open on a customer after the provider switched its person off shows nothing more."""

import asyncio
from collections.abc import Iterator

import pytest
from reflex.istate.manager.memory import StateManagerMemory

from admin_app.auth import tabs
from admin_app.auth.tabs import use_app
from admin_app.db.staff.sessions import hash_token
from admin_app.settings import get_settings
from tests.auth.conftest import app_routes, sign_in_through
from tests.auth.fake_issuer import Issuer, fake_issuer
from tests.auth.test_back_channel_logout import ENDPOINT, logout_token
from tests.auth.test_tabs import open_tab, tab


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with fake_issuer() as running:
        running.overrides = {"sid": "provider-session-1"}
        yield running


@pytest.fixture
def app(session, db_url, monkeypatch):
    """The app as it runs, its tabs' states kept in memory, on a clean database."""
    import admin_app.admin_app as module
    from admin_app.state.app_state import AppState  # noqa: F401

    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    monkeypatch.setattr(module.app, "_state_manager", StateManagerMemory())
    monkeypatch.setattr(tabs, "_running", [])
    monkeypatch.setattr(tabs, "_registered", set())
    yield module.app
    get_settings.cache_clear()


def test_a_back_channel_logout_empties_the_tabs_of_the_sessions_it_ends(
    app, session, db_url, issuer, monkeypatch
):
    with app_routes(db_url, issuer.url, monkeypatch) as client:
        sign_in_through(client)
        ended = hash_token(client.cookies["ca_session"])

        async def open_tabs():
            use_app(app)
            await open_tab(app, "tab-1", ended)
            await open_tab(app, "tab-2", ended)

        asyncio.run(open_tabs())
        assert client.post(ENDPOINT, data={"logout_token": logout_token(issuer)}).status_code == 200

    async def tabs_after():
        return [await tab(app, token) for token in ("tab-1", "tab-2")]

    assert asyncio.run(tabs_after()) == [("", ""), ("", "")]
