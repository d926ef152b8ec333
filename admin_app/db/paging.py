"""Keyset pagination: opaque cursors and the WHERE/ORDER BY that follow them."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement


@dataclass(frozen=True)
class Cursor:
    """A position in a sorted result: the sort value and the id of one row."""

    value: object
    id: int


def encode_cursor(value: object, row_id: int) -> str:
    """An opaque, URL-safe token for the position (value, id)."""
    if isinstance(value, (date, datetime)):
        value = value.isoformat()
    raw = json.dumps([value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, python_type: type) -> Cursor | None:
    """The position in `token`, or None when the token is not one we issued."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, row_id = json.loads(raw)
        if not isinstance(row_id, int) or isinstance(row_id, bool):
            return None
        if python_type is datetime:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                return None
        elif python_type is date:
            value = date.fromisoformat(value)
        elif not isinstance(value, python_type) or isinstance(value, bool):
            return None
        return Cursor(value=value, id=row_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        return None


def keyset_after(column: ColumnElement, id_column: ColumnElement, cursor: Cursor, descending: bool):
    """Rows strictly after `cursor` in the order (column, id), ascending or descending."""
    key = sa.tuple_(column, id_column)
    position = sa.tuple_(sa.literal(cursor.value, column.type), sa.literal(cursor.id))
    return key < position if descending else key > position


def keyset_order(column: ColumnElement, id_column: ColumnElement, descending: bool) -> list:
    """ORDER BY clauses for (column, id)."""
    if descending:
        return [column.desc(), id_column.desc()]
    return [column.asc(), id_column.asc()]


# Rows read in sort order before the search falls back to its index: a term or
# filter that matches at least one row in 40 fills a page from this window.
PROBE_WINDOW = 2000


def fetch_keyset_page(
    session,
    *,
    entity,
    sort_column: ColumnElement,
    id_column: ColumnElement,
    descending: bool,
    cursor: Cursor | None,
    limit: int,
    window_conditions: list,
    indexed_conditions: list,
) -> list:
    """Up to `limit` rows after `cursor`, planned so both common and rare matches stay fast.

    A common match is found by walking the sort index a bounded window at a time; when
    that window does not fill the page, the same match is asked of the search index,
    whose candidate set is small exactly when the window failed.
    """
    order = keyset_order(sort_column, id_column, descending)
    bounds = [keyset_after(sort_column, id_column, cursor, descending)] if cursor else []
    if window_conditions:
        window = (
            sa.select(id_column.label("window_id"))
            .where(*bounds)
            .order_by(*order)
            .limit(PROBE_WINDOW)
            .subquery()
        )
        probe = (
            sa.select(entity)
            .join(window, id_column == window.c.window_id)
            .where(*window_conditions)
            .order_by(*order)
            .limit(limit)
        )
        rows = list(session.scalars(probe))
        if len(rows) >= limit:
            return rows
    query = sa.select(entity).where(*bounds, *indexed_conditions).order_by(*order).limit(limit)
    return list(session.scalars(query))
