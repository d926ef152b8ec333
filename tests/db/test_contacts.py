"""Billing-account contacts: rule 8 (role banner), history (9), stale edits (10), split and join."""

import pytest
from sqlmodel import select

from admin_app.db.accounts.contacts import (
    ContactEdit,
    give_bill_to_its_own_contact,
    join_consequence,
    make_bill_to_the_sold_to,
    role_banner,
    update_contact,
)
from admin_app.db.history.audit import Actor
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
    # A contact of another account, or one that holds no role any more: no banner.
    assert role_banner(split, same.sold_to_contact_id) == ""


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
    assert join_consequence(session, billing_account_id=account.id + 999) == ""
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
    assert join_consequence(session, billing_account_id=account.id) == ""
    again = make_bill_to_the_sold_to(
        session, billing_account_id=account.id, lock_version=2, actor=STAFF, reason="Again", now=NOW
    )
    assert again.message == "The Bill To is already the Sold To contact."
    events = [
        (v.item_type, v.item_id, v.event, v.changes, v.reason)
        for v in session.exec(select(Version).order_by(Version.id))
    ]
    assert events == [
        (
            "billing_account_contact",
            own,
            "create",
            {
                "first_name": [None, "Ap"],
                "last_name": [None, "Payable"],
                "email": [None, "ap@acme.test"],
                "country": [None, "US"],
            },
            "Billing wants invoices",
        ),
        (
            "billing_account",
            account.id,
            "update",
            {"bill_to_contact_id": [sold_to, own]},
            "Billing wants invoices",
        ),
        (
            "billing_account",
            account.id,
            "update",
            {"bill_to_contact_id": [own, sold_to]},
            "Billing asked: one contact again",
        ),
    ]


def test_a_bill_to_whose_contact_row_is_gone_has_no_join_consequence_to_describe(session):
    account = add_account(session, sold_to=JANE, bill_to=AP)
    # Gone within this transaction: the account's reference to it is checked only at commit (deferred).
    session.delete(session.get(BillingAccountContact, account.bill_to_contact_id))
    session.flush()
    assert join_consequence(session, billing_account_id=account.id) == ""
    session.rollback()


def test_a_split_or_join_of_an_unknown_account_or_bad_contact_is_refused_and_writes_nothing(session):
    account = add_account(session, sold_to=JANE)
    missing = account.id + 999
    split_kwargs = {"lock_version": 0, "actor": STAFF, "reason": "Split", "now": NOW}
    assert give_bill_to_its_own_contact(
        session,
        billing_account_id=missing,
        edit=ContactEdit.from_form({**AP, "country": "US"}),
        **split_kwargs,
    ).message == ("There is no billing account with this id.")
    assert make_bill_to_the_sold_to(
        session, billing_account_id=missing, lock_version=0, actor=STAFF, reason="Join", now=NOW
    ).message == ("There is no billing account with this id.")
    bad = give_bill_to_its_own_contact(
        session,
        billing_account_id=account.id,
        edit=ContactEdit.from_form({**AP, "email": "nope", "country": "XX"}),
        **split_kwargs,
    )
    assert bad.field_errors == {
        "email": "Email is not a valid address (name@example.com).",
        "country": "Country must be a two-letter ISO 3166 code, such as US, DE or JP.",
    }
    session.commit()
    assert session.exec(select(Version)).all() == []
    assert len(session.exec(select(BillingAccountContact)).all()) == 1


def test_an_account_without_a_sold_to_has_nothing_to_join_the_bill_to_to(session):
    account = add_account(session, sold_to=JANE, bill_to=AP)
    account.sold_to_contact_id = None
    session.commit()
    assert join_consequence(session, billing_account_id=account.id) == ""
    outcome = make_bill_to_the_sold_to(
        session, billing_account_id=account.id, lock_version=0, actor=STAFF, reason="Join", now=NOW
    )
    assert outcome.message == "The Bill To is already the Sold To contact."
    session.commit()
    session.expire_all()
    assert session.get(BillingAccount, account.id).bill_to_contact_id is not None
    assert session.exec(select(Version)).all() == []


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (
            {"first_name": " Jane ", "last_name": "Doe ", "email": " jane@acme.test", "country": " de "},
            {"first_name": "Jane", "last_name": "Doe", "email": "jane@acme.test", "country": "DE"},
        ),
        ({"first_name": 42, "country": None}, {"first_name": 42, "country": None}),
    ],
    ids=["text", "not text"],
)
def test_a_contact_form_is_read_trimmed_with_the_country_upper_case(form, expected):
    blank = dict.fromkeys(
        (
            "first_name",
            "last_name",
            "email",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
        ),
        "",
    )
    assert ContactEdit.from_form(form).values == {**blank, "country": "", **expected}


def test_a_contact_edit_is_refused_with_exact_messages_when_unknown_unchanged_or_badly_filled(session):
    account = add_account(session, sold_to=JANE)
    contact = session.get(BillingAccountContact, account.sold_to_contact_id)
    edit_kwargs = {"lock_version": 0, "actor": STAFF, "now": NOW}
    assert update_contact(
        session, contact_id=contact.id + 999, edit=form(contact), reason="", **edit_kwargs
    ).message == ("There is no billing account contact with this id.")
    assert update_contact(
        session, contact_id=contact.id, edit=form(contact), reason="", **edit_kwargs
    ).message == ("Nothing to save: no field was changed.")
    bad = update_contact(
        session,
        contact_id=contact.id,
        edit=form(contact, first_name=" ", last_name="", city="Berlin"),
        reason="x" * 2001,
        **edit_kwargs,
    )
    assert bad.field_errors == {
        "first_name": "First name can't be blank.",
        "last_name": "Last name can't be blank.",
        "reason": "Reason is too long (at most 2000 characters).",
    }
    session.commit()
    assert session.exec(select(Version)).all() == []


def test_a_join_on_a_stale_account_names_who_changed_it_and_when(session):
    account = add_account(session, sold_to=JANE)
    split = give_bill_to_its_own_contact(
        session,
        billing_account_id=account.id,
        edit=ContactEdit.from_form({**AP, "country": "US"}),
        lock_version=0,
        actor=Actor("lee@example.com"),
        reason="Billing wants invoices",
        now=NOW,
    )
    session.commit()
    assert split.ok
    stale = make_bill_to_the_sold_to(
        session, billing_account_id=account.id, lock_version=0, actor=STAFF, reason="Join", now=NOW
    )
    assert stale.message == (
        "This billing account was changed by lee@example.com at 2026-11-22 12:00 UTC after you opened it. "
        "Nothing was saved; reload to see the change."
    )
    session.expire_all()
    fresh = session.get(BillingAccount, account.id)
    assert (fresh.bill_to_contact_id, fresh.lock_version) == (split.value.bill_to_contact_id, 1)
