"""Alembic environment: migrates the database of DATABASE_URL (or `-x url=...`)."""

from logging.config import fileConfig

from sqlmodel import SQLModel

from admin_app.db import models  # noqa: F401  (registers the tables)
from admin_app.db.session import engine_for
from admin_app.settings import get_settings
from alembic import context

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name)

target_metadata = SQLModel.metadata

# Search indexes are dialect-specific DDL kept in migrations, not in the models.
SEARCH_OBJECTS = {
    "search_text",
    "ix_license_search_trgm",
    "ix_reconciliation_search_trgm",
    "ix_customer_search_trgm",
    "ix_subscription_search_trgm",
    "ix_billing_account_search_trgm",
}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (name in SEARCH_OBJECTS or (name or "").endswith("_fts") or "_fts_" in (name or ""))


def run_migrations_online() -> None:
    url = (
        config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or get_settings().DATABASE_URL
    )
    with engine_for(url).connect() as connection:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
