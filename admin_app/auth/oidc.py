"""The OpenID Connect client (Authlib): plain standards OIDC, so Okta or any conformant issuer works."""

from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import urlsplit

from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

from admin_app.auth.permissions import parse_role_groups, roles_for_groups
from admin_app.settings import Settings

# The start page, which sends each role on to the page it uses most (permissions.start_page).
DEFAULT_AFTER_SIGN_IN = "/"


@lru_cache(maxsize=4)
def _client(issuer: str, client_id: str, client_secret: str, scopes: str) -> StarletteOAuth2App:
    oauth = OAuth()
    return oauth.register(
        name="idp",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": scopes, "code_challenge_method": "S256"},
    )


def oidc_client(settings: Settings) -> StarletteOAuth2App:
    """The client for the configured issuer (discovery and JWKS are fetched and cached by Authlib)."""
    return _client(
        settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET, settings.OIDC_SCOPES
    )


def id_token_claims_options(settings: Settings) -> dict:
    """`iss` must be exactly the configured issuer; `exp`, `iat` and `nonce` are checked by Authlib, `aud`
    by `names_this_client` as well (Authlib also accepts a foreign `aud` when `azp` names this client)."""
    return {"iss": {"essential": True, "value": settings.OIDC_ISSUER}}


def names_this_client(claims: Mapping[str, object], settings: Settings) -> bool:
    """The ID token's `aud` (a string or a list) contains this app's client id."""
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    return settings.OIDC_CLIENT_ID in audiences


async def pin_signing_algorithms(client: StarletteOAuth2App, settings: Settings) -> None:
    """ID tokens are verified with the configured algorithms only, whatever discovery advertises."""
    metadata = await client.load_server_metadata()
    metadata["id_token_signing_alg_values_supported"] = settings.id_token_algorithms


def lacks_identity_claims(claims: Mapping[str, object], settings: Settings) -> bool:
    """A thin ID token (allowed by OpenID Connect) leaves email, name or groups to the userinfo endpoint."""
    return any(not claims.get(name) for name in ("email", "name", settings.OIDC_GROUPS_CLAIM))


def trusted_end_session_endpoint(metadata: Mapping[str, object], issuer: str) -> str | None:
    """The provider's `end_session_endpoint` when it is https on the issuer's host or on the configured
    issuer's own origin (the development provider's plain http); None otherwise. The browser is sent
    there at sign-out, so a `javascript:` or foreign URL in discovery must never be followed."""
    endpoint = metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    try:
        target, configured = urlsplit(endpoint), urlsplit(issuer)
        same_origin = (target.scheme, target.netloc) == (configured.scheme, configured.netloc)
        https_on_issuer_host = target.scheme == "https" and target.hostname == configured.hostname
    except ValueError:
        return None
    if target.hostname and (same_origin or https_on_issuer_host):
        return endpoint
    return None


def safe_next(value: str | None) -> str:
    """A path on this app to return to after sign-in; anything else (another host, a scheme) is dropped."""
    # A path that starts with one "/" and holds no backslash has no scheme and no host to send anyone to.
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return DEFAULT_AFTER_SIGN_IN
    return DEFAULT_AFTER_SIGN_IN if any(ord(c) < 32 for c in value) else value


def roles_from_claims(claims: Mapping[str, object], settings: Settings) -> tuple[str, ...]:
    """The staff roles the ID token's groups claim grants."""
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list | tuple):
        return ()
    return roles_for_groups([str(g) for g in groups], parse_role_groups(settings.ROLE_GROUPS))
