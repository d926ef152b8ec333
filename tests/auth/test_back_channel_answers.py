"""What the back-channel logout endpoint answers before a logout token's signature can be checked: a
form without exactly one token of a usable size, a body over the limit, an identity provider whose keys
cannot be fetched. Each answer is exact: the provider's logs show it."""

from collections.abc import Iterator

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from admin_app.auth.back_channel import MAX_BODY_BYTES, MAX_TOKEN_LENGTH
from admin_app.db.models import StaffSession
from admin_app.devtools.reflex_server import free_port
from tests.auth.conftest import app_routes
from tests.factories import staff_session_token

ENDPOINT = "/auth/backchannel-logout"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def client(session, db_url, monkeypatch) -> Iterator[TestClient]:
    """The app's routes, configured for an identity provider that is not there; one live session."""
    with app_routes(db_url, f"http://127.0.0.1:{free_port()}", monkeypatch) as test_client:
        staff_session_token(session, "sales@example.com", ("sales",))
        yield test_client


def live(session) -> int:
    session.expire_all()
    return len(session.exec(select(StaffSession).where(StaffSession.revoked_at.is_(None))).all())


@pytest.mark.parametrize(
    "body",
    [
        "",
        "logout_token=",
        "other=x",
        "logout_token=a.b.c&logout_token=a.b.c",
        "logout_token=" + "a" * (MAX_TOKEN_LENGTH + 1),
    ],
    ids=["empty", "empty token", "no token field", "two tokens", "one character too long"],
)
def test_a_form_without_exactly_one_usable_logout_token_is_a_400(client, session, body):
    answer = client.post(ENDPOINT, content=body, headers=FORM)
    assert answer.status_code == 400
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json() == {"error": "invalid_request", "error_description": "no logout_token"}
    assert live(session) == 1


@pytest.mark.parametrize("token", ["a" * MAX_TOKEN_LENGTH, "a.b.c"], ids=["at the size limit", "a short one"])
def test_a_token_that_cannot_be_checked_while_the_provider_is_down_is_a_503(client, session, token):
    answer = client.post(ENDPOINT, content=f"logout_token={token}", headers=FORM)
    assert answer.status_code == 503
    assert answer.json() == {"error": "temporarily_unavailable"}
    assert live(session) == 1


def test_a_body_over_the_limit_is_refused_with_the_limit_named(client, session):
    answer = client.post(ENDPOINT, content="logout_token=" + "a" * MAX_BODY_BYTES, headers=FORM)
    assert answer.status_code == 413
    assert answer.text == f"The request body is larger than {MAX_BODY_BYTES} bytes."
    assert MAX_BODY_BYTES == 32_000
    assert live(session) == 1


def test_a_body_is_read_as_ascii_so_the_token_limit_counts_each_other_byte(client, session):
    """A JWT is ASCII: 5,334 euro signs sent as raw UTF-8 are 16,002 bytes, each read as a replacement
    character, over the limit; not 5,334 characters to send on to the provider, and not a crash."""
    body = b"logout_token=" + "\N{EURO SIGN}".encode() * 5334
    answer = client.post(ENDPOINT, content=body, headers=FORM)
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_request", "error_description": "no logout_token"}
    assert live(session) == 1


def test_a_refused_logout_token_is_logged_with_the_reason_the_provider_is_told(client, session, caplog):
    with caplog.at_level("WARNING", logger="admin_app.auth.back_channel"):
        answer = client.post(ENDPOINT, content="other=x", headers=FORM)
    assert answer.json()["error_description"] == "no logout_token"
    assert [record.getMessage() for record in caplog.records] == [
        "back-channel logout refused: no logout_token"
    ]
