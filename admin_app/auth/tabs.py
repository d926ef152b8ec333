"""The browser tabs of each staff session, and ending them: a tab's state is emptied and the tab is sent
to sign in as soon as its session ends, without waiting for the tab's next event.

Reflex keys state by tab, and a tab's websocket may be held by any worker. The gate registers each tab
under the session its events carry (`remember_tab`); ending sessions (`end_tabs`) empties each of
their tabs through the app's own state update, which reaches a socket on another worker through
Redis.
"""

import asyncio
import logging
from collections.abc import Collection
from datetime import UTC, datetime

import reflex as rx
from reflex.istate.manager.token import BaseStateToken
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event

from admin_app.db.session import in_session
from admin_app.db.staff.sessions import register_tab, tabs_of
from admin_app.state.app_state import AppState

logger = logging.getLogger(__name__)
SIGN_IN_SCRIPT = (
    "window.location.assign('/auth/login?next=' + "
    "encodeURIComponent(window.location.pathname + window.location.search))"
)
MAX_REMEMBERED = 10_000
# Reflex's client tokens are UUIDs; the registry's column holds 64 characters.
MAX_TOKEN_LENGTH = 64
# (session id, client token) pairs this process has registered: the database is written once per tab.
_registered: set[tuple[str, str]] = set()
# The running app (`use_app`).
_running: list[rx.App] = []
# Tab endings scheduled from inside an event, kept referenced until they finish.
_pending: set[asyncio.Task] = set()


def app_states() -> list[type[BaseState]]:
    """Every state class this app defines (framework states are not ours to gate)."""
    found, pending = [], list(rx.State.get_substates())
    while pending:
        cls = pending.pop()
        pending.extend(cls.get_substates())
        if cls.__module__.startswith("admin_app."):
            found.append(cls)
    return found


async def bind_to_session(state: BaseState, session_id: str, roles: tuple[str, ...] = ()) -> bool:
    """Empty every app state of the tab unless it was loaded under `session_id` with these `roles`;
    True if it was emptied."""
    root = state._get_root_state()
    bound = await root.get_state(AppState)
    if (bound._staff_session, bound._staff_roles) == (session_id, roles):
        return False
    for cls in app_states():
        (await root.get_state(cls)).reset()
    bound._staff_session, bound._staff_roles = session_id, roles
    return True


async def remember_tab(session_id: str, client_token: str) -> None:
    """Register the tab under its session (once per process). A token longer than Reflex makes is the
    browser's own invention: not stored (and not reachable by ending the session; its next event is)."""
    if not client_token or len(client_token) > MAX_TOKEN_LENGTH or (session_id, client_token) in _registered:
        return
    now = datetime.now(UTC)
    await in_session(
        lambda session: register_tab(
            session=session, session_id=session_id, client_token=client_token, now=now
        )
    )
    if len(_registered) >= MAX_REMEMBERED:
        _registered.clear()
    _registered.add((session_id, client_token))


async def empty_if_bound_to(state: BaseState, session_ids: Collection[str]) -> bool:
    """Empty the tab if its data is still bound to one of these (ended) sessions; a tab where someone
    has signed in since, or one already emptied, is left alone. True if it was emptied."""
    bound = await state._get_root_state().get_state(AppState)
    if bound._staff_session not in session_ids:
        return False
    return await bind_to_session(state, "")


async def _end_tab(app: rx.App, token: str, session_ids: Collection[str]) -> bool:
    """Empty one tab's state (the delta goes to its socket, wherever it is) and send it to sign in."""
    async with app.modify_state(BaseStateToken(ident=token, cls=AppState)) as root:
        if not await empty_if_bound_to(root, session_ids):
            return False
    if app.event_namespace is None:
        return False
    sign_in = StateUpdate(events=Event.from_event_type([rx.call_script(SIGN_IN_SCRIPT)]))
    await app.event_namespace.emit_update(sign_in, token)
    return True


async def end_tabs(session_ids: list[str]) -> int:
    """Empty and send to sign in every tab still bound to these (ended) sessions. Returns how many tabs
    were ended: a tab another worker ended first is not bound any more, so it is not ended twice.
    Outside a running app (a command, a test of the routes) there are none."""
    if not _running or not session_ids:
        return 0
    app = _running[0]
    tokens = await in_session(lambda session: tabs_of(session=session, session_ids=session_ids))
    ended, ids = 0, frozenset(session_ids)
    for token in tokens:
        try:
            ended += await _end_tab(app, token, ids)
        except Exception:
            # One tab that cannot be reached must not keep the others open.
            logger.exception("a tab of an ended session could not be emptied")
    return ended


def end_tabs_soon(session_ids: list[str]) -> None:
    """End the tabs once the current event is over (it holds its own tab's state, which may be one of
    them)."""
    task = asyncio.get_running_loop().create_task(end_tabs(session_ids))
    _pending.add(task)
    task.add_done_callback(_pending.discard)


def use_app(app: rx.App) -> None:
    """Keep the running app: ending a tab goes through its state manager and sockets."""
    _running[:] = [app]
