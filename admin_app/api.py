"""HTTP routes beside the Reflex app (mounted through rx.App(api_transformer=...))."""

import asyncio
import json
from collections.abc import Callable, Iterator

from sqlmodel import Session
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from admin_app.auth.client_address import of_request
from admin_app.auth.gate import record_refusal
from admin_app.auth.identity import identity_for_cookie_header
from admin_app.auth.permissions import Permission, is_allowed
from admin_app.auth.routes import AUTH_ROUTES
from admin_app.csv_export import csv_chunks
from admin_app.db import history_list as history_db
from admin_app.db import licenses as license_db
from admin_app.db import reconciliations as reconciliation_db
from admin_app.db.models import License, Reconciliation
from admin_app.db.session import session_scope
from admin_app.health import check_health
from admin_app.settings import get_settings

LICENSE_CSV_HEADER = list(License.__table__.columns.keys())
RECONCILIATION_CSV_HEADER = list(Reconciliation.__table__.columns.keys())
HISTORY_CSV_HEADER = ["id", "created_at", "actor", "event", "item_type", "item_id", "changes", "reason"]


def license_csv_rows(session: Session, query: license_db.LicenseQuery) -> Iterator[list[object]]:
    """Every license the query matches as a CSV row, read in keyset batches."""
    for r in license_db.iter_licenses(session=session, query=query):
        yield [
            r.id,
            r.company,
            r.licensee_name,
            r.email,
            r.issued_at.isoformat(),
            r.starts_at.isoformat(),
            r.expires_at.isoformat(),
            "trial" if r.trial else "paid",
            r.plan,
            r.user_count,
            r.subscription_name,
            r.license_type,
        ]


def reconciliation_csv_rows(
    session: Session, query: reconciliation_db.ReconciliationQuery
) -> Iterator[list[object]]:
    """Every reconciliation the query matches as a CSV row, read in keyset batches."""
    for r in reconciliation_db.iter_reconciliations(session=session, query=query):
        yield [
            r.id,
            r.billing_account_id,
            r.customer_name,
            r.subscription_name,
            r.status,
            r.reconciliation_date.isoformat(),
            r.done_at.isoformat() if r.done_at else "",
            r.skip_reason,
            r.user_count,
            r.invoiced_amount,
            r.currency,
            r.error_message,
        ]


def streamed_csv(header: list[str], rows: Callable[[Session], Iterator[list[object]]]) -> Iterator[str]:
    """CSV text in chunks, from one session held while the download runs."""
    with session_scope() as session:
        yield from csv_chunks(header, rows(session))


async def export_csv(
    request: Request,
    parse: Callable[[dict[str, str]], tuple[object, list[str]]],
    header: list[str],
    rows: Callable[[Session, object], Iterator[list[object]]],
    filename: str,
) -> Response:
    """The checked, streamed CSV of what a list page shows; bad filters get a 400 naming them."""
    refusal = await refuse_unless_allowed(request, Permission.EXPORT)
    if refusal:
        return refusal
    query, errors = parse(dict(request.query_params))
    if errors:
        return PlainTextResponse("\n".join(errors), status_code=400)
    return StreamingResponse(
        streamed_csv(header, lambda session: rows(session, query)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _parsed(parse: Callable) -> Callable[[dict[str, str]], tuple[object, list[str]]]:
    def read(params: dict[str, str]) -> tuple[object, list[str]]:
        parsed = parse(params)
        return parsed.query, parsed.errors

    return read


def history_csv_rows(session: Session, query: history_db.HistoryQuery) -> Iterator[list[object]]:
    """Every matching history row as CSV, the changes as JSON."""
    for v in history_db.iter_history(session=session, query=query):
        yield [
            v.id,
            v.created_at.isoformat(),
            v.actor,
            v.event,
            v.item_type,
            v.item_id,
            json.dumps(v.changes),
            v.reason,
        ]


async def export_licenses(request: Request) -> Response:
    return await export_csv(
        request, _parsed(license_db.parse_license_query), LICENSE_CSV_HEADER, license_csv_rows, "licenses.csv"
    )


async def export_reconciliations(request: Request) -> Response:
    return await export_csv(
        request,
        _parsed(reconciliation_db.parse_reconciliation_query),
        RECONCILIATION_CSV_HEADER,
        reconciliation_csv_rows,
        "reconciliations.csv",
    )


async def export_history(request: Request) -> Response:
    return await export_csv(
        request, _parsed(history_db.parse_history_query), HISTORY_CSV_HEADER, history_csv_rows, "history.csv"
    )


async def healthz(request: Request) -> Response:
    """For load balancers: 200 when the database and Redis answer, 503 naming what does not."""
    health = await asyncio.to_thread(check_health)
    return JSONResponse(
        health.as_dict(), status_code=200 if health.healthy else 503, headers={"Cache-Control": "no-store"}
    )


async def refuse_unless_allowed(request: Request, permission: Permission) -> Response | None:
    """HTTP routes bypass the event gate, so each checks the session and permission itself."""
    identity = await identity_for_cookie_header(request.headers.get("cookie", ""), of_request(request))
    if identity is not None and is_allowed(identity.roles, permission):
        return None
    await record_refusal(
        identity.email if identity else "",
        of_request(request),
        f"{request.url.path} needs {permission.value}",
    )
    if identity is None:
        return PlainTextResponse("Sign in first: /auth/login", status_code=401)
    return PlainTextResponse(f"Your role may not use {permission.value}.", status_code=403)


def build_api() -> Starlette:
    """Routes beside Reflex; the session middleware holds only the sign-in state, nonce and PKCE verifier."""
    settings = get_settings()
    return Starlette(
        routes=[
            *AUTH_ROUTES,
            Route("/api/export/licenses.csv", export_licenses),
            Route("/api/export/reconciliations.csv", export_reconciliations),
            Route("/api/export/history.csv", export_history),
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
