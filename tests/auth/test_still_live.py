"""Work that outlives an event (background tasks, downloads) asks the store whether its session may still
act; a session that ended, expired or sat idle too long may not, and neither may one the store cannot
vouch for."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from admin_app.auth.identity import still_live
from admin_app.db import session as session_module
from admin_app.db.models import StaffSession
from admin_app.db.staff.sessions import hash_token
from admin_app.devtools.reflex_server import free_port
from admin_app.settings import get_settings
from tests.factories import staff_session_token


@pytest.fixture
def store(session, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield session
    get_settings.cache_clear()


def session_id(store) -> str:
    return hash_token(staff_session_token(store, "sales@example.com", ("sales",)))


def change(store, **values) -> None:
    row = store.exec(select(StaffSession)).one()
    for name, value in values.items():
        setattr(row, name, value)
    store.add(row)
    store.commit()


def test_a_live_session_may_still_act_and_asking_does_not_keep_it_alive(store):
    live = session_id(store)
    seen = datetime.now(UTC) - timedelta(minutes=20)
    change(store, last_seen_at=seen)
    assert asyncio.run(still_live(live)) is True
    store.expire_all()
    assert store.exec(select(StaffSession)).one().last_seen_at.replace(tzinfo=UTC) == seen


@pytest.mark.parametrize(
    "ended",
    [
        {"revoked_at": datetime.now(UTC) - timedelta(seconds=1)},
        {"expires_at": datetime.now(UTC) - timedelta(seconds=1)},
        # The configured idle timeout (SESSION_IDLE_MINUTES, 30) has passed since its last event.
        {"last_seen_at": datetime.now(UTC) - timedelta(minutes=31)},
    ],
    ids=["signed out", "past its absolute timeout", "idle too long"],
)
def test_an_ended_session_may_not(store, ended):
    ended_id = session_id(store)
    change(store, **ended)
    assert asyncio.run(still_live(ended_id)) is False


def test_the_idle_timeout_is_the_configured_one(store, monkeypatch):
    live = session_id(store)
    change(store, last_seen_at=datetime.now(UTC) - timedelta(minutes=10))
    assert asyncio.run(still_live(live)) is True
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "5")
    get_settings.cache_clear()
    assert asyncio.run(still_live(live)) is False


def test_an_unknown_session_may_not(store):
    session_id(store)
    assert asyncio.run(still_live(hash_token("not-a-session"))) is False


def test_a_store_that_does_not_answer_counts_as_ended(store, monkeypatch):
    live = session_id(store)
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone")
    monkeypatch.setattr(session_module, "RETRY_DELAYS_S", (0.01,))
    get_settings.cache_clear()
    assert asyncio.run(still_live(live)) is False
