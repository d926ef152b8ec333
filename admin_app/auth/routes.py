"""HTTP routes of the sign-in flow: /auth/login, /auth/callback, /auth/logout, /auth/signed-out."""

import html
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import httpx2
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from admin_app.auth.back_channel import back_channel_logout
from admin_app.auth.client_address import of_request
from admin_app.auth.gate import record_refusal
from admin_app.auth.identity import forget, session_cookie_name, session_policy, token_from_cookie_header
from admin_app.auth.oidc import (
    DEFAULT_AFTER_SIGN_IN,
    id_token_claims_options,
    lacks_identity_claims,
    names_this_client,
    oidc_client,
    pin_signing_algorithms,
    roles_from_claims,
    safe_next,
    trusted_end_session_endpoint,
)
from admin_app.auth.sealed import seal
from admin_app.auth.tabs import end_tabs
from admin_app.db.models import StaffSession
from admin_app.db.session import in_session
from admin_app.db.staff.auth_events import record_auth_event
from admin_app.db.staff.sessions import ProviderTokens, end_session, purge_sessions, start_session
from admin_app.settings import get_settings

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} · Customer Admin</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>:root{{color-scheme:light dark}}
body{{font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0}}
main{{max-width:32rem;padding:2rem;border:1px solid #8884;border-radius:12px}}
.button{{display:inline-block;margin-top:1rem;padding:.6rem 1rem;border:0;border-radius:8px;
background:#3e46e0;color:#fff;text-decoration:none;font:inherit;cursor:pointer}}</style>{head}</head>
<body><main><h1>{title}</h1><p>{message}</p>{action}</main></body></html>"""
SIGN_OUT_BUTTON = (
    '<form method="post" action="/auth/logout"><button class="button" type="submit" autofocus>'
    "Sign out</button></form>"
)
# After the session is revoked the tab forgets its Reflex token, so a new sign-in in this tab starts
# from an empty state; then on to the provider's sign-out.
FORGET_TAB_AND_GO = (
    '<script>window.sessionStorage.removeItem("token");window.location.replace({target});</script>'
)


def page(
    title: str, message: str, link: str, link_text: str, status: int = 200, head: str = ""
) -> HTMLResponse:
    text = PAGE.format(
        title=html.escape(title),
        message=html.escape(message),
        action=f'<a class="button" href="{html.escape(link)}">{html.escape(link_text)}</a>',
        head=head,
    )
    return HTMLResponse(text, status_code=status, headers={"Cache-Control": "no-store"})


def sign_out_question(message: str, status: int = 200) -> HTMLResponse:
    text = PAGE.format(title="Sign out", message=html.escape(message), action=SIGN_OUT_BUTTON, head="")
    return HTMLResponse(text, status_code=status, headers={"Cache-Control": "no-store"})


def from_this_app(request: Request, app_url: str) -> bool:
    """A state-changing request must come from the app's own pages: its Origin (or, without one, its
    Referer) is the app's origin. A cross-site form or link cannot pass."""
    expected = urlsplit(app_url)
    sent = request.headers.get("origin") or request.headers.get("referer") or ""
    origin = urlsplit(sent)
    return (origin.scheme, origin.netloc) == (expected.scheme, expected.netloc)


def _provider_down(settings) -> HTMLResponse:
    return page(
        "Sign-in is unavailable",
        f"{settings.OIDC_PROVIDER_NAME} is not answering right now. Nothing was changed;"
        " try again in a minute.",
        "/auth/login",
        "Try again",
        status=503,
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
    except httpx2.HTTPError:
        return _provider_down(settings)


async def _with_userinfo(client, token: dict, claims: dict) -> dict | None:
    """The ID token's claims completed from the userinfo endpoint; None when userinfo is about another
    `sub` (OpenID Connect Core 5.3.2). The ID token's own values win."""
    extra = dict(await client.userinfo(token=token))
    if str(extra.get("sub")) != str(claims["sub"]):
        return None
    return {**extra, **{name: value for name, value in claims.items() if value}}


# The error codes an authorization response may carry (RFC 6749 4.1.2.1, OpenID Connect Core 3.1.2.6).
# Anyone can call the callback with any `error`: the audit and the page name only these.
PROVIDER_ERRORS = frozenset(
    {
        "invalid_request",
        "unauthorized_client",
        "access_denied",
        "unsupported_response_type",
        "invalid_scope",
        "server_error",
        "temporarily_unavailable",
        "interaction_required",
        "login_required",
        "account_selection_required",
        "consent_required",
        "invalid_request_uri",
        "invalid_request_object",
        "request_not_supported",
        "request_uri_not_supported",
        "registration_not_supported",
    }
)


def provider_error(error: str) -> str:
    """The reason a callback with `error` failed, in the standard's words or as an unnamed error."""
    if error in PROVIDER_ERRORS:
        return f"the identity provider said {error}"
    return "the identity provider sent an error the standard does not name"


async def _failed(request: Request, reason: str, status: int = 400) -> HTMLResponse:
    # Counted per client and minute, not a row per request: the callback is reachable by anyone.
    await record_refusal("", of_request(request), reason, kind="sign_in_failed")
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
        return await _failed(request, provider_error(request.query_params["error"]))
    client = oidc_client(settings)
    try:
        await pin_signing_algorithms(client, settings)
        token = await client.authorize_access_token(request, claims_options=id_token_claims_options(settings))
        claims = dict(token.get("userinfo") or {})
        if claims.get("sub") and lacks_identity_claims(claims, settings):
            completed = await _with_userinfo(client, token, claims)
            if completed is None:
                return await _failed(request, "userinfo is about another subject")
            claims = completed
    except MismatchingStateError:
        return await _failed(request, "bad state")
    except JoseError as error:
        return await _failed(request, f"invalid token: {error.error}")
    except OAuthError as error:
        return await _failed(request, f"{error.error}"[:80])
    except httpx2.HTTPError:
        return _provider_down(settings)
    if not claims.get("sub"):
        return await _failed(request, "no ID token")
    if not names_this_client(claims, settings):
        return await _failed(request, "invalid token: aud does not name this app")
    subject, email = str(claims["sub"]), str(claims.get("email") or "").strip()
    if not email:
        # Every change is recorded with who made it: nobody without an email may work here.
        return await _failed(request, "no email address from the identity provider")
    name = str(claims.get("name") or email)
    roles = roles_from_claims(claims, settings)
    next_path = request.session.get("next") or DEFAULT_AFTER_SIGN_IN
    request.session.clear()
    now, address = datetime.now(UTC), of_request(request)

    replaced = token_from_cookie_header(request.headers.get("cookie", ""), settings)

    def open_session(session) -> str:
        # The browser's earlier session (perhaps another person's) ends: its cookie is being replaced.
        end_session(session=session, token=replaced, now=now)
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
            provider=ProviderTokens(
                sid=str(claims["sid"])[:255] if claims.get("sid") else None,
                access_token=seal(token.get("access_token")),
                refresh_token=seal(token.get("refresh_token")),
            ),
        )
        # Sign-ins are frequent enough to keep the store short: ended and expired sessions go.
        purge_sessions(session=session, now=now, retention=timedelta(days=settings.SESSION_RETENTION_DAYS))
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
    forget(replaced)
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
    """GET asks (a link elsewhere cannot sign anyone out); a POST from the app's own page revokes the
    server session, clears the cookie and the tab's token, and ends the issuer's session when it can."""
    settings = get_settings()
    if request.method != "POST":
        return sign_out_question("Sign out of Customer Admin?")
    if not from_this_app(request, settings.APP_URL):
        return sign_out_question("That sign-out did not come from Customer Admin. Sign out here?", 403)
    token = token_from_cookie_header(request.headers.get("cookie", ""), settings)
    address = of_request(request)

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
    if ended:
        # The session's other tabs are sent to sign in; this one left (Reflex closes it on beforeunload).
        await end_tabs([ended.id])
    signed_out = settings.APP_URL.rstrip("/") + "/auth/signed-out"
    target = "/auth/signed-out"
    try:
        metadata = await oidc_client(settings).load_server_metadata()
    except httpx2.HTTPError:
        metadata = {}
    end_session_endpoint = trusted_end_session_endpoint(metadata, settings.OIDC_ISSUER)
    if ended and ended.id_token and end_session_endpoint:
        query = urlencode({"id_token_hint": ended.id_token, "post_logout_redirect_uri": signed_out})
        target = f"{end_session_endpoint}?{query}"
    script_target = json.dumps(target).replace("<", "\\u003c")
    response = page(
        "Signing out",
        "Your session in Customer Admin has ended.",
        target,
        "Continue",
        head=FORGET_TAB_AND_GO.format(target=script_target),
    )
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
    Route("/auth/backchannel-logout", back_channel_logout, methods=["POST"]),
]
