"""An OpenID provider whose ID tokens the test chooses, served over real HTTP (for the negative cases).

The real provider process cannot be made to sign a token for the wrong audience, expired, with a
bad signature or the wrong nonce; this one can, with keys the test owns. It enforces PKCE (S256),
which the provider process does not check.
"""

import base64
import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import unquote, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route


@dataclass
class Issuer:
    """The issuer's state; tests change `overrides`, `signing_key` and `published_keys` between sign-ins."""

    url: str
    signing_key: RSAKey
    published_keys: list[RSAKey]
    overrides: dict = field(default_factory=dict)
    nonces: dict[str, str] = field(default_factory=dict)
    # PKCE (RFC 7636): code -> the S256 challenge its authorization request carried.
    challenges: dict[str, str] = field(default_factory=dict)
    # Thin ID tokens: when set, email, name and groups are left out of the ID token and the userinfo
    # endpoint answers these claims instead (as OpenID Connect allows).
    userinfo: dict | None = None
    # The key the ID token is signed with, when not the RS256 signing key (an EC key for ES256).
    other_key: object = None
    # A forged ID token instead of a signed one: "none" (alg none, no signature) or "hs256-public-key"
    # (HMAC keyed with the issuer's public RSA key, the classic key-confusion attack).
    forge: str = ""
    # Extra fields of the discovery document (an end_session_endpoint, say).
    discovery_extra: dict = field(default_factory=dict)
    # What the userinfo endpoint answers a valid access token with, when not 200 (401: the token was
    # revoked at the provider).
    userinfo_status: int = 200
    # How many times the JWKS has been fetched.
    jwks_requests: int = 0
    # An error code the token endpoint answers a valid code with (an OAuth error from the provider).
    token_error: str = ""
    # The refresh token the token endpoint honours (one use: each refresh answers a new one), when set.
    refresh_token: str = ""

    def id_token(self, code: str, client_id: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": client_id,
            "sub": "sales@example.com",
            "email": "sales@example.com",
            "name": "Sam Sales",
            "groups": ["customer-admin-sales"],
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonces.pop(code, ""),
        }
        if self.userinfo is not None:
            for name in ("email", "name", "groups"):
                del claims[name]
        claims.update(self.overrides)
        # An override of None leaves the claim out altogether.
        claims = {name: value for name, value in claims.items() if value is not None}
        if self.forge:
            return _forged(self.forge, claims, self.signing_key)
        if self.other_key is not None:
            header = {"alg": "ES256", "kid": self.other_key.kid}
            return jwt.encode(header, claims, self.other_key)
        header = {"alg": "RS256", "kid": self.signing_key.kid}
        return jwt.encode(header, claims, self.signing_key)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forged(kind: str, claims: dict, key: RSAKey) -> str:
    """A token no honest issuer makes, written by hand so no library refuses to make it."""
    alg = {"none": "none", "hs256-public-key": "HS256"}[kind]
    signing_input = (
        f"{_b64(json.dumps({'alg': alg, 'kid': key.kid}).encode())}.{_b64(json.dumps(claims).encode())}"
    )
    if kind == "none":
        return signing_input + "."
    public_pem = key.as_pem(private=False)
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def _s256(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode()).digest())


def new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid}, private=True)


def _client_id(request: Request, form) -> str:
    """The client authenticates with client_secret_basic (or posts its id)."""
    authorization = request.headers.get("authorization", "")
    if authorization.startswith("Basic "):
        return unquote(base64.b64decode(authorization[6:]).decode().split(":", 1)[0])
    return str(form.get("client_id", ""))


def _refreshed(issuer: Issuer, refresh_token: str) -> JSONResponse:
    """A refresh rotates the refresh token, as providers with rotation do: the old one is spent."""
    if not issuer.refresh_token or refresh_token != issuer.refresh_token:
        return JSONResponse({"error": "invalid_grant"}, status_code=400)
    issuer.refresh_token = secrets.token_urlsafe(16)
    return JSONResponse(
        {
            "access_token": "at",
            "token_type": "Bearer",
            "expires_in": 300,
            "refresh_token": issuer.refresh_token,
        }
    )


def _app(issuer: Issuer) -> Starlette:
    async def discovery(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": issuer.url,
                "authorization_endpoint": f"{issuer.url}/authorize",
                "token_endpoint": f"{issuer.url}/token",
                "jwks_uri": f"{issuer.url}/jwks",
                "userinfo_endpoint": f"{issuer.url}/userinfo",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256", "HS256"],
                **issuer.discovery_extra,
            }
        )

    async def jwks(request: Request) -> JSONResponse:
        issuer.jwks_requests += 1
        keys = [*issuer.published_keys, *([issuer.other_key] if issuer.other_key else [])]
        return JSONResponse({"keys": [key.as_dict(private=False) for key in keys]})

    async def userinfo(request: Request) -> JSONResponse:
        if request.headers.get("authorization") != "Bearer at":
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        if issuer.userinfo_status != 200:
            return JSONResponse({"error": "invalid_token"}, status_code=issuer.userinfo_status)
        return JSONResponse({"sub": "sales@example.com", **(issuer.userinfo or {})})

    async def authorize(request: Request) -> RedirectResponse:
        code = secrets.token_urlsafe(16)
        issuer.nonces[code] = request.query_params.get("nonce", "")
        if request.query_params.get("code_challenge_method") == "S256":
            issuer.challenges[code] = request.query_params.get("code_challenge", "")
        query = urlencode({"code": code, "state": request.query_params["state"]})
        return RedirectResponse(f"{request.query_params['redirect_uri']}?{query}", status_code=302)

    async def token(request: Request) -> JSONResponse:
        form = await request.form()
        if form.get("grant_type") == "refresh_token":
            return _refreshed(issuer, str(form.get("refresh_token", "")))
        # PKCE is enforced, as Okta does for a client that started with a challenge: without S256 and
        # the verifier that hashes to the challenge, the code is worthless.
        challenge = issuer.challenges.pop(str(form.get("code", "")), None)
        if challenge is None or _s256(str(form.get("code_verifier", ""))) != challenge:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        if issuer.token_error:
            return JSONResponse({"error": issuer.token_error}, status_code=400)
        id_token = issuer.id_token(str(form["code"]), _client_id(request, form))
        return JSONResponse(
            {"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        )

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery),
            Route("/jwks", jwks),
            Route("/authorize", authorize),
            Route("/token", token, methods=["POST"]),
            Route("/userinfo", userinfo),
        ]
    )


@contextmanager
def fake_issuer() -> Iterator[Issuer]:
    """Serve a fresh issuer for the duration of the block, on a port it binds itself and keeps (no
    window between choosing a free port and listening on it for another process to take it)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    key = new_key("key-1")
    issuer = Issuer(url=f"http://127.0.0.1:{port}", signing_key=key, published_keys=[key])
    server = uvicorn.Server(uvicorn.Config(_app(issuer), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield issuer
    finally:
        # Without force_exit it waits for the keep-alive connections the app's HTTP client holds open.
        server.should_exit = server.force_exit = True
        thread.join(timeout=10)
        listener.close()
