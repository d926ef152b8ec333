"""Memberships: rule 1 (one per customer), rule 2 (Sold To / Bill To untouched), rule 7 (the last one)."""

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from admin_app.db.history.audit import Actor
from admin_app.db.memberships.edit import add_membership, delete_membership, existing_membership
from admin_app.db.models import BillingAccount, BillingAccountMembership, Customer, Version
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
    assert outcome.message == (
        f"bob@acme.test already manages ACME Corp ({acme.zuora_account_id}) through membership #{first.id}. "
        "A customer can have only one billing-account membership: delete that one first to move them."
    )
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

    assert outcome.needs_confirmation and outcome.message == (
        "This is the last membership of ACME Corp. After deleting it, nobody will be able to manage the "
        "account's subscriptions in the portal. Delete it anyway?"
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


def test_a_missing_customer_or_account_or_a_too_long_reason_is_named_beside_its_field(session):
    bob = add_customer(session, email="bob@acme.test")
    acme = add_account(session, sold_to=JANE)

    def attempt(customer_id, account_id, reason=""):
        return add_membership(
            session,
            customer_id=customer_id,
            billing_account_id=account_id,
            actor=Actor("support@example.com"),
            reason=reason,
            now=NOW,
        ).field_errors

    assert attempt(bob.id, acme.id, reason="x" * 2001) == {
        "reason": "Reason is too long (at most 2000 characters)."
    }
    assert attempt(bob.id + 999, acme.id + 999) == {
        "customer": "There is no customer with this id.",
        "billing_account": "There is no billing account with this id.",
    }
    assert attempt(bob.id, acme.id + 999) == {"billing_account": "There is no billing account with this id."}
    session.commit()
    assert session.exec(select(BillingAccountMembership)).all() == []
    assert session.exec(select(Version)).all() == []


def test_rule_1_a_membership_added_elsewhere_meanwhile_is_named_in_the_refusal(session):
    bob = add_customer(session, email="bob@acme.test")
    acme = add_account(session, sold_to=JANE, name="ACME Corp")
    globex = add_account(session, sold_to=AP, name="Globex")
    taken = {}

    def another_tab_adds_one_first(*_):
        with Session(session.get_bind()) as other:
            taken["membership"] = make_membership(other, other.get(Customer, bob.id), globex).id

    event.listen(session, "before_flush", another_tab_adds_one_first, once=True)
    outcome = add(session, bob, acme)
    assert outcome.message == (
        f"bob@acme.test already manages Globex ({globex.zuora_account_id}) through membership "
        f"#{taken['membership']}. A customer can have only one billing-account membership: delete that one "
        "first to move them."
    )
    memberships = session.exec(select(BillingAccountMembership)).all()
    assert [(m.customer_id, m.billing_account_id) for m in memberships] == [(bob.id, globex.id)]


def test_rule_1_a_membership_added_and_removed_elsewhere_meanwhile_still_refuses_this_one(session):
    bob = add_customer(session, email="bob@acme.test")
    acme = add_account(session, sold_to=JANE)
    globex = add_account(session, sold_to=AP, name="Globex")

    def another_tab_adds_one_first(*_):
        with Session(session.get_bind()) as other:
            make_membership(other, other.get(Customer, bob.id), globex)

    def and_removes_it_again(*_):
        with Session(session.get_bind()) as other:
            for membership in other.exec(select(BillingAccountMembership)):
                other.delete(membership)
            other.commit()

    event.listen(session, "before_flush", another_tab_adds_one_first, once=True)
    event.listen(session, "after_rollback", and_removes_it_again, once=True)
    outcome = add(session, bob, acme)
    assert outcome.message == "The customer already has a membership."
    assert session.exec(select(BillingAccountMembership)).all() == []


def test_a_deleted_membership_is_returned_as_it_was(session):
    bob = add_customer(session, email="bob@acme.test")
    acme = add_account(session, sold_to=JANE)
    membership = make_membership(session, bob, acme)
    outcome = delete(session, membership.id, confirmed_last=True)
    assert (outcome.value.id, outcome.value.customer_id, outcome.value.billing_account_id) == (
        membership.id,
        bob.id,
        acme.id,
    )


def test_rule_1_a_refusal_found_by_the_check_leaves_the_callers_transaction_alone(session):
    bob = add_customer(session, email="bob@acme.test")
    acme = add_account(session, sold_to=JANE)
    globex = add_account(session, sold_to=AP, name="Globex")
    make_membership(session, bob, acme)
    bob.company = "Bob's New Company"
    session.flush()
    outcome = add_membership(
        session,
        customer_id=bob.id,
        billing_account_id=globex.id,
        actor=Actor("s@example.com"),
        reason="",
        now=NOW,
    )
    assert outcome.message.startswith("bob@acme.test already manages ACME Corp")
    session.commit()
    session.expire_all()
    assert session.get(Customer, bob.id).company == "Bob's New Company"
