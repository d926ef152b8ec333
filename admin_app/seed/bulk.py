"""Bulk loaders: executemany on SQLite, COPY on PostgreSQL; never row-by-row ORM adds."""

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.engine import Engine

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


class BulkWriter:
    """Writes many rows into tables of one database inside one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect.name
        self.connection = engine.raw_connection()
        self.cursor = self.connection.cursor()
        self.counts: dict[str, int] = {}

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
        """Commit, move id sequences past the loaded ids, refresh planner statistics."""
        if self.dialect == "postgresql":
            for table in tables:
                self.cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
        self.connection.commit()
        if self.dialect == "postgresql":
            self.connection.autocommit = True
            self.cursor.execute("ANALYZE")
        else:
            self.cursor.execute("ANALYZE")
            self.connection.commit()
        self.connection.close()
