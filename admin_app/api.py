"""HTTP routes beside the Reflex app (mounted through rx.App(api_transformer=...))."""

from collections.abc import Iterator

from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from admin_app.csv_export import csv_chunks
from admin_app.db import licenses as license_db
from admin_app.db.models import License
from admin_app.db.session import session_scope

LICENSE_CSV_HEADER = list(License.__table__.columns.keys())


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


def license_csv(query: license_db.LicenseQuery) -> Iterator[str]:
    """The CSV text of every matching license, in chunks, from one session."""
    with session_scope() as session:
        yield from csv_chunks(LICENSE_CSV_HEADER, license_csv_rows(session, query))


async def export_licenses(request: Request) -> StreamingResponse | PlainTextResponse:
    parsed = license_db.parse_license_query(dict(request.query_params))
    if parsed.errors:
        return PlainTextResponse("\n".join(parsed.errors), status_code=400)
    return StreamingResponse(
        license_csv(parsed.query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="licenses.csv"'},
    )


api = Starlette(routes=[Route("/api/export/licenses.csv", export_licenses)])
