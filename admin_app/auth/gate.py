"""The central gate: every event needs a live session and a declared permission, and sees only its
own staff member's data.

Any browser can send any event by name, so the check is made here, on the server, before a
handler runs. A handler declares what it needs with `@requires(...)`; one that declares
nothing (including Reflex's built-in `setvar`) is refused. Reflex's own events pass only when
they are on `FRAMEWORK_EVENTS`. Before any event is answered, the tab's state is checked to
belong to the session behind the event and its current roles; if it does not, every app state is
emptied first. Each tab is registered under its session, so ending the session can reach it (tabs).
"""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import cache

import reflex as rx
from reflex.middleware.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event
from sqlalchemy.exc import SQLAlchemyError

from admin_app.auth.client_address import of_state
from admin_app.auth.identity import identity_for_cookie_header
from admin_app.auth.permissions import Permission, is_allowed
from admin_app.auth.refusal_log import Refusal, RefusalLog
from admin_app.auth.tabs import SIGN_IN_SCRIPT, app_states, bind_to_session, remember_tab
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.db.staff.auth_events import plain_detail, record_auth_event

logger = logging.getLogger(__name__)
PERMISSION_ATTR = "_required_permission"
SIGNED_IN = "signed-in"
# Declared by shared handlers (mixins); the permission is the state's own `_read_permission`.
PAGE_PERMISSION = "page-permission"
REFUSED_MESSAGE = "You do not have permission to do that. Nothing was changed."
NO_ACCESS_SCRIPT = "window.location.assign('/no-access')"
UNKNOWN_HANDLER = "unknown handler"
# Reflex's own handlers the app needs: (re)connecting, running a page's on_load, reporting a
# browser error. Everything else of Reflex's (setvar, update_vars_internal, ...) is refused.
FRAMEWORK_EVENTS = frozenset(
    {
        "reflex___state____state.hydrate",
        "reflex___state____state.hydrate_and_load",
        "reflex___state____state.set_is_hydrated",
        "reflex___state____state.reflex___state____on_load_internal_state.on_load_internal",
        "reflex___state____state.reflex___state____on_load_internal_state.set_is_hydrated",
        "reflex___state____state.reflex___state____frontend_event_exception_state.handle_frontend_exception",
    }
)


def requires(permission: Permission | str) -> Callable:
    """Declare what an event handler needs: a Permission, SIGNED_IN for any signed-in staff member,
    or PAGE_PERMISSION for the permission its state class names."""

    def declare(fn: Callable) -> Callable:
        setattr(fn, PERMISSION_ATTR, permission)
        return fn

    return declare


@cache
def _declarations() -> dict[str, dict[str, object]]:
    """State path -> handler name -> declared permission (None when undeclared)."""
    return {
        cls.get_full_name(): {
            name: _resolve(cls, getattr(handler.fn, PERMISSION_ATTR, None))
            for name, handler in cls.event_handlers.items()
        }
        for cls in app_states()
    }


def _resolve(cls: type[BaseState], declared: object) -> object:
    if declared == PAGE_PERMISSION:
        return getattr(cls, "_read_permission", None)
    return declared


def declared_permission(event_name: str) -> tuple[bool, object]:
    """(is this an event of the app's states, what its handler declares)."""
    state_path, _, handler_name = event_name.rpartition(".")
    handlers = _declarations().get(state_path)
    if handlers is None:
        return False, None
    return True, handlers.get(handler_name)


def handler_name(event_name: str) -> str:
    """The handler an app event names, or UNKNOWN_HANDLER: the audit never stores text the client made up."""
    state_path, _, name = event_name.rpartition(".")
    return name if name in _declarations().get(state_path, {}) else UNKNOWN_HANDLER


async def _write_refusal(refusal: Refusal, count: int) -> None:
    def write(session) -> None:
        record_auth_event(
            session=session,
            kind=refusal.kind,
            at=datetime.now(UTC),
            email=refusal.email,
            client_address=refusal.client_address,
            detail=refusal.detail,
            count=count,
        )

    try:
        await in_session(write)
    except SQLAlchemyError:
        # The request is refused either way; an unrecorded refusal must not let it through.
        logger.exception("could not record a refusal: %s", refusal.detail)


REFUSALS = RefusalLog(_write_refusal)
# A refusal's detail is built from a path or a handler name; this bounds what a caller can make it hold.
DETAIL_OF_REFUSAL = 200


async def record_refusal(email: str, client_address: str, detail: str, kind: str = "refused") -> None:
    """Add a refusal to the audit trail, its detail bounded to plain characters; repeats within a minute
    are counted into one row: a signed-in person's per detail, the others' per address (RefusalLog)."""
    await REFUSALS.record(Refusal(kind, email, client_address, plain_detail(detail, DETAIL_OF_REFUSAL)))


@asynccontextmanager
async def refusals_written_at_shutdown() -> AsyncIterator[None]:
    """The app's lifespan task: the repeats counted when the app stops are written, not lost with it."""
    try:
        yield
    finally:
        await REFUSALS.flush()


async def _emptied(state: BaseState) -> dict:
    """The delta that empties the browser's copy, for an event that is refused (its handler sends none)."""
    root = state._get_root_state()
    delta = await root._get_resolved_delta()
    root._clean()
    return delta


class AuthGate(Middleware):
    """Refuses events without a live session, and events whose handler's permission the role lacks;
    empties the tab's state when it was loaded for another session."""

    async def preprocess(self, app, state: BaseState, event: Event) -> StateUpdate | None:
        ours, permission = declared_permission(event.name)
        handler = handler_name(event.name) if ours else UNKNOWN_HANDLER
        client_address = of_state(state)
        if not ours and event.name not in FRAMEWORK_EVENTS:
            await record_refusal("", client_address, f"{handler}: not an event of this app")
            return StateUpdate(events=Event.from_event_type([rx.toast.error(REFUSED_MESSAGE)]))
        try:
            identity = await identity_for_cookie_header(state.router.headers.cookie, client_address)
        except SQLAlchemyError:
            # The session store is the database: no answer, no event (and a plain word, not a crash).
            return StateUpdate(events=Event.from_event_type([rx.toast.error(DATABASE_UNAVAILABLE)]))
        if identity is None:
            emptied = await bind_to_session(state, "")
        else:
            emptied = await bind_to_session(state, identity.session_id, identity.roles)
            await remember_tab(identity.session_id, state.router.session.client_token)
        if not ours:
            # Reflex's own event goes on; what it sends back is the emptied state.
            return None
        delta = await _emptied(state) if emptied else {}
        if identity is None:
            await record_refusal("", client_address, f"{handler}: no live session")
            return StateUpdate(delta=delta, events=Event.from_event_type([rx.call_script(SIGN_IN_SCRIPT)]))
        if permission == SIGNED_IN or (
            isinstance(permission, Permission) and is_allowed(identity.roles, permission)
        ):
            return None
        needed = permission.value if isinstance(permission, Permission) else "an undeclared handler"
        await record_refusal(identity.email, client_address, f"{handler} needs {needed}")
        refusal = [rx.toast.error(REFUSED_MESSAGE)]
        if not identity.roles:
            refusal.append(rx.call_script(NO_ACCESS_SCRIPT))
        return StateUpdate(delta=delta, events=Event.from_event_type(refusal))
