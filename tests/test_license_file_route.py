"""Downloading a license file over HTTP: sales, support and admin only, signed by the configured key,
each download in the audit trail, a plain answer for a license that does not exist."""

from collections.abc import Iterator

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from admin_app.db.licenses.files import check_license_file
from admin_app.db.models import AuthEvent
from admin_app.web.api import build_api
from tests.factories import add_licenses, license_fields, staff_session_token


@pytest.fixture
def client(signing_routes) -> Iterator[TestClient]:
    yield TestClient(build_api())


def events(session, kind: str) -> list[tuple[str, str]]:
    session.expire_all()
    rows = session.exec(select(AuthEvent).where(AuthEvent.kind == kind).order_by(AuthEvent.id))
    return [(e.email, e.detail) for e in rows]


@pytest.mark.parametrize("role", ["sales", "support", "admin"])
def test_a_license_file_is_signed_by_the_configured_key_and_recorded(session, client, key, role):
    [license] = add_licenses(session, [license_fields(company="Numbat Labs", email="ops@numbat.test")])
    client.cookies.set("ca_session", staff_session_token(session, f"{role}@example.com", (role,)))
    response = client.get(f"/api/licenses/{license.id}/license-file")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="license-{license.id}.txt"'
    assert response.headers["cache-control"] == "no-store"
    check = check_license_file(response.text, [key])
    assert check.valid
    assert check.claims["company"] == "Numbat Labs"
    assert events(session, "license_file") == [
        (f"{role}@example.com", f"license {license.id} (Numbat Labs, ops@numbat.test) downloaded")
    ]


def test_managers_and_visitors_get_no_license_file(session, client):
    [license] = add_licenses(session, [license_fields()])
    assert client.get(f"/api/licenses/{license.id}/license-file").status_code == 401
    client.cookies.set("ca_session", staff_session_token(session, "manager@example.com", ("manager",)))
    refused = client.get(f"/api/licenses/{license.id}/license-file")
    assert refused.status_code == 403
    assert "license_files" in refused.text
    assert events(session, "license_file") == []
    assert [detail for _, detail in events(session, "refused")] == [
        f"/api/licenses/{license.id}/license-file needs license_files",
        f"/api/licenses/{license.id}/license-file needs license_files",
    ]


@pytest.mark.parametrize("path", ["999999", "0", "99999999999999999999"])
def test_a_license_that_does_not_exist_is_a_plain_404(session, client, path):
    client.cookies.set("ca_session", staff_session_token(session, "sales@example.com", ("sales",)))
    response = client.get(f"/api/licenses/{path}/license-file")
    assert response.status_code == 404
    assert response.text == f"There is no license {int(path)}."
    assert events(session, "license_file") == []
