"""Rule 10: optimistic locking. A save names the lock_version it read; another save in between wins."""

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from admin_app.db.session import row_count


class StaleEdit(Exception):
    """Rule 10: another save changed the record (its lock_version moved) since it was read."""

    def __init__(self, item_type: str, item_id: int, noun: str) -> None:
        super().__init__(item_type, item_id)
        self.item_type, self.item_id, self.noun = item_type, item_id, noun


def compare_and_set(
    session: Session, model: type[Any], record_id: int, lock_version: int, values: Mapping[str, object]
) -> None:
    """Update a record only if nobody saved it since `lock_version`, and move its lock_version on."""
    updated = session.execute(
        sa.update(model)
        .where(model.id == record_id, model.lock_version == lock_version)
        .values(**values, lock_version=lock_version + 1)
    )
    if row_count(updated) != 1:
        table = model.__tablename__
        raise StaleEdit(table, record_id, table.replace("_", " "))
