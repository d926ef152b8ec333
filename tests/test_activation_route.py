"""A cloud instance activating over HTTP (POST /api/activations), on both databases: a good code gives
the signed license once (the same instance may ask again), a used or unknown code is refused, bad or
oversized bodies are 4xx with a JSON error, one address gets a limited number of tries, and the audit
records each activation and refusal without the code."""

import asyncio
from collections.abc import Iterator

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from admin_app.auth.gate import REFUSALS
from admin_app.db.licenses.activations import CODE_USED, UNKNOWN_CODE
from admin_app.db.licenses.files import check_license_file
from admin_app.db.models import AuthEvent, CloudActivation
from admin_app.web.activations_api import ATTEMPTS, ATTEMPTS_PER_MINUTE, MAX_BODY
from admin_app.web.api import build_api
from tests.factories import add_licenses, license_fields

CODE = "ABCDEF123456ABCDEF12WXYZ"


@pytest.fixture
def client(signing_routes) -> Iterator[TestClient]:
    ATTEMPTS.clear()
    yield TestClient(build_api())
    ATTEMPTS.clear()


@pytest.fixture
def cloud_license(session):
    [made] = add_licenses(
        session, [license_fields(company="Numbat Labs", license_type="cloud", activation_code=CODE)]
    )
    return made


def refusal_rows(session) -> list[tuple[str, str, int]]:
    session.expire_all()
    rows = session.exec(select(AuthEvent).where(AuthEvent.kind == "refused").order_by(AuthEvent.id))
    return [(e.kind, e.detail, e.count) for e in rows]


def audit(session) -> list[tuple[str, str, str]]:
    session.expire_all()
    rows = session.exec(select(AuthEvent).order_by(AuthEvent.id))
    return [(e.kind, e.client_address, e.detail) for e in rows]


def activations(session) -> list[tuple[int, str]]:
    session.expire_all()
    return [(a.license_id, a.instance_id) for a in session.exec(select(CloudActivation))]


def test_a_good_code_activates_once_and_returns_a_license_file_that_validates(
    session, client, key, cloud_license
):
    response = client.post("/api/activations", json={"code": CODE.lower(), "instance_id": "gitlab-1"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    answer = response.json()
    check = check_license_file(answer["license"], [key])
    assert check.valid
    assert answer["license_id"] == check.claims["license_id"] == cloud_license.id
    assert check.claims["company"] == "Numbat Labs"
    assert activations(session) == [(cloud_license.id, "gitlab-1")]

    again = client.post("/api/activations", json={"code": CODE, "instance_id": "gitlab-1"})
    assert again.status_code == 200
    assert check_license_file(again.json()["license"], [key]).claims["license_id"] == cloud_license.id
    assert activations(session) == [(cloud_license.id, "gitlab-1")]
    assert audit(session) == [
        (
            "activation",
            "testclient",
            f"license {cloud_license.id} (Numbat Labs) activated for instance gitlab-1",
        ),
        (
            "activation",
            "testclient",
            f"license {cloud_license.id} (Numbat Labs) sent again for instance gitlab-1",
        ),
    ]


def test_a_used_or_unknown_code_is_refused_and_the_code_is_never_recorded(session, client, cloud_license):
    assert client.post("/api/activations", json={"code": CODE, "instance_id": "gitlab-1"}).status_code == 200

    reused = client.post("/api/activations", json={"code": CODE, "instance_id": "gitlab-2"})
    assert (reused.status_code, reused.json()) == (409, {"error": CODE_USED, "fields": {}})
    unknown = client.post("/api/activations", json={"code": "NOPE" + CODE[4:], "instance_id": "gitlab-2"})
    assert (unknown.status_code, unknown.json()) == (404, {"error": UNKNOWN_CODE, "fields": {}})

    assert activations(session) == [(cloud_license.id, "gitlab-1")]
    # Refusals from one address within a minute are one row and then their count (written at the
    # minute's end; here at once).
    asyncio.run(REFUSALS.flush())
    assert [(kind, detail, e_count) for kind, detail, e_count in refusal_rows(session)] == [
        ("refused", f"/api/activations: {CODE_USED}", 1),
        ("refused", "more from this address", 1),
    ]
    assert not any(CODE[-8:] in detail.upper() for _, _, detail in audit(session))


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"not json", {}, 400),
        (b"", {}, 400),
        (b'["ABCDEF123456ABCDEF12WXYZ", "gitlab-1"]', {}, 400),
        (b"[" * 1500, {}, 400),
        (b"\xff\xfe{", {}, 400),
        (b'{"code": "ABCDEF123456ABCDEF12WXYZ"}', {}, 422),
        (b'{"code": 7, "instance_id": "gitlab-1"}', {}, 422),
        (b'{"code": "ABCDEF123456ABCDEF12WXYZ", "instance_id": "<b>x</b>"}', {}, 422),
        (b'{"code": "' + b"A" * MAX_BODY + b'", "instance_id": "gitlab-1"}', {}, 413),
        (b"{}", {"content-length": "99999999999"}, 413),
    ],
    ids=[
        "text",
        "empty",
        "array",
        "nested",
        "binary",
        "no-instance",
        "number",
        "markup",
        "oversized",
        "declared",
    ],
)
def test_bad_bodies_are_a_4xx_with_a_json_error_and_write_nothing(
    session, client, cloud_license, body, headers, status
):
    response = client.post("/api/activations", content=body, headers=headers)
    assert response.status_code == status
    assert response.json()["error"]
    assert activations(session) == []


def test_a_body_streamed_without_a_length_stops_being_read_at_the_limit(session, client, cloud_license):
    chunks = (b'{"code": "' + b"A" * 1000 for _ in range(100))
    response = client.post("/api/activations", content=chunks)
    assert response.status_code == 413
    assert activations(session) == []


def test_one_address_gets_a_limited_number_of_tries_a_minute(session, client, cloud_license):
    for n in range(ATTEMPTS_PER_MINUTE):
        answer = client.post("/api/activations", json={"code": f"GUESS{n:019d}", "instance_id": "gitlab-1"})
        assert answer.status_code == 404
    limited = client.post("/api/activations", json={"code": CODE, "instance_id": "gitlab-1"})
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert "Too many attempts" in limited.json()["error"]
    assert activations(session) == []
    # Another address is counted on its own.
    other = TestClient(build_api(), client=("192.0.2.7", 50000))
    assert other.post("/api/activations", json={"code": CODE, "instance_id": "gitlab-1"}).status_code == 200


def test_only_post_is_answered(client):
    assert client.get("/api/activations").status_code == 405
