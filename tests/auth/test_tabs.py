"""Ending a session empties every tab still bound to it, through the running app's own state manager,
wherever the tab's socket is, and hands the app's sockets an update that sends the tab to sign in. (That
the browser follows it goes over its websocket: the browser tests cover it.)"""

import asyncio

import pytest
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex.state import StateUpdate

from admin_app.auth import tabs
from admin_app.auth.tabs import bind_to_session, empty_if_bound_to, end_tabs, remember_tab, use_app
from admin_app.db.staff.sessions import hash_token
from admin_app.settings import get_settings
from tests.auth.conftest import APP_URL, app_routes
from tests.factories import staff_session_token


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


@pytest.fixture
def sent(app, monkeypatch) -> list[tuple[StateUpdate, str]]:
    """What the app hands its sockets: (the update, the client token of the tab it goes to)."""
    updates = []

    async def emit_update(update: StateUpdate, token: str) -> None:
        updates.append((update, token))

    monkeypatch.setattr(app.event_namespace, "emit_update", emit_update)
    return updates


def signed_in(session, email: str) -> str:
    return hash_token(staff_session_token(session, email, ("admin",)))


async def open_tab(app, token: str, session_id: str) -> None:
    """A tab that loaded a customer under `session_id`, registered as the gate registers it."""
    from admin_app.state.app_state import AppState
    from admin_app.state.customer_detail import CustomerDetailState
    from admin_app.state.views import CustomerView

    async with app.modify_state(BaseStateToken(ident=token, cls=AppState)) as root:
        await bind_to_session(root, session_id, ("admin",))
        (await root.get_state(CustomerDetailState)).customer = CustomerView(email="jane@acme.test")
    await remember_tab(session_id, token)


async def tab(app, token: str) -> tuple[str, str]:
    """(the session the tab is bound to, the email of the customer it holds)."""
    from admin_app.state.app_state import AppState
    from admin_app.state.customer_detail import CustomerDetailState

    async with app.modify_state(BaseStateToken(ident=token, cls=AppState)) as root:
        bound = await root.get_state(AppState)
        return bound._staff_session, (await root.get_state(CustomerDetailState)).customer.email


def test_ending_sessions_empties_exactly_the_tabs_still_bound_to_them(app, session):
    ended, other, third = (signed_in(session, f"{n}@example.com") for n in ("a", "b", "c"))

    async def scenario():
        use_app(app)
        await open_tab(app, "tab-1", ended)
        await open_tab(app, "tab-2", ended)
        await open_tab(app, "tab-3", other)
        await open_tab(app, "tab-4", third)
        # Someone else signed in in tab-2 since: it is registered under both, bound to `other`.
        await open_tab(app, "tab-2", other)
        count = await end_tabs([ended, third])
        return count, [await tab(app, token) for token in ("tab-1", "tab-2", "tab-3", "tab-4")]

    count, after = asyncio.run(scenario())
    customer = "jane@acme.test"
    assert count == 2
    assert after == [("", ""), (other, customer), (other, customer), ("", "")]


def test_each_ended_tab_is_sent_to_sign_in_over_its_own_socket(app, session, sent):
    ended, other = signed_in(session, "a@example.com"), signed_in(session, "b@example.com")

    async def scenario():
        use_app(app)
        await open_tab(app, "tab-1", ended)
        await open_tab(app, "tab-2", other)
        sent.clear()
        return await end_tabs([ended])

    assert asyncio.run(scenario()) == 1
    # First the emptied state, then the sign-in, both to the ended tab only.
    [(emptied, to_empty), (sign_in, to_sign_in)] = sent
    assert (to_empty, to_sign_in) == ("tab-1", "tab-1")
    assert "customer_detail_state" in str(emptied.delta) and "jane@acme.test" not in str(emptied.delta)
    assert [(event.name, "/auth/login" in str(event.payload)) for event in sign_in.events] == [
        ("_call_script", True)
    ]


