"""PostgreSQL going away under the app, through a proxy whose link the test cuts: a real network fault.

Reads and writes wait out a short outage; a longer one is a plain error with nothing half-written;
the next call after the database is back works without restarting anything.
"""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select
from starlette.testclient import TestClient

from admin_app.db import session as session_module
from admin_app.db.customers.edit import CustomerEdit, plan_customer_edit, save_customer_edit
from admin_app.db.history.audit import Actor
from admin_app.db.models import Customer, Version
from admin_app.db.session import engine_for, in_session
from admin_app.devtools.tcp_proxy import tcp_proxy
from admin_app.settings import get_settings
from admin_app.web.api import build_api
from tests.conftest import empty_tables
from tests.factories import NOW, add_customer


@pytest.fixture
def proxied(postgres_url, monkeypatch):
    """The app's DATABASE_URL points at a proxy in front of the test's PostgreSQL database."""
    empty_tables(postgres_url)
    target = sa.engine.make_url(postgres_url)
    with tcp_proxy(target.host, target.port) as proxy:
        url = target.set(port=proxy.port).render_as_string(hide_password=False)
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.delenv("REDIS_URL", raising=False)
        get_settings.cache_clear()
        yield proxy, url
        engine_for(url).dispose()
        get_settings.cache_clear()


def run_async(awaitable):
    """Run the app's async helper on a loop of its own (the browser tests may hold this thread's)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, awaitable).result()


def _jane(url: str) -> int:
    with Session(engine_for(url), expire_on_commit=False) as direct:
        return add_customer(
            direct, first_name="Jane", last_name="Doe", email="jane@acme.test", company="ACME"
        ).id


def _edit(session: Session, customer_id: int) -> object:
    edit = CustomerEdit.from_form(
        {
            "first_name": "Janet",
            "last_name": "Doe",
            "email": "jane@acme.test",
            "company": "ACME",
            "country": "US",
        }
    )
    planned = plan_customer_edit(session, customer_id=customer_id, edit=edit, lock_version=0)
    return save_customer_edit(
        session,
        customer_id=customer_id,
        edit=edit,
        lock_version=0,
        reviewed_contact=planned.value.contact,
        actor=Actor("support@example.com"),
        reason="fault drill",
        now=NOW,
    )


def test_an_edit_during_a_short_outage_lands_exactly_once(proxied, postgres_url):
    proxy, _ = proxied
    customer_id = _jane(postgres_url)
    run_async(in_session(lambda session: session.scalar(sa.text("SELECT 1"))))  # a pooled connection
    proxy.cut()
    threading.Timer(0.8, proxy.restore).start()

    outcome = run_async(in_session(lambda session: _edit(session, customer_id)))

    assert outcome.ok
    with Session(engine_for(postgres_url)) as direct:
        assert direct.get(Customer, customer_id).first_name == "Janet"
        assert len(direct.exec(select(Version).where(Version.item_id == customer_id)).all()) == 1


def _pool_of(url: str, count: int) -> None:
    """`count` connections open side by side and handed back, so the pool holds that many afterwards
    (through the engine itself: work sent to the app's database threads may share one thread)."""
    engine = engine_for(url)
    connections = [engine.connect() for _ in range(count)]
    for connection in connections:
        connection.exec_driver_sql("SELECT 1")
        connection.close()


def test_pooled_connections_the_database_dropped_are_replaced_without_a_wait(
    proxied, postgres_url, monkeypatch
):
    proxy, url = proxied
    waits = []
    monkeypatch.setattr(
        session_module, "time", SimpleNamespace(sleep=lambda s: waits.append(s) or time.sleep(s))
    )
    customer_id = _jane(postgres_url)
    _pool_of(url, 3)
    assert engine_for(url).pool.checkedin() >= 2
    proxy.cut()
    proxy.restore()  # every connection through the proxy is gone; new ones are accepted

    assert run_async(in_session(lambda session: _edit(session, customer_id))).ok
    assert run_async(in_session(lambda session: session.scalar(sa.text("SELECT 1")))) == 1
    # The dropped connection was retried at once, not after the wait meant for a restarting database.
    assert waits == [0.0]


def test_a_long_outage_is_an_error_with_nothing_written_and_the_next_call_recovers(proxied, postgres_url):
    proxy, _ = proxied
    customer_id = _jane(postgres_url)
    proxy.cut()
    with pytest.raises(OperationalError):
        run_async(in_session(lambda session: _edit(session, customer_id)))
    with Session(engine_for(postgres_url)) as direct:
        assert direct.get(Customer, customer_id).first_name == "Jane"
        assert direct.exec(select(Version)).all() == []

    proxy.restore()
    assert run_async(in_session(lambda session: _edit(session, customer_id))).ok


def test_healthz_follows_the_database_down_and_back(proxied):
    proxy, _ = proxied
    client = TestClient(build_api())
    assert client.get("/healthz").status_code == 200
    proxy.cut()
    down = client.get("/healthz")
    assert (down.status_code, down.json()["database"]) == (503, "unreachable")
    proxy.restore()
    assert client.get("/healthz").status_code == 200
