"""Apply Alembic migrations from Python (make targets, tests, bench)."""

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from admin_app.settings import PROJECT_ROOT
from alembic import command


def _config(url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    if url:
        config.attributes["url"] = url
    config.attributes["configure_logging"] = False
    return config


def create_database_if_missing(url: str) -> None:
    """Create the PostgreSQL database `url` names, if it does not exist (SQLite files create themselves)."""
    target = sa.engine.make_url(url)
    if target.get_backend_name() != "postgresql":
        return
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).first()
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def upgrade_to_head(url: str) -> None:
    """Upgrade the database at `url` to the newest schema."""
    command.upgrade(_config(url), "head")


def downgrade_to_base(url: str) -> None:
    """Drop every table the migrations made (the demo-data reset)."""
    command.downgrade(_config(url), "base")


def head_revision() -> str:
    """The newest migration's revision: what a fully migrated database reports."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise RuntimeError("alembic/versions holds no migration")
    return head
