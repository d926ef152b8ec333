"""The CSV export routes over HTTP on both databases: streamed, defused, and only for signed-in staff."""

import csv
import io
from decimal import Decimal

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from admin_app.db.models import AuthEvent
from admin_app.settings import get_settings
from admin_app.web.api import build_api
from tests.factories import add_licenses, add_reconciliations, staff_session_token


@pytest.fixture
def client(db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield TestClient(build_api())
    get_settings.cache_clear()


def signed_in(client: TestClient, session, roles: tuple[str, ...]) -> TestClient:
    client.cookies.set("ca_session", staff_session_token(session, "staff@example.com", roles))
    return client


def test_export_streams_the_filtered_licenses_as_defused_csv(session, client):
    add_licenses(
        session,
        [
            {"company": "=cmd|' /C calc'!A0", "plan": "ultimate"},
            {"company": "Plain Ltd", "plan": "ultimate", "trial": True},
            {"company": "Other", "plan": "premium"},
        ],
    )
    response = signed_in(client, session, ("sales",)).get(
        "/api/export/licenses.csv", params={"plan": "ultimate", "sort": "company"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["company"], r["trial"]) for r in rows] == [
        ("'=cmd|' /C calc'!A0", "paid"),
        ("Plain Ltd", "trial"),
    ]


def test_export_refuses_filters_it_does_not_know(session, client):
    response = signed_in(client, session, ("manager",)).get(
        "/api/export/licenses.csv", params={"plan": "platinum"}
    )
    assert response.status_code == 400
    assert "platinum" in response.text


@pytest.mark.parametrize(("roles", "status"), [(None, 401), ((), 403)], ids=["no-session", "no-role"])
def test_export_without_permission_is_refused_and_recorded(session, client, roles, status):
    add_licenses(session, [{"company": "Secret Customer Ltd"}])
    if roles is not None:
        signed_in(client, session, roles)
    response = client.get("/api/export/licenses.csv")
    assert response.status_code == status
    assert "Secret Customer" not in response.text
    session.expire_all()
    [event] = session.exec(select(AuthEvent)).all()
    assert (event.kind, event.detail) == ("refused", "/api/export/licenses.csv needs licenses:read, export")


def test_reconciliation_export_streams_the_filtered_rows(session, client):
    add_reconciliations(
        session,
        [
            {"customer_name": "@SUM(A1) Ltd", "status": "failed", "error_message": "=Timeout"},
            {"customer_name": "Plain Ltd", "status": "done", "invoiced_amount": Decimal("14000.50")},
        ],
    )
    response = signed_in(client, session, ("manager",)).get(
        "/api/export/reconciliations.csv", params={"status": "failed"}
    )
    assert response.status_code == 200
    assert 'filename="reconciliations.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["customer_name"], r["status"], r["error_message"]) for r in rows] == [
        ("'@SUM(A1) Ltd", "failed", "'=Timeout")
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [({"min": "-5"}, "Minimum amount '-5'"), ({"status": "exploded"}, "Unknown status 'exploded'")],
)
def test_reconciliation_export_refuses_bad_filters_with_the_reason(session, client, params, message):
    response = signed_in(client, session, ("sales",)).get("/api/export/reconciliations.csv", params=params)
    assert response.status_code == 400
    assert message in response.text


def test_reconciliation_export_without_a_session_is_refused(session, client):
    add_reconciliations(session, [{"customer_name": "Secret Reconciled Ltd"}])
    response = client.get("/api/export/reconciliations.csv")
    assert response.status_code == 401
    assert "Secret Reconciled" not in response.text
