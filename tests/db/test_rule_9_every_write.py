"""Rule 9 for every support write: when the database refuses the history row, nothing of the change
stays. Each write runs under a real trigger that fails inserts into `version`; afterwards every row of
the tables a write can touch is what it was before."""

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from admin_app.db.accounts import contacts
from admin_app.db.customers import edit as customers
from admin_app.db.customers import login_status
from admin_app.db.history.audit import Actor
from admin_app.db.memberships import edit as memberships
from tests.db.history_faults import history_writes_fail
from tests.factories import NOW, add_account, add_customer, add_membership

ACTOR = Actor("support@example.com")
TABLES = ("customer", "billing_account", "billing_account_contact", "billing_account_membership", "version")
JANE = {"first_name": "Jane", "last_name": "Doe", "email": "jane@acme.test"}
AP = {"first_name": "Ap", "last_name": "Payable", "email": "ap@acme.test"}


def snapshot(session: Session) -> dict[str, list[tuple]]:
    session.expire_all()
    return {
        table: [tuple(row) for row in session.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))]
        for table in TABLES
    }


def _add_membership(session, world):
    return memberships.add_membership(
        session,
        customer_id=world["bo"].id,
        billing_account_id=world["split"].id,
        actor=ACTOR,
        reason="Bo manages it now",
        now=NOW,
    )


def _delete_membership(session, world):
    return memberships.delete_membership(
        session,
        membership_id=world["jane_membership"].id,
        confirmed_last=True,
        actor=ACTOR,
        reason="Left the company",
        now=NOW,
    )


def _edit_contact(session, world):
    contact_id = world["shared"].sold_to_contact_id
    edit = contacts.ContactEdit.from_form({**JANE, "city": "Berlin", "country": "DE"})
    return contacts.update_contact(
        session, contact_id=contact_id, edit=edit, lock_version=0, actor=ACTOR, reason="Moved", now=NOW
    )


def _join_bill_to(session, world):
    return contacts.make_bill_to_the_sold_to(
        session,
        billing_account_id=world["split"].id,
        lock_version=world["split"].lock_version,
        actor=ACTOR,
        reason="One contact again",
        now=NOW,
    )


def _split_bill_to(session, world):
    edit = contacts.ContactEdit.from_form({**AP, "email": "payables@acme.test", "country": "US"})
    return contacts.give_bill_to_its_own_contact(
        session,
        billing_account_id=world["shared"].id,
        edit=edit,
        lock_version=world["shared"].lock_version,
        actor=ACTOR,
        reason="Invoices to payables",
        now=NOW,
    )


def _disable_login(session, world):
    return login_status.set_login_activated(
        session,
        customer_id=world["jane"].id,
        activated=False,
        lock_version=world["jane"].lock_version,
        confirmed=True,
        actor=ACTOR,
        reason="Fraud suspected",
        now=NOW,
    )


def _unlink(session, world):
    return customers.unlink_account(
        session,
        customer_id=world["linked"].id,
        lock_version=world["linked"].lock_version,
        actor=ACTOR,
        reason="Wrong GitLab.com account",
        now=NOW,
    )


WRITES: dict[str, Callable] = {
    "membership add": _add_membership,
    "membership delete": _delete_membership,
    "contact edit": _edit_contact,
    "make the Bill To the Sold To": _join_bill_to,
    "give the Bill To its own contact": _split_bill_to,
    "login status": _disable_login,
    "unlink": _unlink,
}


@pytest.fixture
def world(session) -> dict:
    shared = add_account(session, sold_to=JANE, name="ACME Corp")
    split = add_account(session, sold_to={**JANE, "email": "jane@globex.test"}, bill_to=AP, name="Globex")
    jane = add_customer(session, **JANE)
    bo = add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    linked = add_customer(session, first_name="Li", last_name="Nk", email="li@acme.test", uid=4242)
    return {
        "shared": shared,
        "split": split,
        "jane": jane,
        "bo": bo,
        "linked": linked,
        "jane_membership": add_membership(session, jane, shared),
    }


@pytest.mark.parametrize("write", sorted(WRITES))
def test_rule_9_a_write_whose_history_cannot_be_recorded_leaves_nothing(session, db_url, world, write):
    before = snapshot(session)
    with history_writes_fail(db_url), pytest.raises(DBAPIError):
        outcome = WRITES[write](session, world)
        # A write that reports a problem instead would not be the write under test.
        assert outcome.ok, outcome
        session.commit()
    session.rollback()
    assert snapshot(session) == before


@pytest.mark.parametrize("write", sorted(WRITES))
def test_each_write_here_does_write_when_history_works(session, world, write):
    """The control: without the fault, the same call changes the database and records its history."""
    before = snapshot(session)
    outcome = WRITES[write](session, world)
    session.commit()
    assert outcome.ok, outcome
    after = snapshot(session)
    assert len(after["version"]) > len(before["version"])
    assert {t: rows for t, rows in after.items() if t != "version"} != {
        t: rows for t, rows in before.items() if t != "version"
    }
