"""The PostgreSQL role the app runs as in production: it may read and write the domain tables, but
the history (`version`) and the sign-in audit (`auth_event`) only grow: INSERT and SELECT, no UPDATE,
DELETE or TRUNCATE. Migrations and the demo seed run as the owner.

    python -m admin_app.db.app_role --owner-url postgresql+psycopg://owner@db/customer_admin \\
        --role customer_admin_app          # password from APP_ROLE_PASSWORD

Run it after every migration (new tables need their grants)."""

import argparse
import os
from typing import cast

import sqlalchemy as sa

APPEND_ONLY = ("version", "auth_event")
PUBLIC_TABLES = (
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
)


def grant_app_role(owner_url: str, role: str, password: str | None = None) -> None:
    """Create `role` if missing (with `password`, if given) and grant it what the app needs."""
    quoted = sa.sql.quoted_name(role, quote=True)
    engine = sa.create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        preparer = connection.dialect.identifier_preparer
        name = preparer.quote(quoted)
        exists = connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
        if not exists:
            connection.execute(sa.text(f"CREATE ROLE {name} LOGIN"))
        if password:
            connection.execute(sa.text(f"ALTER ROLE {name} PASSWORD {_literal(connection, password)}"))
        database = preparer.quote(connection.execute(sa.text("SELECT current_database()")).scalar_one())
        tables = connection.execute(sa.text(PUBLIC_TABLES)).scalars()
        statements = [
            f"GRANT CONNECT ON DATABASE {database} TO {name}",
            f"GRANT USAGE ON SCHEMA public TO {name}",
        ]
        for table in tables:
            quoted_table = preparer.quote(table)
            statements.append(f"REVOKE ALL ON {quoted_table} FROM {name}")
            rights = "SELECT, INSERT" if table in APPEND_ONLY else "SELECT, INSERT, UPDATE, DELETE"
            statements.append(f"GRANT {rights} ON {quoted_table} TO {name}")
        statements.append(f"GRANT SELECT ON alembic_version TO {name}")
        statements.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {name}")
        for statement in statements:
            connection.execute(sa.text(statement))
    engine.dispose()


def _literal(connection: sa.Connection, value: str) -> str:
    # A textual query's columns have no type SQLAlchemy could know.
    return cast(str, connection.execute(sa.text("SELECT quote_literal(:v)"), {"v": value}).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser(description="Grant the app's PostgreSQL role its rights.")
    parser.add_argument("--owner-url", required=True, help="URL of a role owning the tables")
    parser.add_argument("--role", default="customer_admin_app")
    args = parser.parse_args()
    grant_app_role(args.owner_url, args.role, os.environ.get("APP_ROLE_PASSWORD"))
    print(f"{args.role}: SELECT, INSERT only on {', '.join(APPEND_ONLY)}; read and write elsewhere.")


if __name__ == "__main__":
    main()
