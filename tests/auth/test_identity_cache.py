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


@pytest.fixture
def store(session, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    identity_module._cache.clear()
    yield session
    identity_module._cache.clear()
    get_settings.cache_clear()


def revoke_all(session) -> None:
    from datetime import UTC, datetime

    from sqlmodel import select

    from admin_app.db.models import StaffSession

    for row in session.exec(select(StaffSession)):
        row.revoked_at = datetime.now(UTC)
        session.add(row)
    session.commit()


def test_the_identity_behind_a_cookie_is_the_sessions_staff_member(store):
    from admin_app.db.staff.sessions import hash_token

    token = staff_session_token(store, "sam@example.com", ("support", "admin"))
    found = asyncio.run(identity_module.identity_for_cookie_header(f"theme=dark; ca_session={token}"))
    assert (found.session_id, found.subject, found.email, found.name, found.roles) == (
        hash_token(token),
        "sam@example.com",
        "sam@example.com",
        "sam@example.com",
        ("support", "admin"),
    )


def test_an_answer_is_reused_for_a_few_seconds_unless_this_process_forgot_it(store, monkeypatch):
    token = staff_session_token(store, "sam@example.com", ("support",))
    cookie = f"ca_session={token}"
    assert asyncio.run(identity_module.identity_for_cookie_header(cookie)) is not None
    revoke_all(store)
    # Ended elsewhere: this process answers from its cache until CACHE_SECONDS have passed.
    assert asyncio.run(identity_module.identity_for_cookie_header(cookie)) is not None
    monkeypatch.setattr(identity_module, "CACHE_SECONDS", 0.0)
    assert asyncio.run(identity_module.identity_for_cookie_header(cookie)) is None


def test_forgetting_a_token_drops_its_cached_answer(store):
    token = staff_session_token(store, "sam@example.com", ("support",))
    cookie = f"ca_session={token}"
    assert asyncio.run(identity_module.identity_for_cookie_header(cookie)) is not None
    revoke_all(store)
    identity_module.forget(token)
    assert asyncio.run(identity_module.identity_for_cookie_header(cookie)) is None


@pytest.mark.parametrize("header", ["", "theme=dark", "ca_session=", "__Host-ca_session=x"])
def test_no_session_cookie_is_no_one(store, header):
    assert asyncio.run(identity_module.identity_for_cookie_header(header)) is None


def test_over_https_only_the_host_prefixed_cookie_is_the_session_cookie():
    secure = Settings(
        APP_URL="https://admin.example.com",
        OIDC_CLIENT_SECRET="a-real-secret",
        SESSION_SECRET="another-real-secret",
        MAIL_EVENTS_SECRET="a-real-mail-secret",
        PORTAL_SECRET="a-real-portal-secret",
    )
    assert token_from_cookie_header("ca_session=A; __Host-ca_session=B", secure) == "B"
    assert token_from_cookie_header("ca_session=A", secure) == ""
    assert token_from_cookie_header("ca_session=A; __Host-ca_session=B", Settings()) == "A"
    assert token_from_cookie_header(None, Settings()) == ""


def test_the_session_policy_is_the_configured_idle_and_absolute_timeouts():
    from datetime import timedelta

    policy = identity_module.session_policy(Settings(SESSION_IDLE_MINUTES=7, SESSION_ABSOLUTE_HOURS=3))
    assert (policy.idle, policy.absolute) == (timedelta(minutes=7), timedelta(hours=3))


def test_a_full_cache_drops_its_stale_answers_and_keeps_the_fresh_ones(store, monkeypatch):
    import time

    # Answers live 3 s here: the forged ones are waited out, and the fresh one has 3 s to be looked up
    # twice, ample on a loaded machine.
    monkeypatch.setattr(identity_module, "MAX_CACHED", 3)
    monkeypatch.setattr(identity_module, "CACHE_SECONDS", 3.0)
    for n in range(2):
        asyncio.run(identity_module.identity_for_cookie_header(f"ca_session=forged-{n}"))
    time.sleep(3.0)
    cookie = f"ca_session={staff_session_token(store, 'sam@example.com', ('support',))}"
    assert asyncio.run(identity_module.identity_for_cookie_header(cookie)) is not None
    revoke_all(store)
    # The cache is full: the two stale forged answers make room, the fresh one stays.
    asyncio.run(identity_module.identity_for_cookie_header("ca_session=forged-2"))
    assert asyncio.run(identity_module.identity_for_cookie_header(cookie)) is not None
