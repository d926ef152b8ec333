"""Membership and contact changes are listed where support looks: on the customer's and the billing
account's pages, beside the record's own changes; rule 6 still reads the customer's own rows."""

from admin_app.db.accounts.contacts import ContactEdit, update_contact
from admin_app.db.accounts.search import account_detail
from admin_app.db.customers.detail import customer_detail
from admin_app.db.customers.login_status import set_login_activated
from admin_app.db.history.audit import Actor, history_about, record_version
from admin_app.db.memberships.edit import add_membership, delete_membership
from admin_app.db.models import Subscription
from tests.factories import NOW, add_account, add_customer, add_reconciliations

JANE = {"first_name": "Jane", "last_name": "Doe", "email": "jane@acme.test"}
STAFF = Actor("support@example.com")


def kinds(versions) -> list[tuple[str, str]]:
    return [(v.item_type, v.event) for v in versions]


def test_a_membership_added_and_removed_is_on_both_pages(session):
    jane = add_customer(session, **JANE)
    acme = add_account(session, sold_to=JANE)
    other = add_account(session, sold_to={"first_name": "O", "last_name": "O", "email": "o@other.test"})
    added = add_membership(
        session, customer_id=jane.id, billing_account_id=acme.id, actor=STAFF, reason="", now=NOW
    ).value
    delete_membership(
        session, membership_id=added.id, confirmed_last=True, actor=STAFF, reason="Moved on", now=NOW
    )
    session.commit()
    expected = [("billing_account_membership", "destroy"), ("billing_account_membership", "create")]
    assert kinds(customer_detail(session, customer_id=jane.id).history) == expected
    assert kinds(account_detail(session, billing_account_id=acme.id).history) == expected
    assert history_about(session, billing_account_id=other.id) == []


def test_a_contact_change_is_on_its_accounts_page(session):
    acme = add_account(session, sold_to=JANE)
    outcome = update_contact(
        session,
        contact_id=acme.sold_to_contact_id,
        edit=ContactEdit.from_form({**JANE, "city": "Springfield", "country": "US"}),
        lock_version=0,
        actor=STAFF,
        reason="",
        now=NOW,
    )
    session.commit()
    assert outcome.ok
    assert kinds(account_detail(session, billing_account_id=acme.id).history) == [
        ("billing_account_contact", "update")
    ]


def test_rule_6_is_decided_by_the_customers_own_rows_not_by_a_later_membership(session):
    jane = add_customer(session, **JANE)
    acme = add_account(session, sold_to=JANE)
    switched_off = set_login_activated(
        session,
        customer_id=jane.id,
        activated=False,
        lock_version=0,
        confirmed=False,
        actor=STAFF,
        reason="Fraud",
        now=NOW,
    )
    assert switched_off.ok, switched_off
    add_membership(session, customer_id=jane.id, billing_account_id=acme.id, actor=STAFF, reason="", now=NOW)
    session.commit()
    detail = customer_detail(session, customer_id=jane.id)
    assert detail.disabled is not None and detail.disabled.reason == "Fraud"
    assert kinds(detail.history) == [("billing_account_membership", "create"), ("customer", "update")]


def test_a_billing_accounts_own_change_is_on_its_page(session):
    acme = add_account(session, sold_to=JANE)
    record_version(
        session,
        item_type="billing_account",
        item_id=acme.id,
        event="update",
        actor=STAFF,
        changes={"owner": ["jane@acme.test", "joe@acme.test"]},
        at=NOW,
    )
    session.commit()
    assert kinds(account_detail(session, billing_account_id=acme.id).history) == [
        ("billing_account", "update")
    ]
    assert [
        (v.customer_id, v.billing_account_id) for v in history_about(session, billing_account_id=acme.id)
    ] == [(None, acme.id)]


def test_a_change_to_a_reconciliation_or_a_subscription_is_on_its_accounts_page(session):
    [reconciliation] = add_reconciliations(session, [{"status": "failed"}])
    account_id = reconciliation.billing_account_id
    subscription = Subscription(
        name="A-S77770001",
        billing_account_id=account_id,
        plan="premium",
        seats=10,
        status="active",
        term_start=NOW.date(),
        term_end=NOW.date(),
        auto_renew=True,
        channel="direct",
        deployment="saas",
    )
    session.add(subscription)
    session.flush()
    for item_type, item_id in (("reconciliation", reconciliation.id), ("subscription", subscription.id)):
        record_version(
            session,
            item_type=item_type,
            item_id=item_id,
            event="update",
            actor=Actor("support@example.com"),
            changes={"note": [None, "checked"]},
            at=NOW,
        )
    session.commit()
    about = history_about(session, billing_account_id=account_id)
    assert sorted(v.item_type for v in about) == ["reconciliation", "subscription"]
