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

from admin_app.auth.client_address import of_request
from admin_app.auth.gate import record_refusal
from admin_app.auth.identity import identity_for_cookie_header
from admin_app.auth.permissions import Permission, is_allowed
from admin_app.auth.routes import AUTH_ROUTES
from admin_app.background.mailer import event_is_genuine, signature_headers_well_formed
from admin_app.db.customers.tokens import redeem_token
from admin_app.db.licenses.files import license_file_text
from admin_app.db.licenses.usage import record_usage_ping, usage_report
from admin_app.db.mail.outbox import apply_delivery_event
from admin_app.db.models import License
from admin_app.db.outcomes import Outcome
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.db.staff.auth_events import record_auth_event
from admin_app.db.staff.sessions import StaffIdentity
from admin_app.db.subscriptions.pauses import pauses_in_force
from admin_app.license_key import signing_key
from admin_app.settings import get_settings
from admin_app.web.activations_api import activate
from admin_app.web.exports import EXPORTS, Export, export_csv
from admin_app.web.health import check_health
from admin_app.web.request_limits import bounded_body

PORTAL_REDEEM_PATH = "/api/portal/redeem-link"


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


# A delivery report or a portal request is a few hundred bytes (the relay's answer text is bounded by
# SMTP's line length).
SIGNED_BODY_MAX_BYTES = 16_384


async def signed_body(request: Request, secret: str, prefix: str) -> bytes | Response:
    """The body of a request another service signed with `secret`: HMAC-SHA256 of "<timestamp>.<body>"
    in `X-<prefix>-Signature`, the timestamp in `X-<prefix>-Timestamp`, at most 5 minutes old; or the
    answer to send instead (413 too large, 400 malformed headers, 401 and an audit row when the
    signature is missing or not ours)."""
    body = await bounded_body(request, SIGNED_BODY_MAX_BYTES)
    if body is None:
        return PlainTextResponse(f"The request body is larger than {SIGNED_BODY_MAX_BYTES} bytes.", 413)
    timestamp = request.headers.get(f"x-{prefix}-timestamp", "")
    signature = request.headers.get(f"x-{prefix}-signature", "")
    if (timestamp or signature) and not signature_headers_well_formed(timestamp, signature):
        return PlainTextResponse(
            f"X-{prefix.title()}-Timestamp must be a Unix time and X-{prefix.title()}-Signature 64"
            " hexadecimal digits.",
            status_code=400,
        )
    if not event_is_genuine(secret, timestamp, signature, body, time.time()):
        await record_refusal(
            "", of_request(request), f"{request.url.path}: a request without a valid signature"
        )
        return PlainTextResponse("The signature is missing, wrong or too old.", status_code=401)
    return body


async def mail_events(request: Request) -> Response:
    """Delivery reports from the mail server: {"message_id", "event": delivered | bounced, "answer"},
    signed with MAIL_EVENTS_SECRET over "<X-Mail-Timestamp>.<body>" (X-Mail-Signature)."""
    body = await signed_body(request, get_settings().MAIL_EVENTS_SECRET, "mail")
    if isinstance(body, Response):
        return body
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


