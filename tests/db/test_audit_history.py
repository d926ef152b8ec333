"""The history as the pages read it: the newest rows first and at most a page of them, who to name when
an edit is stale, and rule 6's question of whether a login was switched off on purpose."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from admin_app.db.history.audit import (
    Actor,
    NoActor,
    changes_between,
    history_about,
    history_of,
    last_change,
    login_disabled_change,
    record_version,
    stale_message,
)
from tests.factories import NOW, add_customer


def customer_row(
    session, customer_id: int, event: str, changes: dict, minutes: int, email: str = "lee@example.com"
):
    return record_version(
        session,
        item_type="customer",
        item_id=customer_id,
        event=event,
        actor=Actor(email),
        changes=changes,
        at=NOW + timedelta(minutes=minutes),
    )


def test_a_records_history_lists_its_newest_two_hundred_rows_newest_first(session):
    customer = add_customer(session)
    rows = [
        customer_row(session, customer.id, "update", {"company": [str(n), str(n + 1)]}, n) for n in range(201)
    ]
    customer_row(session, customer.id + 1, "update", {"company": ["a", "b"]}, 300)
    session.commit()
    newest_first = [v.id for v in reversed(rows)][:200]
    assert [v.id for v in history_of(session, item_type="customer", item_id=customer.id)] == newest_first
    assert [v.id for v in history_about(session, customer_id=customer.id)] == newest_first
    assert [
        v.id for v in history_of(session, item_type="customer", item_id=customer.id, limit=3)
    ] == newest_first[:3]


def test_a_change_without_an_actor_is_refused_naming_the_change_it_would_have_recorded(session):
    customer = add_customer(session)
    with pytest.raises(NoActor) as refused:
        customer_row(session, customer.id, "update", {"company": ["a", "b"]}, 0, email="  ")
    assert str(refused.value) == f"no actor for a update of customer {customer.id}"
    session.commit()
    assert history_of(session, item_type="customer", item_id=customer.id) == []


def test_an_address_longer_than_its_column_is_recorded_as_its_first_64_characters(session):
    customer = add_customer(session)
    address = "2001:db8::1, " * 5
    record_version(
        session,
        item_type="customer",
        item_id=customer.id,
        event="update",
        actor=Actor("lee@example.com", client_address=address),
        changes={"company": ["a", "b"]},
        at=NOW,
    )
    session.commit()
    session.expire_all()
    [version] = history_of(session, item_type="customer", item_id=customer.id)
    assert (len(address), version.client_address) == (65, address[:64])


def test_a_stale_edit_names_who_changed_the_record_last_and_when(session):
    customer = add_customer(session)
    assert stale_message(session, item_type="customer", item_id=customer.id, noun="customer") == (
        "This customer was changed after you opened it. Nothing was saved; reload to see the change."
    )
    assert last_change(session, item_type="customer", item_id=customer.id) is None
    customer_row(session, customer.id, "update", {"company": ["a", "b"]}, 0, "ann@example.com")
    latest = customer_row(session, customer.id, "update", {"company": ["b", "c"]}, 5, "bo@example.com")
    session.commit()
    assert last_change(session, item_type="customer", item_id=customer.id).id == latest.id
    assert stale_message(session, item_type="customer", item_id=customer.id, noun="customer") == (
        "This customer was changed by bo@example.com at 2026-11-22 12:05 UTC after you opened it. "
        "Nothing was saved; reload to see the change."
    )


@pytest.mark.parametrize(
    ("history", "disabled_by"),
    [
        # Oldest first: (event, login_activated change or None, actor).
        ([("create", [None, False], "portal-signup")], None),
        (
            [("create", [None, True], "portal-signup"), ("update", [True, False], "ann@example.com")],
            "ann@example.com",
        ),
        (
            [
                ("create", [None, True], "portal-signup"),
                ("update", [True, False], "ann@example.com"),
                ("update", [False, True], "bo@example.com"),
            ],
            None,
        ),
        (
            [
                ("update", [True, False], "ann@example.com"),
                ("update", [False, True], "bo@example.com"),
                ("update", [True, False], "cy@example.com"),
                ("update", None, "dee@example.com"),
            ],
            "cy@example.com",
        ),
    ],
    ids=["created-disabled", "switched-off", "switched-back-on", "switched-off-again"],
)
def test_a_login_counts_as_disabled_on_purpose_only_when_its_latest_switch_turned_it_off(
    session, history, disabled_by
):
    customer = add_customer(session, login_activated=False)
    for minutes, (event, change, actor) in enumerate(history):
        changes = {"login_activated": change} if change else {"company": ["a", "b"]}
        customer_row(session, customer.id, event, changes, minutes, actor)
    session.commit()
    found = login_disabled_change(session, customer_id=customer.id)
    assert (found.actor if found else None) == disabled_by


def test_a_change_records_dates_and_amounts_as_text_and_leaves_out_what_did_not_change():
    before = {"price": Decimal("1.50"), "starts": date(2026, 1, 1), "seats": 10, "plan": "premium"}
    after = {
        "price": Decimal("2.00"),
        "starts": date(2026, 2, 1),
        "seats": 10,
        "plan": "premium",
        "new": None,
    }
    assert changes_between(before, after) == {
        "price": ["1.50", "2.00"],
        "starts": ["2026-01-01", "2026-02-01"],
    }
    assert changes_between({"price": Decimal("1.5")}, {"price": Decimal("1.50")}) == {
        "price": ["1.5", "1.50"]
    }
