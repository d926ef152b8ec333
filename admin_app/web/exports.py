"""CSV exports of the list pages: who may, how many at once, what is recorded, and what each column is.

Each export needs its list's read permission and `export`. A staff member may run
EXPORTS_PER_PERSON downloads at once (per app process); one more is answered 429. Each export is
recorded in the audit trail when it starts (list, filters) and when it ends (rows sent, complete or
not, and why). A download stops when its staff session ends. Rows are read a page at a time with
the transaction ended in between (`every_page`), so a slow download holds no pooled connection
while the browser reads."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio
from sqlmodel import Session
from starlette.concurrency import iterate_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from admin_app.auth.client_address import of_request
from admin_app.auth.identity import still_live
from admin_app.auth.permissions import Permission
from admin_app.db.customers.search import CUSTOMER_LIST
from admin_app.db.history import search as history_db
from admin_app.db.licenses.search import LICENSE_LIST
from admin_app.db.lists.spec import CsvColumn, ListSpec
from admin_app.db.reconciliations.search import RECONCILIATION_LIST
from admin_app.db.session import in_session, session_scope
from admin_app.db.staff.auth_events import record_auth_event
from admin_app.db.staff.sessions import StaffIdentity
from admin_app.settings import get_settings
from admin_app.web.csv_export import csv_chunks

# A running download checks this often that its staff session is still live.
SESSION_CHECK_SECONDS = 1.0
SESSION_ENDED = "the staff session ended"


def csv_header(columns: tuple[CsvColumn, ...]) -> list[str]:
    return [column.header for column in columns]


def csv_rows(columns: tuple[CsvColumn, ...], records: Iterator[object]) -> Iterator[list[object]]:
    for record in records:
        yield [column.cell(record) for column in columns]


@dataclass(frozen=True)
class Export:
    """One list's export: its file name, the permission to read the list, how its filters are parsed
    (query, errors) and how its rows are read."""

    filename: str
    read_permission: Permission
    parse: Callable[[dict[str, str]], tuple[object, list[str]]]
    columns: tuple[CsvColumn, ...]
    records: Callable[[Session, object], Iterator[object]]


def described(filename: str, read_permission: Permission, spec: ListSpec) -> Export:
    """The export of a list described by a ListSpec: its filters, its columns, its rows."""
    return Export(
        filename,
        read_permission,
        _parsed(spec.parse),
        spec.export_columns,
        lambda session, query: spec.every(session=session, query=query),
    )


def _parsed(parse: Callable) -> Callable[[dict[str, str]], tuple[object, list[str]]]:
    def read(params: dict[str, str]) -> tuple[object, list[str]]:
        parsed = parse(params)
        return parsed.query, parsed.errors

    return read


EXPORTS = {
    "licenses.csv": described("licenses.csv", Permission.LICENSES_READ, LICENSE_LIST),
    "reconciliations.csv": described(
        "reconciliations.csv", Permission.RECONCILIATIONS_READ, RECONCILIATION_LIST
    ),
    "history.csv": described("history.csv", Permission.CUSTOMERS_READ, history_db.HISTORY_LIST),
    "customers.csv": described("customers.csv", Permission.CUSTOMERS_READ, CUSTOMER_LIST),
}


class ExportSlots:
    """How many downloads each staff member has running in this process."""

    def __init__(self) -> None:
        self._running: Counter[str] = Counter()

    def take(self, subject: str, limit: int) -> bool:
        if self._running[subject] >= limit:
            return False
        self._running[subject] += 1
        return True

    def give_back(self, subject: str) -> None:
        self._running[subject] -= 1
        if self._running[subject] <= 0:
            del self._running[subject]


SLOTS = ExportSlots()


class _Counted:
    """The rows of a download, counted as they are written, and why it was stopped, if it was."""

    def __init__(self, rows: Iterator[list[object]]) -> None:
        self.rows, self.sent, self.stopped_because = rows, 0, ""

    def __iter__(self) -> Iterator[list[object]]:
        for row in self.rows:
            self.sent += 1
            yield row


def _rows(export: Export, query: object) -> Iterator[list[object]]:
    with session_scope() as session:
        yield from csv_rows(export.columns, export.records(session, query))


async def _record(identity: StaffIdentity, address: str, detail: str) -> None:
    await in_session(
        lambda session: record_auth_event(
            session=session,
            kind="export",
            at=datetime.now(UTC),
            email=identity.email,
            subject=identity.subject,
            client_address=address,
            detail=detail,
        )
    )


async def _audited(
    export: Export, rows: _Counted, identity: StaffIdentity, address: str
) -> AsyncIterator[str]:
    """The download's chunks; however it ends (done, or the browser went away), the slot is given back
    and the end is recorded with the number of rows sent."""
    complete = False
    try:
        async for chunk in iterate_in_threadpool(csv_chunks(csv_header(export.columns), rows)):
            yield chunk
        complete = True
    finally:
        SLOTS.give_back(identity.subject)
        ending = "complete" if complete else "stopped"
        if rows.stopped_because:
            ending += f": {rows.stopped_because}"
        # A browser that went away cancels the response; the record of how far it got is still written.
        with anyio.CancelScope(shield=True):
            await _record(identity, address, f"{export.filename}: {rows.sent} rows, {ending}")


class SessionBoundDownload(StreamingResponse):
    """A download that stops when the staff session it was started under ends (sign-out, revocation,
    expiry), checked every SESSION_CHECK_SECONDS whether rows are flowing or the browser reads slowly;
    the browser sees the download fail rather than a file cut short."""

    def __init__(self, rows: _Counted, identity: StaffIdentity, address: str, export: Export) -> None:
        super().__init__(
            _audited(export, rows, identity, address),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{export.filename}"',
                "Cache-Control": "no-store",
            },
        )
        self.rows, self.session_id = rows, identity.session_id

    async def _stop_when_ended(self, download: anyio.CancelScope) -> None:
        while await still_live(self.session_id):
            await asyncio.sleep(SESSION_CHECK_SECONDS)
        self.rows.stopped_because = SESSION_ENDED
        download.cancel()

    async def __call__(self, scope, receive, send) -> None:
        try:
            with anyio.CancelScope() as download:
                watcher = asyncio.create_task(self._stop_when_ended(download))
                try:
                    await super().__call__(scope, receive, send)
                finally:
                    watcher.cancel()
        finally:
            # However the download ended, its rows' generator ends now, and records how far it got.
            await self.body_iterator.aclose()


async def export_csv(request: Request, export: Export, identity: StaffIdentity) -> Response:
    """The streamed, recorded CSV of what a list page shows; bad filters get a 400 naming them. The
    caller has checked that `identity` may read the list and export."""
    query, errors = export.parse(dict(request.query_params))
    if errors:
        return PlainTextResponse("\n".join(errors), status_code=400)
    limit = get_settings().EXPORTS_PER_PERSON
    if not SLOTS.take(identity.subject, limit):
        return PlainTextResponse(
            f"You already have {limit} exports running. Wait for one to finish, then try again.",
            status_code=429,
            headers={"Retry-After": "30"},
        )
    address = of_request(request)
    try:
        await _record(identity, address, f"{export.filename} started; filters: {request.url.query or 'none'}")
    except BaseException:
        SLOTS.give_back(identity.subject)
        raise
    return SessionBoundDownload(_Counted(_rows(export, query)), identity, address, export)