async def usage_pings(request: Request) -> Response:
    """A self-managed server's usage of one day: {"license_id", "instance_id", "hostname", "version",
    "day": YYYY-MM-DD, "active_users"}, signed with USAGE_PINGS_SECRET as delivery reports are
    ("<X-Usage-Timestamp>.<body>" in X-Usage-Signature, at most 5 minutes old). The same server's
    ping of a day already recorded changes nothing and is answered as recorded."""
    secret = get_settings().USAGE_PINGS_SECRET
    if not secret:
        return PlainTextResponse("Usage pings are not accepted here (no USAGE_PINGS_SECRET).", 503)
    body = await signed_body(request, secret, "usage")
    if isinstance(body, Response):
        return body
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return PlainTextResponse("Expected a JSON object.", status_code=400)
    checked = usage_report(payload, today=datetime.now(UTC).date())
    if checked.value is None:
        return JSONResponse({"error": "The ping is incomplete.", "fields": checked.field_errors}, 422)
    report = checked.value

    def record(session) -> Outcome[bool]:
        outcome = record_usage_ping(session=session, report=report, at=datetime.now(UTC))
        return Outcome(value=outcome.value.new_day) if outcome.value else outcome.passed_on()

    try:
        recorded = await in_session(record)
    except SQLAlchemyError:
        return PlainTextResponse(DATABASE_UNAVAILABLE, status_code=503)
    if recorded.value is None:
        return PlainTextResponse(recorded.message, status_code=422)
    return PlainTextResponse("recorded" if recorded.value else "recorded before")


async def reconciliation_pauses(request: Request) -> Response:
    """The reconciliation pauses in force today, for the billing system: [{"subscription_name", "until":
    YYYY-MM-DD, "ticket"}], reconciliations running again on `until`. Signed with
    RECONCILIATION_PAUSES_SECRET as delivery reports are, over "<X-Pauses-Timestamp>." and the empty
    body (X-Pauses-Signature, at most 5 minutes old)."""
    secret = get_settings().RECONCILIATION_PAUSES_SECRET
    if not secret:
        return PlainTextResponse(
            "Reconciliation pauses are not served here (no RECONCILIATION_PAUSES_SECRET).", 503
        )
    body = await signed_body(request, secret, "pauses")
    if isinstance(body, Response):
        return body

    def in_force(session) -> list[dict[str, str]]:
        return [
            {"subscription_name": p.subscription_name, "until": p.until.isoformat(), "ticket": p.ticket}
            for p in pauses_in_force(session, today=datetime.now(UTC).date())
        ]

    try:
        pauses = await in_session(in_force)
    except SQLAlchemyError:
        return PlainTextResponse(DATABASE_UNAVAILABLE, status_code=503)
    return JSONResponse(pauses, headers={"Cache-Control": "no-store"})


async def redeem_link(request: Request) -> Response:
    """The customers portal redeems a link a customer followed: {"token", "purpose": sign_in |
    confirmation}, signed with PORTAL_SECRET as delivery reports are ("<X-Portal-Timestamp>.<body>" in
    X-Portal-Signature, at most 5 minutes old). The customer's id and email, once; a link that was used,
    expired or revoked is a JSON refusal."""
    body = await signed_body(request, get_settings().PORTAL_SECRET, "portal")
    if isinstance(body, Response):
        return body
    try:
        asked = json.loads(body)
        token, purpose = asked["token"], str(asked["purpose"])
    except (ValueError, KeyError, TypeError):
        return PlainTextResponse("Expected JSON with token and purpose.", status_code=400)

    def redeem(session) -> Outcome[tuple[int, str]]:
        outcome = redeem_token(session=session, token=token, purpose=purpose, now=datetime.now(UTC))
        customer = outcome.value
        if not outcome.ok or customer is None or customer.id is None:
            return Outcome(message=outcome.message, field_errors=outcome.field_errors)
        return Outcome(value=(customer.id, customer.email))

    try:
        outcome = await in_session(redeem)
    except SQLAlchemyError:
        return PlainTextResponse(DATABASE_UNAVAILABLE, status_code=503)
    if not outcome.ok or outcome.value is None:
        return JSONResponse(
            {"refused": outcome.message}, status_code=422, headers={"Cache-Control": "no-store"}
        )
    customer_id, email = outcome.value
    return JSONResponse({"customer_id": customer_id, "email": email}, headers={"Cache-Control": "no-store"})


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
            Route(PORTAL_REDEEM_PATH, redeem_link, methods=["POST"]),
            Route("/api/usage-pings", usage_pings, methods=["POST"]),
            Route("/api/reconciliation-pauses", reconciliation_pauses),
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
