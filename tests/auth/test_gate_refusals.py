"""What the gate writes to the sign-in audit when it refuses, and what it answers the tab."""

import asyncio
from types import SimpleNamespace

import pytest
import reflex as rx
from sqlmodel import select

import admin_app.admin_app  # noqa: F401  (registers the app's states)
from admin_app.auth import identity as identity_module
from admin_app.auth.gate import (
    NO_ACCESS_SCRIPT,
    REFUSALS,
    REFUSED_MESSAGE,
    AuthGate,
    _declarations,
    record_refusal,
)
from admin_app.db import session as session_module
from admin_app.db.models import AuthEvent
from admin_app.devtools.reflex_server import free_port
from admin_app.settings import get_settings
from tests.factories import staff_session_token


@pytest.fixture
def gate_env(session, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    identity_module._cache.clear()
    yield session
    identity_module._cache.clear()
    get_settings.cache_clear()


def audit(session) -> list[tuple]:
    session.expire_all()
    return [
        (e.kind, e.email, e.client_address, e.detail, e.count)
        for e in session.exec(select(AuthEvent).order_by(AuthEvent.id))
    ]


def test_a_refusal_is_written_at_once_with_its_detail_bounded_and_plain(gate_env):
    detail = "load\nneeds " + "x" * 300

    async def refuse():
        await record_refusal("sam@example.com", "198.51.100.7", detail)
        await record_refusal("", "198.51.100.8", "callback", kind="sign_in_failed")

    asyncio.run(refuse())
    bounded = ("load?needs " + "x" * 300)[:200]
    assert audit(gate_env) == [
        ("refused", "sam@example.com", "198.51.100.7", bounded, 1),
        ("sign_in_failed", "", "198.51.100.8", "callback", 1),
    ]


def test_repeats_are_written_as_one_counted_row_when_the_app_stops(gate_env):
    from admin_app.auth.gate import refusals_written_at_shutdown

    async def refuse():
        async with refusals_written_at_shutdown():
            for _ in range(3):
                await record_refusal("sam@example.com", "198.51.100.7", "revoke needs sessions:admin")

    asyncio.run(refuse())
    assert audit(gate_env) == [
        ("refused", "sam@example.com", "198.51.100.7", "revoke needs sessions:admin", 1),
        ("refused", "sam@example.com", "198.51.100.7", "revoke needs sessions:admin", 2),
    ]


def test_a_refusal_the_store_cannot_take_is_logged_and_does_not_fail_the_refusal(
    gate_env, monkeypatch, caplog
):
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone")
    monkeypatch.setattr(session_module, "RETRY_DELAYS_S", (0.01,))
    get_settings.cache_clear()
    with caplog.at_level("ERROR", logger="admin_app.auth.gate"):
        asyncio.run(record_refusal("", "198.51.100.7", "load: no live session"))
    REFUSALS.clear()
    [logged] = caplog.records
    assert logged.getMessage() == "could not record a refusal: load: no live session"
    assert logged.exc_info is not None


def tab(cookie: str) -> rx.State:
    root = rx.State(_reflex_internal_init=True)
    headers = {"cookie": cookie, "asgi-scope-client": "198.51.100.7"}
    router_data = {"headers": headers, "ip": "10.0.0.9", "pathname": "/licenses", "asPath": "/licenses"}
    root.router_data = root._update_router_vars(router_data, {})
    return root


def send(event_name: str, cookie: str):
    event = SimpleNamespace(name=event_name, payload={})
    return asyncio.run(AuthGate().preprocess(None, tab(cookie), event))


def handler(state_suffix: str, name: str) -> str:
    [path] = [p for p in _declarations() if p.endswith(state_suffix)]
    return f"{path}.{name}"


def scripts(update) -> list[str]:
    return [str(e.payload) for e in update.events]


@pytest.mark.parametrize(
    ("roles", "sent_to_no_access"), [((), True), (("sales",), False)], ids=["no role", "sales"]
)
def test_a_handler_the_role_lacks_is_refused_with_a_toast_and_an_audit_row(
    gate_env, roles, sent_to_no_access
):
    email = ("-".join(roles) or "none") + "@example.com"
    cookie = "ca_session=" + staff_session_token(gate_env, email, roles)
    update = send(handler("sessions_state", "revoke"), cookie)
    assert REFUSED_MESSAGE in scripts(update)[0]
    assert len(update.events) == (2 if sent_to_no_access else 1)
    assert any(NO_ACCESS_SCRIPT in s for s in scripts(update)) is sent_to_no_access
    assert audit(gate_env) == [("refused", email, "198.51.100.7", "revoke needs sessions:admin", 1)]


def test_an_event_of_no_app_state_is_refused_with_a_toast_before_the_session_is_looked_at(gate_env):
    update = send("reflex___state____state.setvar", "ca_session=not-a-session")
    assert len(update.events) == 1 and REFUSED_MESSAGE in scripts(update)[0]
    assert audit(gate_env) == [
        ("refused", "", "198.51.100.7", "unknown handler: not an event of this app", 1)
    ]


def test_an_event_without_a_session_is_sent_to_sign_in(gate_env):
    update = send(handler("customers_state", "load"), "")
    assert len(update.events) == 1 and "/auth/login?next=" in scripts(update)[0]
    assert audit(gate_env) == [("refused", "", "198.51.100.7", "load: no live session", 1)]


def test_the_audit_names_only_handlers_the_app_has():
    from admin_app.auth.gate import UNKNOWN_HANDLER, handler_name

    known = handler("customers_state", "load")
    assert handler_name(known) == "load"
    assert handler_name(known.replace(".load", ".drop_tables")) == UNKNOWN_HANDLER
    assert handler_name("no_such_state.load") == UNKNOWN_HANDLER
    assert handler_name("load") == UNKNOWN_HANDLER
