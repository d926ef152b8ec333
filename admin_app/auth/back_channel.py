"""OpenID Connect Back-Channel Logout 1.0: the provider tells the app, server to server, that a person
signed out there or was switched off; the app ends their sessions at once.

Authlib has no helper for logout tokens; they are checked here with the same JOSE library and the same
pinned algorithms as ID tokens (OpenID Connect Back-Channel Logout 1.0, section 2.6)."""

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx2
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from admin_app.auth.client_address import of_request
from admin_app.auth.identity import forget_session
from admin_app.auth.oidc import oidc_client
from admin_app.auth.tabs import end_tabs
from admin_app.db.session import in_session
from admin_app.db.staff.auth_events import record_auth_event
from admin_app.db.staff.sessions import end_sessions_of, first_use_of_logout_token
from admin_app.settings import Settings, get_settings
from admin_app.web.request_limits import bounded_body

logger = logging.getLogger(__name__)
BACK_CHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# A logout token older than this is refused; its `jti` is remembered this long, so a replay fails.
MAX_AGE = timedelta(minutes=10)
LEEWAY_S = 60
MAX_TOKEN_LENGTH = 16_000
# The form is `logout_token=<JWT>`: the token's limit and room for the field name and escapes.
MAX_BODY_BYTES = 2 * MAX_TOKEN_LENGTH
KEY_REFETCH_EVERY_S = 60.0


class InvalidLogoutToken(ValueError):
    """A logout token that must not end anyone's session; the message says which check failed."""


def check_logout_claims(
    claims: Mapping[str, object], *, issuer: str, client_id: str, now: datetime
) -> tuple[str | None, str | None, str]:
    """(sub, sid, jti) of a valid logout token's claims, or InvalidLogoutToken."""
    registry = jwt.JWTClaimsRegistry(
        now=int(now.timestamp()),
        leeway=LEEWAY_S,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        iat={"essential": True},
        jti={"essential": True},
    )
    try:
        registry.validate(dict(claims))
    except JoseError as error:
        raise InvalidLogoutToken(f"{error.error}: {error.description}") from error
    events = claims.get("events")
    if not isinstance(events, Mapping) or not isinstance(events.get(BACK_CHANNEL_EVENT), Mapping):
        raise InvalidLogoutToken("no back-channel logout event")
    if "nonce" in claims:
        raise InvalidLogoutToken("a logout token must not carry a nonce")
    sub, sid = claims.get("sub"), claims.get("sid")
    if not (isinstance(sub, str) and sub) and not (isinstance(sid, str) and sid):
        raise InvalidLogoutToken("neither sub nor sid")
    iat = claims.get("iat")
    if not isinstance(iat, int | float):
        raise InvalidLogoutToken("no issue time")
    issued = datetime.fromtimestamp(iat, UTC)
    if now - issued > MAX_AGE:
        raise InvalidLogoutToken("issued too long ago")
    jti = str(claims["jti"])
    if not jti or len(jti) > 255:
        raise InvalidLogoutToken("unusable jti")
    return (
        (sub if isinstance(sub, str) and sub else None),
        (sid if isinstance(sid, str) and sid else None),
        jti,
    )


class KeyRefetches:
    """When a token names a key id we do not have, the provider may have rotated its keys; but anyone can
    post such a token, so the keys are fetched again at most once per `every_s` in this process."""

    def __init__(self, every_s: float = KEY_REFETCH_EVERY_S, clock: Callable[[], float] = time.monotonic):
        self.every_s = every_s
        self.clock = clock
        self.last: float | None = None

    def allowed(self) -> bool:
        now = self.clock()
        if self.last is not None and now - self.last < self.every_s:
            return False
        self.last = now
        return True


key_refetches = KeyRefetches()


async def _verified_claims(value: str, settings: Settings) -> dict:
    """The token's claims once its signature checks out against the issuer's keys (pinned algorithms)."""
    client = oidc_client(settings)
    registry = JWSRegistry(algorithms=settings.id_token_algorithms)
    try:
        keys = KeySet.import_key_set(await client.fetch_jwk_set())
        return jwt.decode(value, keys, registry=registry).claims
    except InvalidKeyIdError:
        if not key_refetches.allowed():
            raise
        keys = KeySet.import_key_set(await client.fetch_jwk_set(force=True))
        return jwt.decode(value, keys, registry=registry).claims


def _bad_request(why: str) -> JSONResponse:
    logger.warning("back-channel logout refused: %s", why)
    return JSONResponse(
        {"error": "invalid_request", "error_description": why},
        status_code=400,
        headers={"Cache-Control": "no-store"},
    )


async def back_channel_logout(request: Request) -> Response:
    """POST logout_token=<JWT> from the provider: end the sessions it names."""
    settings = get_settings()
    body = await bounded_body(request, MAX_BODY_BYTES)
    if body is None:
        return PlainTextResponse(f"The request body is larger than {MAX_BODY_BYTES} bytes.", 413)
    values = parse_qs(body.decode("ascii", errors="replace")).get("logout_token", [])
    value = values[0] if len(values) == 1 else ""
    if not value or len(value) > MAX_TOKEN_LENGTH:
        return _bad_request("no logout_token")
    now = datetime.now(UTC)
    try:
        claims = await _verified_claims(value, settings)
        sub, sid, jti = check_logout_claims(
            claims, issuer=settings.OIDC_ISSUER, client_id=settings.OIDC_CLIENT_ID, now=now
        )
    except InvalidLogoutToken as error:
        return _bad_request(str(error))
    except JoseError as error:
        return _bad_request(f"invalid token: {error.error}")
    except httpx2.HTTPError:
        return JSONResponse({"error": "temporarily_unavailable"}, status_code=503)
    address = of_request(request)

    def end(session) -> list[str] | None:
        if not first_use_of_logout_token(session=session, jti=jti, keep_until=now + MAX_AGE + MAX_AGE):
            return None
        ended = end_sessions_of(session=session, now=now, subject=sub, sid=sid)
        for row in ended:
            record_auth_event(
                session=session,
                kind="session_ended",
                at=now,
                email=row.email,
                subject=row.subject,
                client_address=address,
                detail="back-channel logout from the identity provider",
            )
        return [row.id for row in ended]

    ended = await in_session(end)
    if ended is None:
        return _bad_request("logout token already used")
    for session_id in ended:
        forget_session(session_id)
    await end_tabs(ended)
    return JSONResponse({}, headers={"Cache-Control": "no-store"})
