"""Rules 9 and 10 for one record: saved only from the lock_version that was read, with its history row
in the same transaction; a stale save is refused with who came first, and nothing of it is written."""

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from admin_app.db.customers.login_status import set_login_activated
from admin_app.db.customers.tokens import issue_token
from admin_app.db.history.audit import Actor, audited_update, record_version, update_with_history
from admin_app.db.locking import StaleEdit
from admin_app.db.models import BillingAccountContact, Customer, CustomerToken, Version
from admin_app.db.session import engine_for
from tests.factories import NOW, STAFF, add_account, add_customer

ANN = Actor("ann@example.com", subject="ann-sub", session_id="s-1", client_address="10.0.0.1")


def stored(session: Session, model: type, record_id: int) -> tuple:
    """The row as the database holds it, read past the session's identity map."""
    return tuple(session.execute(sa.select(model.__table__).where(model.__table__.c.id == record_id)).one())


def versions(session: Session) -> list[Version]:
    return list(session.exec(select(Version).order_by(Version.id)).all())


def rename(session: Session, customer: Customer, lock_version: int, actor: Actor = ANN, **kwargs):
    return audited_update(
        session,
        customer,
        lock_version,
        {"company": "Initech", "updated_at": NOW},
        changes={"company": [customer.company, "Initech"]},
        actor=actor,
        reason="  Renamed  ",
        now=NOW,
        **kwargs,
    )


def test_a_save_from_the_lock_version_read_writes_the_values_and_their_history_row(session):
    customer = add_customer(session, company="Globex")
    outcome = rename(session, customer, 0)
    session.commit()
    saved = outcome.made()
    assert saved is customer and saved.company == "Initech" and saved.lock_version == 1
    session.expire_all()
    row = session.get(Customer, customer.id)
    assert (row.company, row.lock_version, row.updated_at.replace(tzinfo=NOW.tzinfo)) == ("Initech", 1, NOW)
    [version] = versions(session)
    assert (version.item_type, version.item_id, version.event) == ("customer", customer.id, "update")
    assert (version.actor, version.subject, version.session_id, version.client_address) == (
        "ann@example.com",
        "ann-sub",
        "s-1",
        "10.0.0.1",
    )
    assert version.changes == {"company": ["Globex", "Initech"]}
    assert version.reason == "Renamed"
    assert version.created_at.replace(tzinfo=NOW.tzinfo) == NOW
    assert version.request_id == ANN.request_id
    assert version.customer_id == customer.id and version.billing_account_id is None


def test_a_stale_save_is_refused_with_who_came_first_and_nothing_is_written(session):
    customer = add_customer(session, company="Globex")
    rename(session, customer, 0, actor=Actor("bo@example.com"))
    session.commit()
    before = stored(session, Customer, customer.id)
    # Something else the same transaction wrote goes with it: the transaction is rolled back whole.
    customer.country = "DE"
    session.add(customer)
    session.flush()
    outcome = rename(session, customer, 0)
    assert not outcome.ok and outcome.value is None
    assert outcome.message == (
        "This customer was changed by bo@example.com at 2026-11-22 12:00 UTC after you opened it. "
        "Nothing was saved; reload to see the change."
    )
    session.commit()
    assert stored(session, Customer, customer.id) == before
    assert [v.actor for v in versions(session)] == ["bo@example.com"]


def test_a_stale_refusal_names_the_record_as_asked_or_says_what_it_is_given(session):
    customer = add_customer(session)
    customer_id = customer.id
    named = rename(session, customer, 3, noun="portal user")
    assert named.message == (
        "This portal user was changed after you opened it. Nothing was saved; reload to see the change."
    )
    customer = session.get(Customer, customer_id)
    told = rename(session, customer, 3, noun="portal user", refusal="Review the plan again.")
    assert told.message == "Review the plan again." and not told.needs_confirmation
    assert versions(session) == []
    assert session.get(Customer, customer_id).lock_version == 0


def test_a_stale_refusal_names_the_table_in_words_by_default(session):
    account = add_account(session, sold_to={"first_name": "Jane", "last_name": "Doe", "email": "j@acme.test"})
    contact = session.get(BillingAccountContact, account.sold_to_contact_id)
    record_version(
        session,
        item_type="billing_account_contact",
        item_id=contact.id,
        event="update",
        actor=Actor("cy@example.com"),
        changes={"city": ["", "Rome"]},
        at=NOW,
    )
    session.commit()
    outcome = audited_update(
        session,
        contact,
        1,
        {"city": "Paris"},
        changes={"city": ["", "Paris"]},
        actor=STAFF,
        reason="",
        now=NOW,
    )
    assert outcome.message.startswith("This billing account contact was changed by cy@example.com at ")


def test_inside_a_larger_transaction_a_stale_save_raises_and_a_change_of_no_field_adds_no_row(session):
    customer = add_customer(session)
    arguments = {"changes": {}, "actor": STAFF, "reason": "", "now": NOW}
    update_with_history(session, Customer, customer.id, 0, {"updated_at": NOW}, **arguments)
    session.commit()
    assert session.get(Customer, customer.id).lock_version == 1 and versions(session) == []
    with pytest.raises(StaleEdit) as stale:
        update_with_history(session, Customer, customer.id, 0, {"company": "X"}, **arguments)
    assert (stale.value.item_type, stale.value.item_id, stale.value.noun) == (
        "customer",
        customer.id,
        "customer",
    )
    assert versions(session) == []


def test_a_write_that_goes_on_after_its_audited_update_stops_at_a_stale_refusal(session, db_url):
    """Switching a login off revokes the customer's links after the save: not when the save was stale."""
    customer = add_customer(session)
    link = issue_token(session, customer=customer, purpose="sign_in", actor=STAFF, now=NOW)
    session.commit()
    with Session(engine_for(db_url)) as other:
        assert rename(other, other.get(Customer, customer.id), 0, actor=Actor("bo@example.com")).ok
        other.commit()
    # This session still holds the customer at lock_version 0: the save itself finds it stale.
    outcome = set_login_activated(
        session,
        customer_id=customer.id,
        activated=False,
        lock_version=0,
        confirmed=False,
        actor=ANN,
        reason="Fraud suspected",
        now=NOW,
    )
    assert outcome.message.startswith("This customer was changed by bo@example.com at ")
    session.commit()
    session.expire_all()
    assert session.get(CustomerToken, link.id).revoked_at is None
    assert session.get(Customer, customer.id).login_activated is True
    assert [v.actor for v in versions(session)] == ["bo@example.com"]
