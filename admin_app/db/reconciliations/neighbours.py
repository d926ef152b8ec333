"""A reconciliation's neighbours: the same subscription's reconciliation before it and after it.

Reconciliations of a subscription are ordered by (reconciliation_date, id), so two on one day still
have a before and an after. Each neighbour is one step along the index on (subscription_name,
reconciliation_date, id).
"""

import sqlalchemy as sa
from sqlmodel import Session, col, select

from admin_app.db.models import Reconciliation


def _neighbour(session: Session, r: Reconciliation, *, before: bool) -> Reconciliation | None:
    day, row_id = col(Reconciliation.reconciliation_date), col(Reconciliation.id)
    key = sa.tuple_(day, row_id)
    position = sa.tuple_(sa.literal(r.reconciliation_date), sa.literal(r.id))
    statement = select(Reconciliation).where(col(Reconciliation.subscription_name) == r.subscription_name)
    if before:
        statement = statement.where(day <= r.reconciliation_date, key < position)
        statement = statement.order_by(day.desc(), row_id.desc())
    else:
        statement = statement.where(day >= r.reconciliation_date, key > position)
        statement = statement.order_by(day, row_id)
    return session.exec(statement.limit(1)).first()


def previous_reconciliation(*, session: Session, reconciliation: Reconciliation) -> Reconciliation | None:
    """The same subscription's reconciliation just before `reconciliation`, if any."""
    return _neighbour(session, reconciliation, before=True)


def next_reconciliation(*, session: Session, reconciliation: Reconciliation) -> Reconciliation | None:
    """The same subscription's reconciliation just after `reconciliation`, if any."""
    return _neighbour(session, reconciliation, before=False)
