"""HTTP routes of the sign-in flow: /auth/login, /auth/callback, /auth/logout, /auth/signed-out."""

import html
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.jose.errors import JoseError
from joserfc.errors import JoseError as SignatureError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from admin_app.auth.identity import forget, session_cookie_name, session_policy, token_from_cookie_header
from admin_app.auth.oidc import id_token_claims_options, oidc_client, roles_from_claims, safe_next
from admin_app.db.auth_events import record_auth_event
from admin_app.db.models import StaffSession
from admin_app.db.session import in_session
from admin_app.db.staff_sessions import end_session, start_session
from admin_app.settings import get_settings

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} · Customer Admin</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0;
color-scheme:light dark}}main{{max-width:32rem;padding:2rem;border:1px solid #8884;border-radius:12px}}
a.button{{display:inline-block;margin-top:1rem;padding:.6rem 1rem;border-radius:8px;background:#3e46e0;
color:#fff;text-decoration:none}}</style></head><body><main><h1>{title}</h1><p>{message}</p>
<a class="button" href="{link}">{link_text}</a></main></body></html>"""


def page(title: str, message: str, link: str, link_text: str, status: int = 200) -> HTMLResponse:
    text = PAGE.format(
        title=html.escape(title),
        message=html.escape(message),
        link=html.escape(link),
        link_text=html.escape(link_text),
    )
    return HTMLResponse(text, status_code=status, headers={"Cache-Control": "no-store"})


def _client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def _provider_down(settings) -> HTMLResponse:
    return page(
        "Sign-in is unavailable",
        f"{settings.OIDC_PROVIDER_NAME} is not answering right now. Nothing was changed;"
        " try again in a minute.",
        "/auth/login",
        "Try again",
        status=503,
    )


async def _record(kind: str, request: Request, **fields) -> None:
    address = _client_address(request)
    await in_session(
        lambda session: record_auth_event(
            session=session, kind=kind, at=datetime.now(UTC), client_address=address, **fields
        )
    )


async def login(request: Request) -> Response:
    """Send the browser to the issuer (authorization code + PKCE S256, state and nonce in the session)."""
    settings = get_settings()
    request.session.clear()
    request.session["next"] = safe_next(request.query_params.get("next"))
    try:
        return await oidc_client(settings).authorize_redirect(
            request, settings.APP_URL.rstrip("/") + "/auth/callback"
        )
    except httpx.HTTPError:
        return _provider_down(settings)


async def _failed(request: Request, reason: str, status: int = 400) -> HTMLResponse:
    await _record("sign_in_failed", request, detail=reason)
    request.session.clear()
    return page(
        "Sign-in failed",
        f"The sign-in could not be completed ({reason}). Please try again.",
        "/auth/login",
        "Sign in again",
        status=status,
    )


async def callback(request: Request) -> Response:
    """Check the issuer's answer and the ID token, open a server-side session, set its cookie."""
    settings = get_settings()
    if "error" in request.query_params:
        return await _failed(request, f"the identity provider said {request.query_params['error'][:60]}")
    client = oidc_client(settings)
    try:
        token = await client.authorize_access_token(request, claims_options=id_token_claims_options(settings))
    except MismatchingStateError:
        return await _failed(request, "bad state")
    except (JoseError, SignatureError) as error:
        return await _failed(request, f"invalid token: {error.error}")
    except OAuthError as error:
        return await _failed(request, f"{error.error}"[:80])
    except httpx.HTTPError:
        return _provider_down(settings)
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        return await _failed(request, "no ID token")
    subject, email = str(claims["sub"]), str(claims.get("email") or "")
    name = str(claims.get("name") or email or subject)
    roles = roles_from_claims(claims, settings)
    next_path = request.session.get("next") or "/licenses"
    request.session.clear()
    now, address = datetime.now(UTC), _client_address(request)

    def open_session(session) -> str:
        session_token = start_session(
            session=session,
            subject=subject,
            email=email,
            name=name,
            roles=roles,
            id_token=token.get("id_token"),
            client_address=address,
            now=now,
            policy=session_policy(settings),
        )
        record_auth_event(
            session=session,
            kind="sign_in" if roles else "sign_in_failed",
            at=now,
            email=email,
            subject=subject,
            client_address=address,
            detail=",".join(roles) if roles else "no role",
        )
        return session_token

    session_token = await in_session(open_session)
    response = RedirectResponse(next_path if roles else "/no-access", status_code=303)
    response.set_cookie(
        session_cookie_name(settings),
        session_token,
        max_age=settings.SESSION_ABSOLUTE_HOURS * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


async def logout(request: Request) -> Response:
    """Revoke the server session, clear the cookie, and end the issuer's session when it supports that."""
    settings = get_settings()
    token = token_from_cookie_header(request.headers.get("cookie", ""), settings)
    address = _client_address(request)

    def sign_out(session) -> StaffSession | None:
        ended = end_session(session=session, token=token, now=datetime.now(UTC))
        if ended:
            record_auth_event(
                session=session,
                kind="sign_out",
                at=datetime.now(UTC),
                email=ended.email,
                subject=ended.subject,
                client_address=address,
            )
        return ended

    ended = await in_session(sign_out)
    forget(token)
    signed_out = settings.APP_URL.rstrip("/") + "/auth/signed-out"
    target = "/auth/signed-out"
    try:
        metadata = await oidc_client(settings).load_server_metadata()
    except httpx.HTTPError:
        metadata = {}
    if ended and ended.id_token and metadata.get("end_session_endpoint"):
        query = urlencode({"id_token_hint": ended.id_token, "post_logout_redirect_uri": signed_out})
        target = f"{metadata['end_session_endpoint']}?{query}"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(
        session_cookie_name(settings), path="/", secure=settings.secure_cookies, httponly=True
    )
    return response


async def signed_out(request: Request) -> HTMLResponse:
    provider = get_settings().OIDC_PROVIDER_NAME
    return page(
        "You are signed out",
        "Your session in Customer Admin has ended.",
        "/auth/login",
        f"Sign in with {provider}",
    )


AUTH_ROUTES = [
    Route("/auth/login", login),
    Route("/auth/callback", callback),
    Route("/auth/logout", logout, methods=["GET", "POST"]),
    Route("/auth/signed-out", signed_out),
]
