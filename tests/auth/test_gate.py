"""The event gate, for every handler of the app's states: declared, and refused for roles that lack it."""

import asyncio
from types import SimpleNamespace

import pytest
from sqlmodel import select

import admin_app.admin_app  # noqa: F401  (registers the app's states)
from admin_app.auth import identity as identity_module
from admin_app.auth.gate import SIGNED_IN, AuthGate, _declarations, app_states
from admin_app.auth.permissions import ROLES, Permission, is_allowed
from admin_app.db import session as session_module
from admin_app.db.models import AuthEvent
from admin_app.db.session import DATABASE_UNAVAILABLE
from admin_app.devtools.reflex_server import free_port
from admin_app.settings import get_settings
from tests.factories import staff_session_token

# Reflex gives every state this handler; the gate refuses it because nothing declares it.
FRAMEWORK_HANDLERS_REFUSED = {"setvar"}


def all_handlers() -> list[tuple[str, str, object]]:
    return [
        (state_path, name, permission)
        for state_path, handlers in _declarations().items()
        for name, permission in handlers.items()
    ]


def test_every_handler_of_the_app_declares_what_it_needs():
    assert app_states(), "no app states found"
    undeclared = [
        f"{path.rsplit('.', 1)[-1]}.{name}"
        for path, name, permission in all_handlers()
        if permission is None and name not in FRAMEWORK_HANDLERS_REFUSED
    ]
    assert undeclared == []


@pytest.fixture
def gate_env(session, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    identity_module._cache.clear()
    yield
    identity_module._cache.clear()
    get_settings.cache_clear()


def browser_state(cookie: str) -> SimpleNamespace:
    """What the gate reads of a connection: its Cookie header and client address."""
    return SimpleNamespace(
        router=SimpleNamespace(
            headers=SimpleNamespace(cookie=cookie), session=SimpleNamespace(client_ip="10.0.0.9")
        )
    )


def cookie_for(session, roles: tuple[str, ...]) -> str:
    email = ("-".join(roles) or "none") + "@example.com"
    return "ca_session=" + staff_session_token(session, email, roles)


def send(event_name: str, cookie: str):
    event = SimpleNamespace(name=event_name, payload={})
    return asyncio.run(AuthGate().preprocess(None, browser_state(cookie), event))


def refusals(session) -> list[str]:
    session.expire_all()
    return [e.detail for e in session.exec(select(AuthEvent).where(AuthEvent.kind == "refused"))]


def test_each_handler_is_refused_exactly_for_the_roles_that_lack_its_permission(session, gate_env):
    cookies = {role: cookie_for(session, (role,)) for role in ROLES}
    cookies["no role"] = cookie_for(session, ())
    expected_refusals = 0
    for path, name, permission in all_handlers():
        for role, cookie in cookies.items():
            roles = () if role == "no role" else (role,)
            allowed = permission == SIGNED_IN or (
                isinstance(permission, Permission) and is_allowed(roles, permission)
            )
            update = send(f"{path}.{name}", cookie)
            assert (update is None) == allowed, (name, role, permission)
            if not allowed:
                expected_refusals += 1
                assert update.events, "a refusal tells the user"
    assert len(refusals(session)) == expected_refusals
    assert any("setvar needs an undeclared handler" in detail for detail in refusals(session))


@pytest.mark.parametrize("cookie", ["", "ca_session=forged-token", "ca_session=; other=1", "garbage;;=="])
def test_events_without_a_live_session_are_refused_and_sent_to_sign_in(session, gate_env, cookie):
    path, name, _ = next(h for h in all_handlers() if h[1] == "load")
    update = send(f"{path}.{name}", cookie)
    assert update is not None
    assert any("/auth/login" in str(e.payload) for e in update.events)
    assert refusals(session) == ["load: no live session"]


def test_framework_events_are_left_to_reflex(gate_env):
    assert send("reflex___state____state.hydrate_and_load", "") is None


def test_an_unreachable_session_store_refuses_the_event_with_the_plain_database_message(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone")
    monkeypatch.setattr(session_module, "RETRY_DELAYS_S", (0.01,))
    get_settings.cache_clear()
    identity_module._cache.clear()
    try:
        path, name, _ = next(h for h in all_handlers() if h[1] == "load")
        update = send(f"{path}.{name}", "ca_session=a-token")
    finally:
        get_settings.cache_clear()
    assert update is not None
    assert DATABASE_UNAVAILABLE in str(update.events[0].payload)
