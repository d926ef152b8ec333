"""Anyone on the network can be refused: a thousand refusals without a session, each asking something
new, leave a handful of audit rows, none holding the caller's text, and addresses are counted apart."""

import random
from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import select
from starlette.testclient import TestClient

from admin_app.auth.gate import REFUSALS, record_refusal, refusals_written_at_shutdown
from admin_app.auth.routes import provider_error
from admin_app.db.models import AuthEvent
from admin_app.db.staff.auth_events import MORE_FROM_ADDRESS
from admin_app.web.api import build_api
from tests.auth.conftest import APP_URL
from tests.waiting import wait_until

# Text a caller might send: markup, a newline, a right-to-left override, a long s, a zero-width joiner.
ALPHABET = "abcdefghijklmnopqrstuvwxyz_0123456789 <>\"'&;/\n\r\t\u202e\u017f\u200d%"


def random_text(rng: random.Random) -> str:
    return "".join(rng.choices(ALPHABET, k=rng.randint(1, 300)))


def rows(session) -> list[AuthEvent]:
    session.expire_all()
    return list(session.exec(select(AuthEvent).order_by(AuthEvent.id)))


@contextmanager
def routes_seen_from(address: str) -> Iterator[TestClient]:
    """The app's routes (configured by app_client) as a client at `address` reaches them."""
    with TestClient(build_api(), base_url=APP_URL, client=(address, 50000)) as client:
        yield client


def refuse_unauthenticated(client: TestClient, rng: random.Random, times: int) -> None:
    for _ in range(times):
        failed = client.get("/auth/callback", params={"error": random_text(rng), "state": random_text(rng)})
        assert failed.status_code == 400
        refused = client.get(f"/api/licenses/{rng.randrange(1, 10**15)}/license-file")
        assert refused.status_code == 401


def test_a_thousand_refusals_with_random_details_from_one_address_leave_a_handful_of_rows(
    app_client, session
):
    refuse_unauthenticated(app_client, random.Random(29), 1000)
    # The minute is not over: what is counted so far is written as it would be when it closes.
    app_client.portal.call(REFUSALS.flush)

    written = rows(session)
    assert len(written) <= 4
    assert {(e.kind, e.count > 1) for e in written} == {
        ("sign_in_failed", False),
        ("sign_in_failed", True),
        ("refused", False),
        ("refused", True),
    }
    assert sum(e.count for e in written if e.kind == "sign_in_failed") == 1000
    assert sum(e.count for e in written if e.kind == "refused") == 1000
    failed = [e.detail for e in written if e.kind == "sign_in_failed"]
    assert failed == [provider_error("not a code of the standard"), MORE_FROM_ADDRESS]
    assert all(e.detail.isprintable() and len(e.detail) <= 200 for e in written)


def test_refusals_without_a_session_are_counted_per_address(app_client, session):
    addresses = ("203.0.113.9", "198.51.100.7")
    rng = random.Random(4)
    with routes_seen_from(addresses[0]) as first, routes_seen_from(addresses[1]) as second:
        for _ in range(5):
            refuse_unauthenticated(first, rng, 1)
            refuse_unauthenticated(second, rng, 2)
        first.portal.call(REFUSALS.flush)

    counted = {(e.client_address, e.kind): 0 for e in rows(session)}
    for e in rows(session):
        counted[e.client_address, e.kind] += e.count
    assert counted == {
        (addresses[0], "sign_in_failed"): 5,
        (addresses[0], "refused"): 5,
        (addresses[1], "sign_in_failed"): 10,
        (addresses[1], "refused"): 10,
    }
    assert len(rows(session)) == 8, "per address and kind: the first refusal, then one counted row"


def test_the_count_of_a_minute_is_written_once_when_it_closes(app_client, session, monkeypatch):
    # Long enough that three rounds of requests end inside it on a loaded machine.
    monkeypatch.setattr(REFUSALS, "_window_s", 2.0)
    refuse_unauthenticated(app_client, random.Random(7), 3)
    assert [e.count for e in rows(session)] == [1, 1]
    wait_until(lambda: len(rows(session)) == 4, timeout_s=20)
    assert sorted(e.count for e in rows(session)) == [1, 1, 2, 2]


def test_what_is_counted_when_the_app_stops_is_written(app_client, session):
    from admin_app.admin_app import app

    assert refusals_written_at_shutdown in app.get_lifespan_tasks()

    async def stop_after_a_burst() -> None:
        async with refusals_written_at_shutdown():
            for _ in range(5):
                await record_refusal("", "203.0.113.9", "load: no live session")

    app_client.portal.call(stop_after_a_burst)
    assert [(e.detail, e.count) for e in rows(session)] == [
        ("load: no live session", 1),
        (MORE_FROM_ADDRESS, 4),
    ]


def test_a_refusals_detail_is_kept_to_plain_characters_and_bounded(app_client, session):
    """Whatever text reaches a refusal (a handler's name, a path), no row can read as something else."""

    async def refuse_with_a_crafted_detail() -> None:
        crafted = "load\nsign_in: ok \u202egnissim" + "x" * 500
        await record_refusal("sales@example.com", "203.0.113.9", crafted)

    app_client.portal.call(refuse_with_a_crafted_detail)
    [row] = rows(session)
    assert row.detail.startswith("load?sign_in: ok ?gnissim")
    assert row.detail.isprintable() and len(row.detail) <= 200
