"""What /healthz reports to a load balancer: can this instance reach its database and Redis, and
which schema version does the database hold. No personal data; each probe gives up quickly."""

from dataclasses import dataclass

import redis
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from admin_app.db.session import engine_for
from admin_app.settings import get_settings

PROBE_TIMEOUT_S = 2


@dataclass(frozen=True)
class Health:
    database: str
    schema_version: str
    redis: str

    @property
    def healthy(self) -> bool:
        return self.database == "ok" and self.redis in ("ok", "not configured")

    def as_dict(self) -> dict[str, str]:
        return {
            "status": "ok" if self.healthy else "unhealthy",
            "database": self.database,
            "schema_version": self.schema_version,
            "redis": self.redis,
        }


def _database() -> tuple[str, str]:
    try:
        with engine_for(get_settings().DATABASE_URL).connect() as connection:
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        return "ok", version or "none"
    except SQLAlchemyError:
        return "unreachable", "unknown"


def _redis() -> str:
    url = get_settings().REDIS_URL
    if not url:
        return "not configured"
    client = redis.Redis.from_url(url, socket_connect_timeout=PROBE_TIMEOUT_S, socket_timeout=PROBE_TIMEOUT_S)
    try:
        client.ping()
        return "ok"
    except redis.RedisError:
        return "unreachable"
    finally:
        client.close()


def check_health() -> Health:
    """Probe the database and Redis (blocking: call it from a worker thread)."""
    database, version = _database()
    return Health(database=database, schema_version=version, redis=_redis())
