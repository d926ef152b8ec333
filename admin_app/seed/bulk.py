"""Bulk loaders: executemany on SQLite, COPY on PostgreSQL; never row-by-row ORM adds."""

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.engine import Engine

from admin_app.db.reconciliations.rollup import rebuild_statements

BATCH = 20_000
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def _sqlite_value(value: object) -> object:
    # The same text forms SQLAlchemy's SQLite types write and compare against.
    if isinstance(value, datetime):
        return value.strftime(SQLITE_DATETIME)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _pg_value(value: object) -> object:
    return json.dumps(value) if isinstance(value, dict) else value


SQLITE_SECONDARY_DDL = """
    SELECT sql FROM sqlite_master
    WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name NOT LIKE '%fts%'
"""
SQLITE_FTS_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'"
)
PG_USER_TRIGGER_TABLES = """
    SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE NOT t.tgisinternal
"""
PG_SECONDARY_DDL = """
    SELECT indexname, indexdef FROM pg_indexes
    WHERE schemaname = current_schema()
      AND indexname NOT IN (SELECT conname FROM pg_constraint)
"""


class BulkWriter:
    """Writes many rows into tables of one empty database inside one transaction.

    Secondary indexes and the search-index triggers are dropped for the load and
    recreated from the database's own catalog afterwards (the migration stays their
    only definition): building an index once is far cheaper than a million updates.
    """

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect.name
        self.connection = engine.raw_connection()
        self.cursor = self.connection.cursor()
        self.counts: dict[str, int] = {}
        self.trigger_tables: list[str] = []
        self.deferred_ddl = self._drop_secondary_indexes()

    def _drop_secondary_indexes(self) -> list[str]:
        if self.dialect == "postgresql":
            # COPY fires row triggers; the roll-up is rebuilt once at the end instead.
            self.cursor.execute(PG_USER_TRIGGER_TABLES)
            self.trigger_tables = [name for (name,) in self.cursor.fetchall()]
            for table in self.trigger_tables:
                self.cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            self.cursor.execute(PG_SECONDARY_DDL)
            found = self.cursor.fetchall()
            for name, _ in found:
                self.cursor.execute(f'DROP INDEX "{name}"')
            return [ddl for _, ddl in found]
        # With deferred foreign keys outstanding, SQLite scans child tables on every parent
        # insert; checking once at the end (foreign_key_check) keeps the load linear.
        self.cursor.execute("PRAGMA foreign_keys=OFF")
        self.cursor.execute("PRAGMA synchronous=OFF")
        ddl = [row[0] for row in self.cursor.execute(SQLITE_SECONDARY_DDL).fetchall()]
        for statement in ddl:
            kind, name = statement.split()[1], statement.split()[2]
            if kind == "UNIQUE":
                kind, name = "INDEX", statement.split()[3]
            self.cursor.execute(f"DROP {kind} {name}")
        return ddl

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
        """Append `rows` (tuples in `columns` order) to `table`."""
        names = ", ".join(columns)
        if self.dialect == "postgresql":
            with self.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(_pg_value(v) for v in row))
                    self.counts[table] = self.counts.get(table, 0) + 1
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
        batch: list[tuple] = []
        for row in rows:
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) >= BATCH:
                self.cursor.executemany(sql, batch)
                batch.clear()
            self.counts[table] = self.counts.get(table, 0) + 1
        if batch:
            self.cursor.executemany(sql, batch)

    def finish(self, tables: Iterable[str]) -> None:
        """Rebuild indexes, commit, move id sequences past the loaded ids, refresh statistics."""
        if self.dialect == "postgresql":
            # Deferred foreign-key checks must run before an index can be built.
            self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self.cursor.execute("SET maintenance_work_mem = '1GB'")
        for statement in self.deferred_ddl:
            self.cursor.execute(statement)
        for statement in rebuild_statements(self.dialect):
            self.cursor.execute(statement)
        # The load ran without triggers: a running app must not keep chart results from before it.
        self.cursor.execute("UPDATE reconciliation_rollup_version SET version = version + 1")
        for table in self.trigger_tables:
            self.cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        if self.dialect == "sqlite":
            for (fts_table,) in self.cursor.execute(SQLITE_FTS_TABLES).fetchall():
                self.cursor.execute(f"INSERT INTO {fts_table}({fts_table}) VALUES ('rebuild')")
            violations = self.cursor.execute("PRAGMA foreign_key_check").fetchall()
            if violations:
                self.connection.rollback()
                raise ValueError(f"demo data breaks foreign keys: {violations[:5]}")
        if self.dialect == "postgresql":
            for table in tables:
                self.cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
        self.connection.commit()
        if self.dialect == "postgresql":
            driver = self.connection.driver_connection
            if driver is None:
                raise RuntimeError("the connection was closed before VACUUM")
            # VACUUM also sets the visibility map, so index-only scans skip the heap.
            driver.autocommit = True
            self.cursor.execute("VACUUM ANALYZE")
            driver.autocommit = False
        else:
            self.cursor.execute("ANALYZE")
            self.connection.commit()
            # The connection goes back to the pool: deletes through it must cascade again.
            self.cursor.execute("PRAGMA foreign_keys=ON")
            self.cursor.execute("PRAGMA synchronous=NORMAL")
        self.connection.close()
