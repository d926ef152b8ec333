"""Choosing a member as Sold To, Bill To or both: the plan, the address decided, history, staleness."""

import pytest
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from admin_app.db.accounts.contact_choice import (
    ADDRESS_DECISION,
    STALE_CHOICE,
    RoleChoice,
    apply_role_choice,
    plan_role_choice,
)
from admin_app.db.customers.edit import SoldToAddress
from admin_app.db.history.audit import Actor
from admin_app.db.models import BillingAccount, BillingAccountContact, Version
from tests.db.history_faults import history_writes_fail
from tests.factories import NOW, add_account, add_customer, add_membership

JANE = {"first_name": "Jane", "last_name": "Doe", "email": "jane@acme.test"}
AP = {"first_name": "Ap", "last_name": "Payable", "email": "ap@acme.test"}
BO = {"first_name": "Bo", "last_name": "Berg", "email": "bo@acme.test"}
ADDRESS = {"address_line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
ACTOR = Actor("support@example.com", request_id="req-1")


def account_with_members(session, *, bill_to: dict | None = AP):
    account = add_account(session, sold_to={**JANE, "city": "Springfield"}, bill_to=bill_to)
    jane, bo = add_customer(session, **JANE), add_customer(session, **BO)
    add_membership(session, jane, account)
    add_membership(session, bo, account)
    return account, jane, bo


def apply(session, choice, fingerprint, *, address=None, reason="Asked in ticket 12345"):
    outcome = apply_role_choice(
        session, choice, fingerprint=fingerprint, address=address, actor=ACTOR, reason=reason, now=NOW
    )
    session.commit()
    return outcome


def contact(session, contact_id) -> BillingAccountContact:
    return session.get(BillingAccountContact, contact_id)


def test_a_member_without_a_contact_becomes_bill_to_with_the_address_entered(session):
    account, _, bo = account_with_members(session)
    choice = RoleChoice(account.id, bo.id, "bill_to")
    plan = plan_role_choice(session, choice).value
    assert plan.needs_address
    [change] = plan.changes
    assert (change.what, change.before) == ("Bill To", "Ap Payable (ap@acme.test), US")
    assert change.after == "Bo Berg (bo@acme.test), a new contact (address decided below)"
    assert plan.warnings == (
        "Invoices for ACME Corp will go to Bo Berg (bo@acme.test).",
        "Ap Payable (ap@acme.test) stays among the account's contacts without a role.",
    )

    ap_id = account.bill_to_contact_id
    outcome = apply(session, choice, plan.fingerprint, address=SoldToAddress(keep=False, values=ADDRESS))
    assert outcome.ok
    session.refresh(account)
    new = contact(session, account.bill_to_contact_id)
    assert (new.email, new.first_name, new.address_line1, new.city) == (
        "bo@acme.test",
        "Bo",
        "1 Main St",
        "Springfield",
    )
    assert contact(session, account.sold_to_contact_id).email == "jane@acme.test"
    rows = session.exec(select(Version).order_by(Version.id)).all()
    assert [(v.item_type, v.event, v.request_id) for v in rows] == [
        ("billing_account_contact", "create", "req-1"),
        ("billing_account", "update", "req-1"),
    ]
    assert rows[0].reason == "Asked in ticket 12345"
    assert rows[1].changes == {"bill_to_contact_id": [ap_id, new.id]}
    assert rows[1].reason == "Bill To: bo@acme.test (a member); Asked in ticket 12345"


def test_the_address_must_be_decided_and_a_kept_one_is_said_so(session):
    account, _, bo = account_with_members(session, bill_to=None)
    choice = RoleChoice(account.id, bo.id, "sold_to")
    plan = plan_role_choice(session, choice).value
    assert plan.address_before == {
        "address_line1": "",
        "address_line2": "",
        "city": "Springfield",
        "state": "",
        "postal_code": "",
        "country": "US",
    }
    undecided = apply(session, choice, plan.fingerprint, address=None)
    assert undecided.field_errors == {"sold_to_address": ADDRESS_DECISION}
    unknown_country = SoldToAddress(keep=False, values={"country": "XX"})
    bad = apply(session, choice, plan.fingerprint, address=unknown_country)
    assert set(bad.field_errors) == {"sold_to_country"}
    assert session.exec(select(Version)).all() == []
    assert len(session.exec(select(BillingAccountContact)).all()) == 1

    kept = apply(session, choice, plan.fingerprint, address=SoldToAddress(keep=True))
    assert kept.ok
    session.refresh(account)
    sold_to = contact(session, account.sold_to_contact_id)
    assert (sold_to.email, sold_to.city) == ("bo@acme.test", "Springfield")
    created = session.exec(select(Version).where(Version.event == "create")).one()
    assert created.reason == "Asked in ticket 12345; the current holder's address was kept on purpose"


def test_splitting_a_shared_contact_warns_who_keeps_the_other_role(session):
    account, _, bo = account_with_members(session, bill_to=None)
    plan = plan_role_choice(session, RoleChoice(account.id, bo.id, "sold_to")).value
    assert (
        "The Sold To and Bill To become different people: the Bill To stays Jane Doe (jane@acme.test), "
        "Springfield, US." in plan.warnings
    )
    assert not any("without a role" in w for w in plan.warnings)


def test_a_member_with_a_contact_takes_it_for_both_roles(session):
    account, _, _ = account_with_members(session)
    ap = add_customer(session, **AP)
    add_membership(session, ap, account)
    choice = RoleChoice(account.id, ap.id, "both")
    plan = plan_role_choice(session, choice).value
    assert not plan.needs_address
    assert [(c.what, c.after) for c in plan.changes] == [
        ("Sold To", "Ap Payable (ap@acme.test), US"),
        ("Bill To", "Ap Payable (ap@acme.test), US"),
    ]
    assert apply(session, choice, plan.fingerprint).ok
    session.refresh(account)
    assert account.sold_to_contact_id == account.bill_to_contact_id
    assert contact(session, account.sold_to_contact_id).email == "ap@acme.test"
    [version] = session.exec(select(Version)).all()
    assert set(version.changes) == {"sold_to_contact_id", "bill_to_contact_id"}
    assert len(session.exec(select(BillingAccountContact)).all()) == 2


def test_a_bill_to_choice_warns_when_the_sold_to_is_not_a_member(session):
    account = add_account(session, sold_to=JANE, bill_to=AP)
    bo = add_customer(session, **BO)
    add_membership(session, bo, account)
    plan = plan_role_choice(session, RoleChoice(account.id, bo.id, "bill_to")).value
    assert (
        "The Sold To, jane@acme.test, is not a member of ACME Corp: nobody with that email can manage "
        "the account in the portal." in plan.warnings
    )


def test_refusals_write_nothing(session):
    account, jane, bo = account_with_members(session)
    outsider = add_customer(session, first_name="Out", last_name="Sider", email="out@else.test")
    assert plan_role_choice(session, RoleChoice(account.id, outsider.id, "sold_to")).message == (
        "Only a member of ACME Corp can be chosen: add their membership first."
    )
    assert plan_role_choice(session, RoleChoice(account.id, jane.id, "sold_to")).message == (
        "Jane Doe (jane@acme.test) is already the Sold To."
    )
    assert plan_role_choice(session, RoleChoice(account.id, bo.id, "owner")).message.startswith("Choose")
    assert plan_role_choice(session, RoleChoice(account.id + 999, bo.id, "sold_to")).message == (
        "There is no billing account with this id."
    )
    plan = plan_role_choice(session, RoleChoice(account.id, bo.id, "bill_to")).value
    no_reason = apply(session, RoleChoice(account.id, bo.id, "bill_to"), plan.fingerprint, reason=" ")
    assert set(no_reason.field_errors) == {"reason"}
    assert session.exec(select(Version)).all() == []


def test_rule_10_a_review_made_before_a_change_is_refused(session):
    account, _, bo = account_with_members(session)
    choice = RoleChoice(account.id, bo.id, "bill_to")
    plan = plan_role_choice(session, choice).value
    bill_to = contact(session, account.bill_to_contact_id)
    bill_to.email = "payables@acme.test"
    bill_to.lock_version += 1
    session.commit()
    outcome = apply(session, choice, plan.fingerprint, address=SoldToAddress(keep=True))
    assert outcome.message == STALE_CHOICE
    assert session.exec(select(Version)).all() == []
    assert session.get(BillingAccount, account.id).bill_to_contact_id == bill_to.id


def test_rule_9_no_history_no_change(session, db_url):
    account, _, bo = account_with_members(session)
    choice = RoleChoice(account.id, bo.id, "bill_to")
    plan = plan_role_choice(session, choice).value
    before = account.bill_to_contact_id
    with history_writes_fail(db_url, item_type="billing_account"), pytest.raises(DBAPIError):
        apply(session, choice, plan.fingerprint, address=SoldToAddress(keep=True))
    session.rollback()
    session.expire_all()
    assert session.get(BillingAccount, account.id).bill_to_contact_id == before
    emails = [c.email for c in session.exec(select(BillingAccountContact))]
    assert emails == ["jane@acme.test", "ap@acme.test"]
    assert session.exec(select(Version)).all() == []


def test_the_warnings_name_the_role_the_previous_holder_keeps_and_only_people_left_without_one(session):
    account, jane, bo = account_with_members(session, bill_to=None)
    bill_to_only = plan_role_choice(session, RoleChoice(account.id, bo.id, "bill_to")).value
    assert bill_to_only.warnings == (
        "Invoices for ACME Corp will go to Bo Berg (bo@acme.test).",
        "The Sold To and Bill To become different people: the Sold To stays Jane Doe (jane@acme.test), "
        "Springfield, US.",
    )
    split = add_account(session, sold_to=JANE, bill_to=AP, name="Globex")
    ap = add_customer(session, **AP)
    add_membership(session, ap, split)
    not_a_member = plan_role_choice(session, RoleChoice(split.id, jane.id, "both"))
    assert not_a_member.message == "Only a member of Globex can be chosen: add their membership first."
    both = plan_role_choice(session, RoleChoice(split.id, ap.id, "both")).value
    assert both.warnings == (
        "Invoices for Globex will go to Ap Payable (ap@acme.test).",
        "Jane Doe (jane@acme.test) stays among the account's contacts without a role.",
    )


def test_a_sold_to_choice_does_not_warn_about_the_sold_to_it_replaces(session):
    account = add_account(session, sold_to=JANE, bill_to=AP)
    bo = add_customer(session, **BO)
    add_membership(session, bo, account)
    plan = plan_role_choice(session, RoleChoice(account.id, bo.id, "sold_to")).value
    assert plan.warnings == ("Jane Doe (jane@acme.test) stays among the account's contacts without a role.",)


def test_an_account_without_a_holder_has_no_address_to_keep(session):
    account, _, bo = account_with_members(session)
    account.sold_to_contact_id = None
    session.commit()
    plan = plan_role_choice(session, RoleChoice(account.id, bo.id, "sold_to")).value
    assert (plan.changes[0].before, plan.address_before) == ("none", {})


def test_rule_10_a_member_added_after_the_review_makes_it_stale(session):
    account, _, bo = account_with_members(session)
    choice = RoleChoice(account.id, bo.id, "bill_to")
    plan = plan_role_choice(session, choice).value
    add_membership(session, add_customer(session, first_name="New", last_name="Member"), account)
    outcome = apply(session, choice, plan.fingerprint, address=SoldToAddress(keep=True))
    assert outcome.message == STALE_CHOICE
    assert session.exec(select(Version)).all() == []


def test_applying_to_an_unknown_account_is_refused(session):
    account, _, bo = account_with_members(session)
    missing = RoleChoice(account.id + 999, bo.id, "bill_to")
    assert apply(session, missing, "whatever", address=SoldToAddress(keep=True)).message == (
        "There is no billing account with this id."
    )


def test_rule_10_an_account_changed_while_the_choice_is_written_is_refused(session):
    account, _, bo = account_with_members(session)
    choice = RoleChoice(account.id, bo.id, "bill_to")
    plan = plan_role_choice(session, choice).value

    def another_tab_changes_the_account(*_):
        with Session(session.get_bind()) as other:
            changed = other.get(BillingAccount, account.id)
            changed.name, changed.lock_version = "ACME Corporation", changed.lock_version + 1
            other.commit()

    event.listen(session, "before_flush", another_tab_changes_the_account, once=True)
    outcome = apply(session, choice, plan.fingerprint, address=SoldToAddress(keep=True))
    assert outcome.message == STALE_CHOICE
    session.expire_all()
    assert session.get(BillingAccount, account.id).bill_to_contact_id == account.bill_to_contact_id
    assert session.exec(select(Version)).all() == []
