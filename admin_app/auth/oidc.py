"""The OpenID Connect client (Authlib): plain standards OIDC, so Okta or any conformant issuer works."""

from functools import lru_cache
from urllib.parse import urlsplit

from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

from admin_app.auth.permissions import parse_role_groups, roles_for_groups
from admin_app.settings import Settings

DEFAULT_AFTER_SIGN_IN = "/licenses"


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
    """`iss` must be exactly the configured issuer; `aud`, `exp`, `iat` and `nonce` are checked by Authlib."""
    return {"iss": {"essential": True, "value": settings.OIDC_ISSUER}}


def safe_next(value: str | None) -> str:
    """A path on this app to return to after sign-in; anything else (another host, a scheme) is dropped."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return DEFAULT_AFTER_SIGN_IN
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in value):
        return DEFAULT_AFTER_SIGN_IN
    return value


def roles_from_claims(claims: dict, settings: Settings) -> tuple[str, ...]:
    """The staff roles the ID token's groups claim grants."""
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    return roles_for_groups([str(g) for g in groups], parse_role_groups(settings.ROLE_GROUPS))