def test_a_tab_whose_token_fills_the_registrys_64_characters_is_ended_with_its_session(app, session):
    ended = signed_in(session, "a@example.com")
    token = "t" * 64

    async def scenario():
        use_app(app)
        await open_tab(app, token, ended)
        return await end_tabs([ended]), await tab(app, token)

    assert asyncio.run(scenario()) == (1, ("", ""))


def test_a_tab_already_ended_is_not_ended_again(app, session):
    ended = signed_in(session, "a@example.com")

    async def scenario():
        use_app(app)
        await open_tab(app, "tab-1", ended)
        return await end_tabs([ended]), await end_tabs([ended])

    assert asyncio.run(scenario()) == (1, 0)


def test_without_a_running_app_or_without_sessions_no_tab_is_ended(app, session):
    ended = signed_in(session, "a@example.com")

    async def scenario():
        await open_tab(app, "tab-1", ended)
        without_app = await end_tabs([ended])
        use_app(app)
        return without_app, await end_tabs([]), await tab(app, "tab-1")

    without_app, without_sessions, after = asyncio.run(scenario())
    assert (without_app, without_sessions) == (0, 0)
    assert after == (ended, "jane@acme.test")


def test_an_emptied_tab_is_left_as_a_signed_out_tab_is(app, session):
    ended = signed_in(session, "a@example.com")

    async def scenario():
        from admin_app.state.app_state import AppState

        await open_tab(app, "tab-1", ended)
        async with app.modify_state(BaseStateToken(ident="tab-1", cls=AppState)) as root:
            emptied = await empty_if_bound_to(root, {ended})
            # An event without a session finds nothing more to empty.
            again = await bind_to_session(root, "")
        return emptied, again

    assert asyncio.run(scenario()) == (True, False)


def test_signing_out_empties_the_other_tabs_of_the_session(app, session, db_url, monkeypatch):
    from admin_app.devtools.reflex_server import free_port

    token = staff_session_token(session, "support@example.com", ("support",))
    ended, other = hash_token(token), signed_in(session, "b@example.com")

    async def open_tabs():
        use_app(app)
        await open_tab(app, "tab-1", ended)
        await open_tab(app, "tab-2", other)

    asyncio.run(open_tabs())
    with app_routes(db_url, f"http://127.0.0.1:{free_port()}", monkeypatch) as client:
        client.cookies.set("ca_session", token)
        assert client.post("/auth/logout", headers={"Origin": APP_URL}).status_code == 200

    async def tabs_after():
        return [await tab(app, token) for token in ("tab-1", "tab-2")]

    assert asyncio.run(tabs_after()) == [("", ""), (other, "jane@acme.test")]


def test_a_session_the_role_check_ends_has_its_tabs_emptied_once_the_event_is_over(app, session, monkeypatch):
    from datetime import UTC, datetime, timedelta

    from sqlmodel import select

    from admin_app.auth.identity import identity_for_cookie_header
    from admin_app.db.models import StaffSession

    token = staff_session_token(session, "a@example.com", ("admin",))
    ended = hash_token(token)
    row = session.exec(select(StaffSession)).one()
    # Due for a role check, with provider tokens sealed under an earlier secret: the check ends it.
    row.roles_checked_at = datetime.now(UTC) - timedelta(hours=1)
    row.access_token = "unreadable"
    session.add(row)
    session.commit()

    loop_errors = []

    async def scenario():
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: loop_errors.append(context))
        use_app(app)
        await open_tab(app, "tab-1", ended)
        assert await identity_for_cookie_header(f"ca_session={token}") is None
        for _ in range(500):
            if (await tab(app, "tab-1"))[0] == "":
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)
        return await tab(app, "tab-1")

    assert asyncio.run(scenario()) == ("", "")
    assert loop_errors == [], "the ending ran to its end without an error"
    from admin_app.db.models import AuthEvent

    session.expire_all()
    [event] = session.exec(select(AuthEvent)).all()
    # Asked without an address (a background check): none is made up for the audit.
    assert (event.kind, event.client_address) == ("session_ended", "")
