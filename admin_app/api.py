"""HTTP routes beside the Reflex app (mounted through rx.App(api_transformer=...))."""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from admin_app.activations_api import activate
from admin_app.auth.client_address import of_request
from admin_app.auth.gate import record_refusal
from admin_app.auth.identity import identity_for_cookie_header
from admin_app.auth.permissions import Permission, is_allowed
from admin_app.auth.routes import AUTH_ROUTES
from admin_app.db.auth_events import record_auth_event
from admin_app.db.license_files import license_file_text
from admin_app.db.models import License
from admin_app.db.outbox import apply_delivery_event
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.db.staff_sessions import StaffIdentity
from admin_app.exports import EXPORTS, Export, export_csv
from admin_app.health import check_health
from admin_app.license_key import signing_key
from admin_app.mailer import event_is_genuine
from admin_app.settings import get_settings


def export_route(export: Export) -> Callable[[Request], Awaitable[Response]]:
    """The route of one export: the list's read permission and `export` are both needed."""

    async def route(request: Request) -> Response:
        identity = await authorized(request, export.read_permission, Permission.EXPORT)
        if isinstance(identity, Response):
            return identity
        return await export_csv(request, export, identity)

    return route


async def license_file(request: Request) -> Response:
    """A license as a file signed by the app's license key; each download is in the audit trail."""
    identity = await authorized(request, Permission.LICENSE_FILES)
    if isinstance(identity, Response):
        return identity
    license_id = request.path_params["license_id"]
    address = of_request(request)

    def sign_and_record(session) -> str | None:
        found = session.get(License, license_id) if 0 < license_id < 2**63 else None
        if found is None:
            return None
        record_auth_event(
            session=session,
            kind="license_file",
            at=datetime.now(UTC),
            email=identity.email,
            client_address=address,
            detail=f"license {found.id} ({found.company}, {found.email}) downloaded",
        )
        return license_file_text(found, signing_key())

    try:
        text = await in_session(sign_and_record)
    except SQLAlchemyError:
        return PlainTextResponse(DATABASE_UNAVAILABLE, status_code=503)
    if text is None:
        return PlainTextResponse(f"There is no license {license_id}.", status_code=404)
    return PlainTextResponse(
        text,
        headers={
            "Content-Disposition": f'attachment; filename="license-{license_id}.txt"',
            "Cache-Control": "no-store",
        },
    )


async def mail_events(request: Request) -> Response:
    """Delivery reports from the mail server: {"message_id", "event": delivered | bounced, "answer"},
    signed with MAIL_EVENTS_SECRET over "<X-Mail-Timestamp>.<body>" (X-Mail-Signature)."""
    body = await request.body()
    genuine = event_is_genuine(
        get_settings().MAIL_EVENTS_SECRET,
        request.headers.get("x-mail-timestamp", ""),
        request.headers.get("x-mail-signature", ""),
        body,
        time.time(),
    )
    if not genuine:
        await record_refusal("", of_request(request), "/api/mail-events: a report without a valid signature")
        return PlainTextResponse("The signature is missing, wrong or too old.", status_code=401)
    try:
        report = json.loads(body)
        message_id, event, answer = (str(report[k]) for k in ("message_id", "event", "answer"))
    except (ValueError, KeyError, TypeError):
        return PlainTextResponse("Expected JSON with message_id, event and answer.", status_code=400)

    def apply(session) -> str:
        return apply_delivery_event(
            session=session, message_id=message_id, event=event, answer=answer, at=datetime.now(UTC)
        ).message

    try:
        problem = await in_session(apply)
    except SQLAlchemyError:
        return PlainTextResponse(DATABASE_UNAVAILABLE, status_code=503)
    return PlainTextResponse(problem or "recorded", status_code=422 if problem else 200)


async def healthz(request: Request) -> Response:
    """For load balancers: 200 when the database and Redis answer, 503 naming what does not."""
    health = await asyncio.to_thread(check_health)
    return JSONResponse(
        health.as_dict(), status_code=200 if health.healthy else 503, headers={"Cache-Control": "no-store"}
    )


async def authorized(request: Request, *needed: Permission) -> StaffIdentity | Response:
    """HTTP routes bypass the event gate, so each checks the session and permissions itself: the
    signed-in staff member, or the refusal to send (recorded)."""
    address = of_request(request)
    identity = await identity_for_cookie_header(request.headers.get("cookie", ""), address)
    missing = [p for p in needed if identity is None or not is_allowed(identity.roles, p)]
    if identity is not None and not missing:
        return identity
    await record_refusal(
        identity.email if identity else "",
        address,
        f"{request.url.path} needs {', '.join(p.value for p in missing)}",
    )
    if identity is None:
        return PlainTextResponse("Sign in first: /auth/login", status_code=401)
    return PlainTextResponse(f"Your role may not use {', '.join(p.value for p in missing)}.", status_code=403)


def build_api() -> Starlette:
    """Routes beside Reflex; the session middleware holds only the sign-in state, nonce and PKCE verifier."""
    settings = get_settings()
    return Starlette(
        routes=[
            *AUTH_ROUTES,
            *(Route(f"/api/export/{name}", export_route(export)) for name, export in EXPORTS.items()),
            Route("/api/licenses/{license_id:int}/license-file", license_file),
            Route("/api/mail-events", mail_events, methods=["POST"]),
            Route("/api/activations", activate, methods=["POST"]),
            Route("/healthz", healthz),
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=settings.SESSION_SECRET,
                session_cookie="ca_oidc",
                max_age=600,
                same_site="lax",
                https_only=settings.secure_cookies,
            )
        ],
    )


api = build_api()
