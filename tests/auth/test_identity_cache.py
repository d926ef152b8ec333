"""The per-process identity cache stays bounded whatever cookies are sent."""

import asyncio

import pytest

from admin_app.auth import identity as identity_module
from admin_app.auth.identity import token_from_cookie_header
from admin_app.settings import Settings, get_settings
from tests.factories import staff_session_token


def test_forged_cookies_cannot_grow_the_cache(session, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    monkeypatch.setattr(identity_module, "MAX_CACHED", 5)
    identity_module._cache.clear()
    token = staff_session_token(session, "sales@example.com", ("sales",))

    async def look_up(cookie: str):
        return await identity_module.identity_for_cookie_header(cookie)

    for n in range(40):
        assert asyncio.run(look_up(f"ca_session=forged-{n}")) is None
        assert len(identity_module._cache) <= 5
    assert asyncio.run(look_up(f"ca_session={token}")).email == "sales@example.com"
    identity_module._cache.clear()
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "header",
    [
        "prefs=a b; ca_session=TOKEN",
        'ui={"theme": "dark"}; ca_session=TOKEN',
        'broken="open; ca_session=TOKEN',
        "ca_session=TOKEN; tracking=x,y;z",
    ],
)
def test_a_malformed_unrelated_cookie_does_not_hide_the_session_cookie(header):
    assert token_from_cookie_header(header, Settings()) == "TOKEN"
