"""Who is behind a request or a websocket: the session cookie checked against the session store."""

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import cookie_parser

from admin_app.auth.role_check import current_roles
from admin_app.auth.tabs import end_tabs_soon
from admin_app.db.session import in_session
from admin_app.db.staff.sessions import SessionPolicy, StaffIdentity, hash_token, identity_for_token, is_live
from admin_app.settings import Settings, get_settings

# A revoked or expired session stops working within this many seconds on every worker.
CACHE_SECONDS = 5.0
MAX_CACHED = 10_000
_cache: dict[str, tuple[float, StaffIdentity | None]] = {}


def session_cookie_name(settings: Settings) -> str:
    """`__Host-` prefixed (and Secure) when the app is served over https."""
    return "__Host-ca_session" if settings.secure_cookies else "ca_session"


def session_policy(settings: Settings) -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(minutes=settings.SESSION_IDLE_MINUTES),
        absolute=timedelta(hours=settings.SESSION_ABSOLUTE_HOURS),
    )


def token_from_cookie_header(header: str, settings: Settings) -> str:
    """The session token in a Cookie header, or "" when there is none.

    Parsed leniently, as browsers send it (Starlette's parser): an unrelated malformed cookie, such as a
    value with a space, JSON or an open quote, must not hide the session cookie (http.cookies gives up
    on the whole header)."""
    return cookie_parser(header or "").get(session_cookie_name(settings), "")


def forget(token: str) -> None:
    """Drop a cached answer (after sign-out or revocation in this process)."""
    forget_session(hash_token(token))


def forget_session(session_id: str) -> None:
    """Drop a cached answer by the session's stored id (the cache is keyed by it)."""
    _cache.pop(session_id, None)


async def identity_for_cookie_header(header: str, client_address: str = "") -> StaffIdentity | None:
    """The signed-in staff member for a Cookie header, re-checked against the store every few seconds
    and against the identity provider every ROLE_RECHECK_MINUTES (see role_check)."""
    settings = get_settings()
    token = token_from_cookie_header(header, settings)
    if not token:
        return None
    key = hash_token(token)
    cached = _cache.get(key)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    identity = await in_session(
        lambda session: identity_for_token(
            session=session, token=token, now=datetime.now(UTC), policy=session_policy(settings)
        )
    )
    if identity is not None:
        identity = await current_roles(identity, client_address)
        if identity is None:
            # The provider refused the session's tokens and the role check ended it: its other tabs too.
            end_tabs_soon([key])
    _remember(key, identity)
    return identity


def _remember(key: str, identity: StaffIdentity | None) -> None:
    # Every cookie sent is a key, forged ones too: drop stale answers before the cache can grow.
    now = time.monotonic()
    if len(_cache) >= MAX_CACHED:
        for stale in [k for k, (checked, _) in _cache.items() if now - checked >= CACHE_SECONDS]:
            del _cache[stale]
        if len(_cache) >= MAX_CACHED:
            _cache.clear()
    _cache[key] = (now, identity)


async def still_live(session_id: str) -> bool:
    """Whether the session may still act, straight from the store (asked every second by work that
    outlives an event: background tasks, downloads). A store that does not answer counts as ended."""
    now, policy = datetime.now(UTC), session_policy(get_settings())
    try:
        return await in_session(
            lambda session: is_live(session=session, session_id=session_id, now=now, policy=policy)
        )
    except SQLAlchemyError:
        return False
