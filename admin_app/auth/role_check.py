"""Roles follow the identity provider during a session, not only at sign-in.

Every ROLE_RECHECK_MINUTES of use, a session's groups are read again: with its refresh token when the
provider issued one, else from userinfo with its access token. A removed group takes the role away at
the next event; a refused refresh or access token ends the session. Both go to the sign-in audit. A
provider that does not answer leaves the roles as they were until the next check.
"""

import dataclasses
import logging
from datetime import UTC, datetime, timedelta

import httpx2
from authlib.integrations.base_client.errors import OAuthError

from admin_app.auth.oidc import oidc_client, roles_from_claims
from admin_app.auth.sealed import seal, unseal
from admin_app.db.session import in_session
from admin_app.db.staff.auth_events import record_auth_event
from admin_app.db.staff.sessions import (
    ProviderTokens,
    StaffIdentity,
    claim_role_check,
    revoke_session,
    update_roles,
)
from admin_app.settings import Settings, get_settings

logger = logging.getLogger(__name__)


class ProviderRefused(Exception):
    """The provider no longer accepts this session's tokens (revoked, signed out, user disabled)."""


def is_due(identity: StaffIdentity, now: datetime, settings: Settings) -> bool:
    every = timedelta(minutes=settings.ROLE_RECHECK_MINUTES)
    return identity.roles_checked_at is None or now - identity.roles_checked_at >= every


async def _ask_provider(subject: str, tokens: ProviderTokens, settings: Settings) -> tuple[dict, dict]:
    """(the provider's current claims, the tokens to keep): refresh first if we can, then userinfo."""
    client = oidc_client(settings)
    token = {"access_token": unseal(tokens.access_token), "token_type": "Bearer"}
    refresh_token = unseal(tokens.refresh_token)
    if refresh_token:
        try:
            token = await client.fetch_access_token(grant_type="refresh_token", refresh_token=refresh_token)
        except OAuthError as error:
            raise ProviderRefused(f"refresh refused: {error.error}") from error
    if not token.get("access_token"):
        raise ProviderRefused("no token to ask with")
    try:
        claims = dict(await client.userinfo(token=token))
    except httpx2.HTTPStatusError as error:
        if error.response.status_code < 500:
            raise ProviderRefused(f"userinfo answered {error.response.status_code}") from error
        raise
    if str(claims.get("sub")) != subject:
        raise ProviderRefused("userinfo is about another subject")
    return claims, token


async def current_roles(identity: StaffIdentity, client_address: str = "") -> StaffIdentity | None:
    """`identity` with the roles the provider grants now (when a check is due); None when the
    provider refused and the session has ended."""
    settings = get_settings()
    now = datetime.now(UTC)
    if not is_due(identity, now, settings):
        return identity
    every = timedelta(minutes=settings.ROLE_RECHECK_MINUTES)
    tokens = await in_session(
        lambda session: claim_role_check(
            session=session, session_id=identity.session_id, now=now, every=every
        )
    )
    if tokens is None:
        return identity
    try:
        claims, token = await _ask_provider(identity.subject, tokens, settings)
    except ProviderRefused as refusal:
        await _end(identity, str(refusal), client_address)
        return None
    except (httpx2.HTTPError, OAuthError):
        logger.warning("the identity provider did not answer a role check; roles kept until the next one")
        return identity
    roles = roles_from_claims(claims, settings)
    kept = ProviderTokens(
        access_token=seal(token.get("access_token")), refresh_token=seal(token.get("refresh_token"))
    )

    def store(session) -> None:
        previous = update_roles(session=session, session_id=identity.session_id, roles=roles, tokens=kept)
        if previous is not None:
            record_auth_event(
                session=session,
                kind="roles_changed",
                at=now,
                email=identity.email,
                subject=identity.subject,
                client_address=client_address,
                detail=f"{previous or 'no role'} → {','.join(roles) or 'no role'} (identity provider)",
            )

    await in_session(store)
    return dataclasses.replace(identity, roles=roles, roles_checked_at=now)


async def _end(identity: StaffIdentity, why: str, client_address: str) -> None:
    def end(session) -> None:
        now = datetime.now(UTC)
        if revoke_session(session=session, session_id=identity.session_id, now=now):
            record_auth_event(
                session=session,
                kind="session_ended",
                at=now,
                email=identity.email,
                subject=identity.subject,
                client_address=client_address,
                detail=f"identity provider: {why}",
            )

    await in_session(end)
