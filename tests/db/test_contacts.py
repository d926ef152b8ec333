"""Billing-account contacts: rule 8 (role banner), history (9), stale edits (10), split and join."""

from sqlmodel import select

from admin_app.db.audit import Actor
from admin_app.db.contacts import (
    ContactEdit,
    give_bill_to_its_own_contact,
    join_consequence,
    make_bill_to_the_sold_to,
    role_banner,
    update_contact,
)
from admin_app.db.models import BillingAccount, BillingAccountContact, Version
from tests.factories import NOW, STAFF, add_account

JANE = {"first_name": "Jane", "last_name": "Doe", "email": "jane@acme.test"}
AP = {"first_name": "Ap", "last_name": "Payable", "email": "ap@acme.test"}


def form(contact: BillingAccountContact, **changes) -> ContactEdit:
    fields = {name: getattr(contact, name) for name in ("first_name", "last_name", "email", "country")}
    return ContactEdit.from_form({**fields, **changes})


def test_rule_8_the_banner_names_the_role_being_edited(session):
    same = add_account(session, sold_to=JANE, name="ACME Corp")
    split = add_account(session, sold_to=JANE, bill_to=AP, name="Globex")
    assert (
        role_banner(same, same.sold_to_contact_id)
        == "You are editing the Sold To and Bill To contact of ACME Corp."
    )
    assert role_banner(split, split.sold_to_contact_id) == "You are editing the Sold To contact of Globex."
    assert role_banner(split, split.bill_to_contact_id) == "You are editing the Bill To contact of Globex."


def test_an_edit_is_saved_with_its_history_and_a_stale_one_is_refused(session):
    account = add_account(session, sold_to=JANE)
    contact = session.get(BillingAccountContact, account.sold_to_contact_id)
    outcome = update_contact(
        session,
        contact_id=contact.id,
        edit=form(contact, city="Berlin", country="de"),
        lock_version=0,
        actor=Actor("support@example.com"),
        reason="Moved",
        now=NOW,
    )
    session.commit()
    assert outcome.ok and outcome.value.city == "Berlin"
    [version] = session.exec(select(Version)).all()
    assert version.changes == {"city": ["", "Berlin"], "country": ["US", "DE"]} and version.reason == "Moved"

    stale = update_contact(
        session,
        contact_id=contact.id,
        edit=form(contact, city="Paris"),
        lock_version=0,
        actor=Actor("other@example.com"),
        reason="",
        now=NOW,
    )
    assert stale.message.startswith("This contact was changed by support@example.com")


def test_bad_contact_input_writes_nothing(session):
    account = add_account(session, sold_to=JANE)
    contact = session.get(BillingAccountContact, account.sold_to_contact_id)
    outcome = update_contact(
        session,
        contact_id=contact.id,
        edit=form(contact, email="nope", postal_code="9" * 21),
        lock_version=0,
        actor=Actor("s@example.com"),
        reason="",
        now=NOW,
    )
    assert set(outcome.field_errors) == {"email", "postal_code"}
    assert session.exec(select(Version)).all() == []


def test_bill_to_can_be_split_off_and_joined_back(session):
    account = add_account(session, sold_to=JANE)
    split = give_bill_to_its_own_contact(
        session,
        billing_account_id=account.id,
        edit=ContactEdit.from_form({**AP, "country": "US"}),
        lock_version=0,
        actor=Actor("s@example.com"),
        reason="Billing wants invoices",
        now=NOW,
    )
    session.commit()
    assert split.ok and split.value.bill_to_contact_id != split.value.sold_to_contact_id
    sold_to, own = split.value.sold_to_contact_id, split.value.bill_to_contact_id
    assert join_consequence(session, billing_account_id=account.id) == (
        "Invoices for ACME Corp will go to the Sold To, Jane Doe (jane@acme.test), instead of Ap Payable "
        "(ap@acme.test). Ap Payable stays among the account's contacts without a role."
    )
    blank = make_bill_to_the_sold_to(
        session, billing_account_id=account.id, lock_version=1, actor=STAFF, reason=" ", now=NOW
    )
    assert blank.field_errors == {"reason": "Reason can't be blank."}
    joined = make_bill_to_the_sold_to(
        session,
        billing_account_id=account.id,
        lock_version=1,
        actor=Actor("s@example.com"),
        reason="Billing asked: one contact again",
        now=NOW,
    )
    session.commit()
    assert joined.ok
    session.expire_all()
    fresh = session.get(BillingAccount, account.id)
    assert fresh.bill_to_contact_id == fresh.sold_to_contact_id
    events = [(v.item_type, v.event, v.changes) for v in session.exec(select(Version).order_by(Version.id))]
    assert [e[:2] for e in events] == [
        ("billing_account_contact", "create"),
        ("billing_account", "update"),
        ("billing_account", "update"),
    ]
    assert events[1][2] == {"bill_to_contact_id": [sold_to, own]}
    assert events[2][2] == {"bill_to_contact_id": [own, sold_to]}
