"""CSV exports: both permissions, an audit row at the start and the end, every cell where its header
says, a per-person limit, and slow downloads that hold no database connection."""

import csv
import io
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
import uvicorn
from sqlmodel import Session, select
from starlette.testclient import TestClient

from admin_app.auth import permissions
from admin_app.auth.permissions import Permission
from admin_app.db.history.audit import record_version
from admin_app.db.models import AuthEvent, License, Reconciliation, StaffSession, Version
from admin_app.db.session import engine_for, session_scope
from admin_app.settings import get_settings
from admin_app.web.api import build_api
from admin_app.web.exports import SLOTS, ExportSlots
from tests.conftest import fresh_postgres_database
from tests.factories import NOW, STAFF, add_customer, add_licenses, add_reconciliations, staff_session_token
from tests.waiting import wait_until

# What each export needs besides `export`: DESIGN.md's read permission of the list it comes from.
READ_PERMISSION = {
    "licenses.csv": "licenses:read",
    "reconciliations.csv": "reconciliations:read",
    "history.csv": "customers:read",
    "customers.csv": "customers:read",
}


@pytest.fixture
def client(db_url, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield TestClient(build_api())
    get_settings.cache_clear()


def as_staff(client: TestClient, session, roles=("sales",), email="staff@example.com") -> TestClient:
    client.cookies.set("ca_session", staff_session_token(session, email, roles))
    return client


def read_csv(text: str) -> tuple[list[str], list[list[str]]]:
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert all(len(row) == len(header) for row in rows), "a row with more or fewer cells than the header"
    return header, rows


def audit(session, kind: str) -> list[str]:
    session.expire_all()
    return [
        e.detail for e in session.exec(select(AuthEvent).where(AuthEvent.kind == kind).order_by(AuthEvent.id))
    ]


@pytest.mark.parametrize("name", READ_PERMISSION)
def test_an_export_needs_the_lists_read_permission_as_well_as_export(session, client, monkeypatch, name):
    monkeypatch.setitem(permissions.ROLE_PERMISSIONS, "sales", frozenset({Permission.EXPORT}))
    response = as_staff(client, session).get(f"/api/export/{name}")
    assert response.status_code == 403
    assert audit(session, "refused") == [f"/api/export/{name} needs {READ_PERMISSION[name]}"]
    assert audit(session, "export") == []


@pytest.mark.parametrize("name", READ_PERMISSION)
def test_an_export_needs_export_as_well_as_the_lists_read_permission(session, client, monkeypatch, name):
    monkeypatch.setitem(permissions.ROLE_PERMISSIONS, "sales", frozenset({Permission(READ_PERMISSION[name])}))
    response = as_staff(client, session).get(f"/api/export/{name}")
    assert response.status_code == 403
    assert audit(session, "refused") == [f"/api/export/{name} needs export"]
    assert audit(session, "export") == []


def test_an_export_is_recorded_when_it_starts_and_when_it_ends(session, client):
    add_licenses(session, [{"plan": "ultimate"}, {"plan": "ultimate"}, {"plan": "premium"}])
    response = as_staff(client, session).get("/api/export/licenses.csv", params={"plan": "ultimate"})
    assert response.status_code == 200
    assert audit(session, "export") == [
        "licenses.csv started; filters: plan=ultimate",
        "licenses.csv: 2 rows, complete",
    ]
    session.expire_all()
    started = session.exec(select(AuthEvent).where(AuthEvent.kind == "export")).first()
    assert (started.email, started.subject, started.client_address) == (
        "staff@example.com",
        "staff@example.com",
        "testclient",
    )


def test_every_license_cell_is_under_its_header(session, client):
    [stored] = add_licenses(session, [{"company": "Acme", "trial": True, "subscription_name": None}])
    header, [row] = read_csv(as_staff(client, session).get("/api/export/licenses.csv").text)
    cells = dict(zip(header, row, strict=True))
    assert cells == {
        "id": str(stored.id),
        "company": "Acme",
        "licensee_name": stored.licensee_name,
        "email": stored.email,
        "issued_at": stored.issued_at.isoformat(),
        "starts_at": stored.starts_at.isoformat(),
        "expires_at": stored.expires_at.isoformat(),
        "trial": "trial",
        "plan": "premium",
        "user_count": "10",
        "subscription_name": "",
        "license_type": "cloud",
    }


def test_every_reconciliation_cell_is_under_its_header(session, client):
    [stored] = add_reconciliations(
        session,
        [
            {
                "customer_name": "Acme",
                "status": "done",
                "invoiced_amount": Decimal("14000.50"),
                "plan": "ultimate",
                "channel": "reseller",
                "seats_before": 40,
                "user_count": 55,
            }
        ],
    )
    header, [row] = read_csv(as_staff(client, session).get("/api/export/reconciliations.csv").text)
    assert len(header) == len(Reconciliation.__table__.columns)
    cells = dict(zip(header, row, strict=True))
    assert cells == {
        "id": str(stored.id),
        "billing_account_id": str(stored.billing_account_id),
        "customer_name": "Acme",
        "subscription_name": stored.subscription_name,
        "plan": "ultimate",
        "channel": "reseller",
        "status": "done",
        "reconciliation_date": stored.reconciliation_date.isoformat(),
        "done_at": stored.done_at.isoformat() if stored.done_at else "",
        "skip_reason": stored.skip_reason or "",
        "seats_before": "40",
        "user_count": "55",
        "seat_price": "",
        "billed_months": "",
        "invoiced_amount": "14000.50",
        "currency": stored.currency,
        "error_message": stored.error_message or "",
    }


def test_every_customer_cell_is_under_its_header_and_the_lists_filters_apply(session, client):
    stored = add_customer(session, first_name="Jane", last_name="Doe", email="jane@acme.test", company="ACME")
    add_customer(session, first_name="Bob", last_name="Roe", email="bob@globex.test", login_activated=False)
    exported = as_staff(client, session).get("/api/export/customers.csv", params={"login": "active"})
    header, [row] = read_csv(exported.text)
    assert dict(zip(header, row, strict=True)) == {
        "id": str(stored.id),
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@acme.test",
        "company": "ACME",
        "country": stored.country,
        "login": "active",
        "confirmed_at": stored.confirmed_at.isoformat(),
        "created_at": stored.created_at.isoformat(),
    }


def test_every_history_cell_is_under_its_header(session, client):
    version = record_version(
        session,
        item_type="customer",
        item_id=7,
        event="update",
        actor=STAFF,
        changes={"first_name": ["Jane", "Janet"]},
        at=NOW,
        reason="=typo",
    )
    session.commit()
    header, [row] = read_csv(as_staff(client, session).get("/api/export/history.csv").text)
    assert dict(zip(header, row, strict=True)) == {
        "id": str(version.id),
        "created_at": NOW.isoformat(),
        "actor": "s@example.com",
        "event": "update",
        "item_type": "customer",
        "item_id": "7",
        "changes": '{"first_name": ["Jane", "Janet"]}',
        "reason": "'=typo",
        "request_id": STAFF.request_id,
    }
    assert session.exec(select(Version)).one().request_id == STAFF.request_id


# About 20 MB of CSV: more than the kernel and the server buffer for a reader that has stopped.
MANY_LICENSES = """
INSERT INTO license (company, licensee_name, email, issued_at, starts_at, expires_at, trial, plan,
                     user_count, subscription_name, license_type)
SELECT 'Company ' || g || repeat(' Holdings', 20), 'Person ' || g, 'person' || g || '@example.com',
       TIMESTAMPTZ '2025-01-01 12:00+00', DATE '2025-01-01', DATE '2028-01-01', false, 'premium', 10,
       NULL, 'cloud'
FROM generate_series(1, 60000) AS g
"""


class StalledDownload:
    """A browser that asked for an export, read its first bytes, and stopped reading (a tiny receive
    window, so the server cannot push the rest into kernel buffers)."""

    def __init__(self, port: int, cookie: str) -> None:
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.socket.connect(("127.0.0.1", port))
        request = (
            f"GET /api/export/licenses.csv HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ca_session={cookie}\r\n\r\n"
        )
        self.socket.sendall(request.encode())
        self.first_bytes = self.socket.recv(1024)

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def export_server(monkeypatch) -> Iterator[tuple[int, str]]:
    """The app's routes served by uvicorn on a database of their own with a pool of two connections."""
    monkeypatch.setenv("DB_POOL_SIZE", "2")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("EXPORTS_PER_PERSON", "25")
    get_settings.cache_clear()
    with fresh_postgres_database("customer_admin_exports") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        assert engine_for(url).pool.size() == 2
        with engine_for(url).begin() as connection:
            connection.execute(sa.text(MANY_LICENSES))
        # The server listens on a socket bound here and kept: no other process can take the port.
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(build_api(), log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            yield port, url
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            listener.close()
            get_settings.cache_clear()


def test_slow_downloads_hold_no_connection_and_a_person_gets_a_plain_429_past_the_limit(export_server):
    port, url = export_server
    with Session(engine_for(url)) as session:
        cookie = staff_session_token(session, "exporter@example.com", ("manager",))
        started = lambda: len(audit(session, "export"))  # noqa: E731
        downloads = [StalledDownload(port, cookie) for _ in range(25)]
        try:
            assert all(d.first_bytes.startswith(b"HTTP/1.1 200") for d in downloads)
            wait_until(lambda: started() == 25)

            # Twenty-five downloads are open on a pool of two connections, and page events still get one
            # (a download that kept its connection would leave them waiting until the pool times out).
            for _ in range(10):
                with session_scope() as page_event:
                    assert page_event.exec(select(License.id).limit(1)).one()
                time.sleep(0.2)

            one_more = StalledDownload(port, cookie)
            assert one_more.first_bytes.startswith(b"HTTP/1.1 429")
            assert b"You already have 25 exports running" in one_more.first_bytes + one_more.socket.recv(1024)
            one_more.close()
        finally:
            for download in downloads:
                download.close()
        wait_until(lambda: len([d for d in audit(session, "export") if d.endswith("stopped")]) == 25)
        assert SLOTS.take("exporter@example.com", 1)
        SLOTS.give_back("exporter@example.com")


def test_the_export_limit_is_counted_per_person():
    slots = ExportSlots()
    assert [slots.take("ann", 2), slots.take("ann", 2), slots.take("ann", 2)] == [True, True, False]
    # Ann at her limit leaves Bob his own.
    assert [slots.take("bob", 2), slots.take("bob", 2), slots.take("bob", 2)] == [True, True, False]
    slots.give_back("ann")
    assert slots.take("ann", 2) and not slots.take("bob", 2)


def test_a_running_export_stops_when_its_session_ends_and_is_recorded_as_stopped_with_the_reason(
    export_server,
):
    port, url = export_server
    with Session(engine_for(url)) as session:
        cookie = staff_session_token(session, "leaver@example.com", ("manager",))
        download = StalledDownload(port, cookie)
        try:
            assert download.first_bytes.startswith(b"HTTP/1.1 200")
            wait_until(lambda: len(audit(session, "export")) == 1)
            time.sleep(1.5)
            assert len(audit(session, "export")) == 1, "a slow reader alone does not stop it"

            for row in session.exec(select(StaffSession)):
                row.revoked_at = datetime.now(UTC)
                session.add(row)
            session.commit()
            wait_until(lambda: len(audit(session, "export")) == 2)
            assert audit(session, "export")[1].endswith("rows, stopped: the staff session ended")
            # The browser is not handed a file cut short as if it were whole: the body never ends.
            download.socket.settimeout(10)
            rest = b"".join(iter(lambda: download.socket.recv(65536), b""))
            assert not rest.endswith(b"0\r\n\r\n")
        finally:
            download.close()
    assert SLOTS.take("leaver@example.com", 1)
    SLOTS.give_back("leaver@example.com")
