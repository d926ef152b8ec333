"""Rule 10: optimistic locking. A save names the lock_version it read; another save in between wins."""

from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlmodel import Session


class StaleEdit(Exception):
    """Rule 10: another save changed the record (its lock_version moved) since it was read."""

    def __init__(self, item_type: str, item_id: int, noun: str) -> None:
        super().__init__(item_type, item_id)
        self.item_type, self.item_id, self.noun = item_type, item_id, noun


def compare_and_set(session: Session, model, record_id: int, lock_version: int, values: dict) -> None:
    """Update a record only if nobody saved it since `lock_version`, and move its lock_version on."""
    updated = cast(
        CursorResult,
        session.execute(
            sa.update(model)
            .where(model.id == record_id, model.lock_version == lock_version)
            .values(**values, lock_version=lock_version + 1)
        ),
    )
    if updated.rowcount != 1:
        table = model.__tablename__
        raise StaleEdit(table, record_id, table.replace("_", " "))
