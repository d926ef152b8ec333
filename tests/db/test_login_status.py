"""Login status: rule 6, detected from the history, and a reason for every switch that needs one."""

from datetime import UTC, datetime

from sqlmodel import select

from admin_app.db.audit import Actor, record_version
from admin_app.db.login_status import (
    LoginStatusQuery,
    count_not_activated,
    disabled_on_purpose,
    parse_login_status_query,
    search_not_activated,
    set_login_activated,
)
from admin_app.db.models import Customer, Version
from tests.factories import NOW, add_customer

DISABLED_AT = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)


def disabled_by_staff(session) -> Customer:
    customer = add_customer(session, login_activated=False)
    record_version(
        session,
        item_type="customer",
        item_id=customer.id,
        event="create",
        actor=Actor("portal-signup"),
        changes={},
        at=NOW,
    )
    record_version(
        session,
        item_type="customer",
        item_id=customer.id,
        event="update",
        actor=Actor("lee@example.com"),
        changes={"login_activated": [True, False]},
        at=DISABLED_AT,
        reason="Chargeback fraud",
    )
    session.commit()
    return customer


def switch(session, customer, activated: bool, *, reason="", confirmed=False, lock_version=None):
    outcome = set_login_activated(
        session,
        customer_id=customer.id,
        activated=activated,
        lock_version=customer.lock_version if lock_version is None else lock_version,
        confirmed=confirmed,
        actor=Actor("support@example.com"),
        reason=reason,
        now=NOW,
    )
    session.commit()
    session.expire_all()
    return outcome


def test_rule_6_a_login_disabled_on_purpose_is_detected_from_the_history(session):
    customer = disabled_by_staff(session)
    found = disabled_on_purpose(session, customer_id=customer.id)
    assert (found.actor, found.reason) == ("lee@example.com", "Chargeback fraud")
    assert found.at.replace(tzinfo=None) == DISABLED_AT.replace(tzinfo=None)
    never = add_customer(session, login_activated=False)
    assert disabled_on_purpose(session, customer_id=never.id) is None


def test_rule_6_re_activation_needs_a_reason_then_a_confirmation(session):
    customer = disabled_by_staff(session)
    assert switch(session, customer, True).field_errors == {"reason": "Reason can't be blank."}
    held = switch(session, customer, True, reason="Customer verified by phone")
    assert held.needs_confirmation
    assert held.message.startswith(
        "This login was disabled on purpose by lee@example.com on 2026-03-04 10:30 UTC"
    )
    assert session.get(Customer, customer.id).login_activated is False

    done = switch(session, customer, True, reason="Customer verified by phone", confirmed=True)

    assert done.ok and session.get(Customer, customer.id).login_activated is True
    latest = session.exec(select(Version).order_by(Version.id.desc())).first()
    assert (latest.changes, latest.reason) == (
        {"login_activated": [False, True]},
        "Customer verified by phone",
    )


def test_a_never_activated_login_is_activated_without_ceremony(session):
    customer = add_customer(session, login_activated=False)
    assert switch(session, customer, True).ok
    session.expire_all()
    assert session.get(Customer, customer.id).login_activated is True
    [version] = session.exec(select(Version).where(Version.item_id == customer.id)).all()
    assert version.changes == {"login_activated": [False, True]}


def test_deactivating_takes_a_reason_and_makes_the_next_re_activation_careful(session):
    customer = add_customer(session)
    assert switch(session, customer, False).field_errors == {"reason": "Reason can't be blank."}
    assert switch(session, customer, False, reason="Owner left the company").ok
    session.expire_all()
    assert session.get(Customer, customer.id).login_activated is False
    assert disabled_on_purpose(session, customer_id=customer.id).reason == "Owner left the company"
    customer = session.get(Customer, customer.id)
    assert switch(session, customer, True, reason="Back").needs_confirmation


def test_a_stale_switch_is_refused(session):
    customer = add_customer(session)
    outcome = switch(session, customer, False, reason="x", lock_version=5)
    assert "changed" in outcome.message
    assert session.get(Customer, customer.id).login_activated is True


def test_the_list_splits_disabled_on_purpose_from_never_activated(session):
    on_purpose = disabled_by_staff(session)
    never = add_customer(session, login_activated=False)
    add_customer(session)  # active: not listed

    def listed(kind=None):
        page, disabled = search_not_activated(session=session, query=LoginStatusQuery(kind=kind))
        assert count_not_activated(session=session, query=LoginStatusQuery(kind=kind)).value == len(page.rows)
        return {c.id for c in page.rows}, disabled

    everyone, disabled = listed()
    assert everyone == {on_purpose.id, never.id}
    assert disabled[on_purpose.id].actor == "lee@example.com" and never.id not in disabled
    assert listed("disabled")[0] == {on_purpose.id}
    assert listed("never")[0] == {never.id}
    assert parse_login_status_query({"kind": "bogus"})[1] == ["Unknown kind 'bogus' was ignored."]
