"""The central gate: every event sent to the app's states needs a live session and a declared permission.

Any browser can send any event by name, so the check is made here, on the server, before a
handler runs. A handler declares what it needs with `@requires(...)`; one that declares
nothing (including Reflex's built-in `setvar`) is refused.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache

import reflex as rx
from reflex.middleware.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event
from sqlalchemy.exc import SQLAlchemyError

from admin_app.auth.identity import identity_for_cookie_header
from admin_app.auth.permissions import Permission, is_allowed
from admin_app.db.auth_events import record_auth_event
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session

logger = logging.getLogger(__name__)
PERMISSION_ATTR = "_required_permission"
SIGNED_IN = "signed-in"
# Declared by shared handlers (mixins); the permission is the state's own `_read_permission`.
PAGE_PERMISSION = "page-permission"
REFUSED_MESSAGE = "You do not have permission to do that. Nothing was changed."
SIGN_IN_SCRIPT = (
    "window.location.assign('/auth/login?next=' + "
    "encodeURIComponent(window.location.pathname + window.location.search))"
)
NO_ACCESS_SCRIPT = "window.location.assign('/no-access')"


def requires(permission: Permission | str) -> Callable:
    """Declare what an event handler needs: a Permission, SIGNED_IN for any signed-in staff member,
    or PAGE_PERMISSION for the permission its state class names."""

    def declare(fn: Callable) -> Callable:
        setattr(fn, PERMISSION_ATTR, permission)
        return fn

    return declare


def app_states() -> list[type[BaseState]]:
    """Every state class this app defines (framework states are not ours to gate)."""
    found, pending = [], list(rx.State.get_substates())
    while pending:
        cls = pending.pop()
        pending.extend(cls.get_substates())
        if cls.__module__.startswith("admin_app."):
            found.append(cls)
    return found


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


async def record_refusal(email: str, client_address: str, detail: str) -> None:
    """Add a refused event to the audit trail; the refusal stands even if that write fails."""

    def write(session) -> None:
        record_auth_event(
            session=session,
            kind="refused",
            at=datetime.now(UTC),
            email=email,
            client_address=client_address,
            detail=detail,
        )

    try:
        await in_session(write)
    except SQLAlchemyError:
        # The event is refused either way; an unrecorded refusal must not let it through.
        logger.exception("could not record a refused event: %s", detail)


class AuthGate(Middleware):
    """Refuses events without a live session, and events whose handler's permission the role lacks."""

    async def preprocess(self, app, state: BaseState, event: Event) -> StateUpdate | None:
        ours, permission = declared_permission(event.name)
        if not ours:
            return None
        handler = event.name.rpartition(".")[2]
        try:
            identity = await identity_for_cookie_header(state.router.headers.cookie)
        except SQLAlchemyError:
            # The session store is the database: no answer, no event (and a plain word, not a crash).
            return StateUpdate(events=Event.from_event_type([rx.toast.error(DATABASE_UNAVAILABLE)]))
        client_address = state.router.session.client_ip
        if identity is None:
            await record_refusal("", client_address, f"{handler}: no live session")
            return StateUpdate(events=Event.from_event_type([rx.call_script(SIGN_IN_SCRIPT)]))
        if permission == SIGNED_IN or (permission is not None and is_allowed(identity.roles, permission)):
            return None
        needed = permission.value if isinstance(permission, Permission) else "an undeclared handler"
        await record_refusal(identity.email, client_address, f"{handler} needs {needed}")
        refusal = [rx.toast.error(REFUSED_MESSAGE)]
        if not identity.roles:
            refusal.append(rx.call_script(NO_ACCESS_SCRIPT))
        return StateUpdate(events=Event.from_event_type(refusal))
