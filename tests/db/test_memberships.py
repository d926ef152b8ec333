"""Memberships: rule 1 (one per customer), rule 2 (Sold To / Bill To untouched), rule 7 (the last one)."""

import pytest
from sqlmodel import select

from admin_app.db.audit import Actor
from admin_app.db.memberships import add_membership, delete_membership, existing_membership
from admin_app.db.models import BillingAccount, BillingAccountMembership, Version
from tests.factories import NOW, add_account, add_customer
from tests.factories import add_membership as make_membership

JANE = {"first_name": "Jane", "last_name": "Doe", "email": "jane@acme.test"}
AP = {"first_name": "Ap", "last_name": "Payable", "email": "ap@acme.test"}
BO = {"first_name": "Bo", "last_name": "Berg", "email": "bo@acme.test"}


def add(session, customer, account, reason=""):
    outcome = add_membership(
        session,
        customer_id=customer.id,
        billing_account_id=account.id,
        actor=Actor("support@example.com"),
        reason=reason,
        now=NOW,
    )
    session.commit()
    return outcome


def delete(session, membership_id: int, confirmed_last: bool = False, reason: str = "Left the company"):
    outcome = delete_membership(
        session,
        membership_id=membership_id,
        confirmed_last=confirmed_last,
        actor=Actor("support@example.com"),
        reason=reason,
        now=NOW,
    )
    session.commit()
    return outcome


def test_rule_1_a_second_membership_is_refused_naming_the_first(session):
    bob = add_customer(session, email="bob@acme.test")
    acme = add_account(session, sold_to=JANE, name="ACME Corp")
    globex = add_account(session, sold_to=AP, name="Globex")
    first = add(session, bob, acme).value
    assert existing_membership(session, customer_id=bob.id).membership_id == first.id

    outcome = add(session, bob, globex)

    assert not outcome.ok
    assert outcome.message.startswith(f"bob@acme.test already manages ACME Corp ({acme.zuora_account_id})")
    assert f"membership #{first.id}" in outcome.message
    memberships = session.exec(select(BillingAccountMembership)).all()
    assert [(m.customer_id, m.billing_account_id) for m in memberships] == [(bob.id, acme.id)]


def test_rule_2_adding_and_deleting_a_membership_leave_the_contacts_alone(session):
    bob = add_customer(session, email="bob@acme.test")
    acme = add_account(session, sold_to=JANE, bill_to=AP)
    before = (acme.sold_to_contact_id, acme.bill_to_contact_id)
    membership = add(session, bob, acme).value
    delete(session, membership.id, confirmed_last=True)
    session.expire_all()
    account = session.get(BillingAccount, acme.id)
    assert (account.sold_to_contact_id, account.bill_to_contact_id) == before
    assert session.exec(select(Version).where(Version.item_type == "billing_account_contact")).all() == []


def test_adding_and_deleting_are_in_the_history(session):
    bob = add_customer(session, email="bob@acme.test")
    acme = add_account(session, sold_to=JANE)
    membership = add(session, bob, acme, reason="Ticket #9").value
    delete(session, membership.id, confirmed_last=True)
    versions = session.exec(select(Version).order_by(Version.id)).all()
    assert [(v.event, v.changes, v.reason) for v in versions] == [
        ("create", {"customer_id": [None, bob.id], "billing_account_id": [None, acme.id]}, "Ticket #9"),
        (
            "destroy",
            {"customer_id": [bob.id, None], "billing_account_id": [acme.id, None]},
            "Left the company",
        ),
    ]


def test_rule_7_the_last_membership_asks_again_and_stays_until_confirmed(session):
    bob = add_customer(session, email="bob@acme.test")
    acme = add_account(session, sold_to=JANE, name="ACME Corp")
    membership = make_membership(session, bob, acme)

    outcome = delete(session, membership.id)

    assert outcome.needs_confirmation and outcome.message.startswith(
        "This is the last membership of ACME Corp."
    )
    assert session.get(BillingAccountMembership, membership.id) is not None
    assert delete(session, membership.id, confirmed_last=True).ok
    session.expire_all()
    assert session.get(BillingAccountMembership, membership.id) is None


def test_rule_7_a_membership_that_is_not_the_last_goes_at_once(session):
    acme = add_account(session, sold_to=JANE)
    first = make_membership(session, add_customer(session), acme)
    second = make_membership(session, add_customer(session), acme)
    assert delete(session, first.id).ok
    session.expire_all()
    assert session.get(BillingAccountMembership, first.id) is None
    assert session.get(BillingAccountMembership, second.id) is not None


def test_ids_that_do_not_exist_get_messages(session):
    acme = add_account(session, sold_to=JANE)
    outcome = add_membership(
        session,
        customer_id=999_999,
        billing_account_id=acme.id,
        actor=Actor("s@example.com"),
        reason="",
        now=NOW,
    )
    assert outcome.field_errors == {"customer": "There is no customer with this id."}
    assert delete(session, 999_999).message.startswith("This membership no longer exists")


@pytest.mark.parametrize("reason", ["", "   "])
def test_rule_9_a_membership_is_deleted_only_with_a_reason(session, reason):
    jane = add_customer(session, **JANE)
    acme = add_account(session, sold_to=JANE)
    membership = make_membership(session, jane, acme)
    make_membership(
        session, add_customer(session, first_name="Bo", last_name="B", email="bo@acme.test"), acme
    )
    outcome = delete(session, membership.id, reason=reason)
    assert outcome.field_errors == {"reason": "Reason can't be blank."}
    session.expire_all()
    assert session.get(BillingAccountMembership, membership.id) is not None
    assert versions_of(session, membership.id) == []


def test_the_reason_for_a_delete_is_in_its_history_row(session):
    jane = add_customer(session, **JANE)
    acme = add_account(session, sold_to=JANE)
    membership = make_membership(session, jane, acme)
    make_membership(
        session, add_customer(session, first_name="Bo", last_name="B", email="bo@acme.test"), acme
    )
    assert delete(session, membership.id, reason="Requester left ACME, ticket 4711").ok
    [row] = versions_of(session, membership.id)
    assert (row.event, row.reason) == ("destroy", "Requester left ACME, ticket 4711")


def versions_of(session, membership_id: int) -> list[Version]:
    statement = select(Version).where(
        Version.item_type == "billing_account_membership", Version.item_id == membership_id
    )
    return list(session.exec(statement))
