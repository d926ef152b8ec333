"""/healthz over HTTP: healthy when the database and Redis answer, 503 naming the one that does not."""

import os

import pytest
import redis
from starlette.testclient import TestClient

from admin_app.db.migrate import head_revision
from admin_app.settings import get_settings
from admin_app.web.api import build_api

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Nothing listens here: a stopped service as a load balancer would meet it.
STOPPED_REDIS = "redis://127.0.0.1:1/0"
STOPPED_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/postgres"


@pytest.fixture
def health(monkeypatch):
    def get(**env: str) -> tuple[int, dict]:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        response = TestClient(build_api()).get("/healthz")
        return response.status_code, response.json()

    yield get
    get_settings.cache_clear()


@pytest.fixture
def live_redis() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {REDIS_URL} (set TEST_REDIS_URL): {error}"
        if os.environ.get("REQUIRE_POSTGRES") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


def test_healthy_without_redis_reports_the_schema_version(health, sqlite_url, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    status, body = health(DATABASE_URL=sqlite_url)
    assert status == 200
    assert body == {
        "status": "ok",
        "database": "ok",
        "schema_version": head_revision(),
        "redis": "not configured",
    }


def test_healthy_with_redis(health, db_url, live_redis):
    status, body = health(DATABASE_URL=db_url, REDIS_URL=live_redis)
    assert (status, body["database"], body["redis"]) == (200, "ok", "ok")


def test_a_stopped_redis_is_unhealthy(health, sqlite_url):
    status, body = health(DATABASE_URL=sqlite_url, REDIS_URL=STOPPED_REDIS)
    assert (status, body["status"], body["redis"], body["database"]) == (
        503,
        "unhealthy",
        "unreachable",
        "ok",
    )


def test_a_stopped_database_is_unhealthy(health, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    status, body = health(DATABASE_URL=STOPPED_POSTGRES)
    assert (status, body["database"], body["schema_version"]) == (503, "unreachable", "unknown")


def test_the_report_carries_no_personal_data(health, sqlite_url, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    _, body = health(DATABASE_URL=sqlite_url)
    assert set(body) == {"status", "database", "schema_version", "redis"}
