"""A reconciliation's previous and next of the same subscription, in (date, id) order."""

from datetime import date

from admin_app.db.reconciliations.neighbours import next_reconciliation, previous_reconciliation
from tests.factories import add_reconciliations


def test_the_same_subscriptions_reconciliations_before_and_after(session):
    q1, q2_first, q2_second, q3 = add_reconciliations(
        session,
        [
            {"subscription_name": "A-S00000001", "reconciliation_date": date(2025, 1, 1)},
            {"subscription_name": "A-S00000001", "reconciliation_date": date(2025, 4, 1)},
            {"subscription_name": "A-S00000001", "reconciliation_date": date(2025, 4, 1)},
            {"subscription_name": "A-S00000001", "reconciliation_date": date(2025, 7, 1)},
        ],
    )
    # Another subscription's, between them in time, and one of another account: not neighbours.
    add_reconciliations(
        session,
        [
            {"subscription_name": "A-S00000002", "reconciliation_date": date(2025, 2, 1)},
            {"subscription_name": "A-S00000002", "reconciliation_date": date(2025, 5, 1)},
        ],
    )

    def around(r):
        before = previous_reconciliation(session=session, reconciliation=r)
        after = next_reconciliation(session=session, reconciliation=r)
        return (before.id if before else None, after.id if after else None)

    assert around(q1) == (None, q2_first.id)
    assert around(q2_first) == (q1.id, q2_second.id)
    assert around(q2_second) == (q2_first.id, q3.id)
    assert around(q3) == (q2_second.id, None)


def test_a_subscription_that_moved_account_keeps_its_neighbours(session):
    [earlier] = add_reconciliations(
        session, [{"subscription_name": "A-S00000009", "reconciliation_date": date(2025, 1, 1)}]
    )
    [later] = add_reconciliations(
        session, [{"subscription_name": "A-S00000009", "reconciliation_date": date(2025, 4, 1)}]
    )
    assert earlier.billing_account_id != later.billing_account_id
    assert next_reconciliation(session=session, reconciliation=earlier) == later
    assert previous_reconciliation(session=session, reconciliation=later) == earlier
