"""The CSV export route over HTTP, on SQLite and PostgreSQL."""

import csv
import io

import pytest
from starlette.testclient import TestClient

from admin_app.api import api
from admin_app.settings import get_settings
from tests.factories import add_licenses


@pytest.fixture
def client(db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield TestClient(api)
    get_settings.cache_clear()


def test_export_streams_the_filtered_licenses_as_defused_csv(session, client):
    add_licenses(
        session,
        [
            {"company": "=cmd|' /C calc'!A0", "plan": "ultimate"},
            {"company": "Plain Ltd", "plan": "ultimate", "trial": True},
            {"company": "Other", "plan": "premium"},
        ],
    )
    response = client.get("/api/export/licenses.csv", params={"plan": "ultimate", "sort": "company"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["company"], r["trial"]) for r in rows] == [
        ("'=cmd|' /C calc'!A0", "paid"),
        ("Plain Ltd", "trial"),
    ]


def test_export_refuses_filters_it_does_not_know(session, client):
    response = client.get("/api/export/licenses.csv", params={"plan": "platinum"})
    assert response.status_code == 400
    assert "platinum" in response.text
