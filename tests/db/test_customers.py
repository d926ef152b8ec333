"""Editing a customer: rules 3, 4, 5, 9 and 10 on SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, select

from admin_app.db.customers.edit import (
    ADDRESS_DECISION,
    EMAIL_TAKEN,
    CustomerEdit,
    SoldToAddress,
    plan_customer_edit,
    save_customer_edit,
    unlink_account,
)
from admin_app.db.customers.tokens import issue_token
from admin_app.db.history.audit import Actor, NoActor
from admin_app.db.models import BillingAccount, BillingAccountContact, Customer, CustomerToken, Version
from admin_app.db.session import engine_for
from admin_app.db.validation import ASCII_LOCAL_PART
from tests.db.history_faults import history_writes_fail
from tests.factories import NOW, STAFF, add_account, add_customer, add_membership

KEEP = SoldToAddress(keep=True)
BOBS_ADDRESS_FORM = {
    "sold_to_address": "new",
    "sold_to_address_line1": " 2 Side St ",
    "sold_to_city": "Shelbyville",
    "sold_to_country": "ca",
}
JANE = {"first_name": "Jane", "last_name": "Doe", "email": "jane@acme.test"}


def edit_of(customer: Customer, **changes) -> CustomerEdit:
    fields = {
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "email": customer.email,
        "company": customer.company,
        "country": customer.country,
    }
    return CustomerEdit.from_form({**fields, **changes})


def save(
    session,
    customer: Customer,
    edit: CustomerEdit,
    *,
    reason: str = "",
    lock_version: int | None = None,
    actor: Actor | str = "support@example.com",
    sold_to_address: SoldToAddress | None = None,
):
    version = customer.lock_version if lock_version is None else lock_version
    plan = plan_customer_edit(session, customer_id=customer.id, edit=edit, lock_version=version)
    reviewed = plan.value.contact if plan.ok else None
    outcome = save_customer_edit(
        session,
        customer_id=customer.id,
        edit=edit,
        lock_version=version,
        reviewed_contact=reviewed,
        actor=actor if isinstance(actor, Actor) else Actor(actor),
        reason=reason,
        now=NOW,
        sold_to_address=sold_to_address,
    )
    session.commit()
    return outcome


def contacts_of(session, account: BillingAccount) -> tuple[BillingAccountContact, BillingAccountContact]:
    session.expire_all()
    fresh = session.get(BillingAccount, account.id)
    return session.get(BillingAccountContact, fresh.sold_to_contact_id), session.get(
        BillingAccountContact, fresh.bill_to_contact_id
    )


def history(session, item_type: str, item_id: int) -> list[Version]:
    session.expire_all()
    query = (
        select(Version).where(Version.item_type == item_type, Version.item_id == item_id).order_by(Version.id)
    )
    return list(session.exec(query))


# Rule 3 -------------------------------------------------------------------------------------------


def test_rule_3_the_contact_with_the_customers_email_follows_the_edit(session):
    jane = add_customer(session, **JANE)
    account = add_account(
        session, sold_to=JANE, bill_to={"first_name": "Ap", "last_name": "Payable", "email": "ap@acme.test"}
    )
    add_membership(session, jane, account)
    edit = edit_of(jane, last_name="Smith", email="jane.smith@acme.test")

    plan = plan_customer_edit(session, customer_id=jane.id, edit=edit, lock_version=0).value
    assert (plan.customer_id, plan.lock_version) == (jane.id, 0)
    assert plan.contact.replaces_sold_to is False and plan.contact.role == "Sold To"
    assert plan.contact.describe() == (
        "Saving will also update the Sold To contact of ACME Corp: "
        "Jane Doe (jane@acme.test) → Jane Smith (jane.smith@acme.test)."
    )
    assert save(session, jane, edit).ok
    sold_to, bill_to = contacts_of(session, account)
    assert (sold_to.last_name, sold_to.email) == ("Smith", "jane.smith@acme.test")
    assert bill_to.email == "ap@acme.test"
    [contact_change] = history(session, "billing_account_contact", sold_to.id)
    assert (contact_change.event, contact_change.reason) == (
        "update",
        f"Followed the edit of customer #{jane.id}",
    )
    assert contact_change.changes == {
        "last_name": ["Doe", "Smith"],
        "email": ["jane@acme.test", "jane.smith@acme.test"],
    }


def test_rule_9_the_rows_of_one_save_name_the_session_and_share_one_request_id(session):
    jane = add_customer(session, **JANE)
    account = add_account(session, sold_to=JANE)
    add_membership(session, jane, account)
    actor = Actor(
        "support@example.com", subject="okta|42", session_id="ab" * 32, client_address="203.0.113.9"
    )
    edit = edit_of(jane, email="jane.smith@acme.test")
    assert save(session, jane, edit, actor=actor).ok
    [customer_row] = history(session, "customer", jane.id)
    [contact_row] = history(session, "billing_account_contact", account.sold_to_contact_id)
    for row in (customer_row, contact_row):
        assert (row.actor, row.subject, row.session_id, row.client_address) == (
            "support@example.com",
            "okta|42",
            "ab" * 32,
            "203.0.113.9",
        )
    assert customer_row.request_id == contact_row.request_id == actor.request_id
    assert len(actor.request_id) == 32
    assert Actor("support@example.com").request_id != actor.request_id


def test_rule_3_the_contact_is_matched_by_email_in_any_case(session):
    jane = add_customer(session, **{**JANE, "email": "Jane@ACME.test"})
    account = add_account(session, sold_to={**JANE, "email": "jane@acme.test"})
    add_membership(session, jane, account)
    plan = plan_customer_edit(
        session, customer_id=jane.id, edit=edit_of(jane, first_name="Janet"), lock_version=0
    )
    assert plan.value.contact.replaces_sold_to is False


def test_rule_3_without_a_matching_contact_the_sold_to_is_replaced(session):
    bob = add_customer(session, first_name="Bob", last_name="Roe", email="bob@acme.test")
    account = add_account(
        session,
        sold_to={**JANE, "address_line1": "1 Old Rd"},
        bill_to={"first_name": "Ap", "last_name": "Payable", "email": "ap@acme.test"},
    )
    add_membership(session, bob, account)
    edit = edit_of(bob, company="ACME Europe")

    plan = plan_customer_edit(session, customer_id=bob.id, edit=edit, lock_version=0).value
    assert plan.contact.replaces_sold_to is True
    assert plan.contact.describe() == (
        "No contact of ACME Corp has this customer's email, so saving will replace the Sold To contact of "
        "ACME Corp, Jane Doe (jane@acme.test), with Bob Roe (bob@acme.test)."
    )
    bobs_address = SoldToAddress.from_form(BOBS_ADDRESS_FORM)
    assert save(session, bob, edit, sold_to_address=bobs_address, reason="  Ticket #7 ").ok
    sold_to, bill_to = contacts_of(session, account)
    assert (sold_to.first_name, sold_to.email, sold_to.address_line1, sold_to.city, sold_to.country) == (
        "Bob",
        "bob@acme.test",
        "2 Side St",
        "Shelbyville",
        "CA",
    )
    assert bill_to.email == "ap@acme.test"
    [row] = history(session, "billing_account_contact", sold_to.id)
    assert row.reason == f"Followed the edit of customer #{bob.id}: Ticket #7"
    assert row.changes["address_line1"] == ["1 Old Rd", "2 Side St"] and row.changes["country"] == [
        "US",
        "CA",
    ]


def test_rule_3_replacing_the_sold_to_needs_a_decision_about_the_address(session):
    bob = add_customer(session, first_name="Bob", last_name="Roe", email="bob@acme.test")
    account = add_account(session, sold_to={**JANE, "address_line1": "1 Old Rd"})
    add_membership(session, bob, account)
    edit = edit_of(bob, company="ACME Europe")
    plan = plan_customer_edit(session, customer_id=bob.id, edit=edit, lock_version=0).value
    assert plan.contact.address_before["address_line1"] == "1 Old Rd"

    undecided = save(session, bob, edit)
    assert undecided.field_errors == {"sold_to_address": ADDRESS_DECISION}
    bad = save(session, bob, edit, sold_to_address=SoldToAddress(keep=False, values={"country": "Atlantis"}))
    assert list(bad.field_errors) == ["sold_to_country"]
    session.expire_all()
    assert session.get(Customer, bob.id).company != "ACME Europe"
    assert contacts_of(session, account)[0].email == "jane@acme.test"
    assert history(session, "customer", bob.id) == []


def test_rule_3_when_sold_to_is_also_bill_to_both_roles_change_and_the_dialog_says_so(session):
    bob = add_customer(session, first_name="Bob", last_name="Roe", email="bob@acme.test")
    account = add_account(session, sold_to=JANE)
    add_membership(session, bob, account)
    plan = plan_customer_edit(
        session, customer_id=bob.id, edit=edit_of(bob, first_name="Robert"), lock_version=0
    ).value
    assert plan.contact.role == "Sold To and Bill To"
    assert plan.contact.describe() == (
        "No contact of ACME Corp has this customer's email, so saving will replace the Sold To contact of "
        "ACME Corp, Jane Doe (jane@acme.test), with Robert Roe (bob@acme.test). "
        "It is also the Bill To contact, which changes with it."
    )
    assert save(session, bob, edit_of(bob, first_name="Robert"), sold_to_address=KEEP).ok
    sold_to, bill_to = contacts_of(session, account)
    assert sold_to.id == bill_to.id and sold_to.first_name == "Robert"
    [row] = history(session, "billing_account_contact", sold_to.id)
    assert row.reason == (
        f"Followed the edit of customer #{bob.id}; the previous Sold To's address was kept on purpose"
    )


def test_rule_3_a_customer_without_a_membership_touches_no_contact(session):
    jane = add_customer(session, **JANE)
    account = add_account(session, sold_to=JANE)
    plan = plan_customer_edit(
        session, customer_id=jane.id, edit=edit_of(jane, first_name="Janet"), lock_version=0
    )
    assert plan.value.contact is None
    assert save(session, jane, edit_of(jane, first_name="Janet")).ok
    session.expire_all()
    assert session.get(Customer, jane.id).first_name == "Janet"
    assert contacts_of(session, account)[0].first_name == "Jane"


def test_rule_3_a_contact_without_a_role_follows_the_edit_as_the_billing_contact(session):
    jane = add_customer(session, **JANE)
    account = add_account(
        session, sold_to={"first_name": "Ap", "last_name": "Payable", "email": "ap@acme.test"}
    )
    former = BillingAccountContact(billing_account_id=account.id, country="US", **JANE)
    session.add(former)
    session.commit()
    add_membership(session, jane, account)
    plan = plan_customer_edit(
        session, customer_id=jane.id, edit=edit_of(jane, first_name="Janet"), lock_version=0
    ).value
    assert (plan.contact.billing_account_id, plan.contact.contact_id, plan.contact.role) == (
        account.id,
        former.id,
        "billing",
    )
    assert plan.contact.address_before == {}
    assert plan.contact.describe() == (
        "Saving will also update the billing contact of ACME Corp: "
        "Jane Doe (jane@acme.test) → Janet Doe (jane@acme.test)."
    )


def test_rule_3_an_account_without_a_sold_to_or_matching_contact_leaves_the_contacts_alone(session):
    bob = add_customer(session, first_name="Bob", last_name="Roe", email="bob@acme.test")
    account = add_account(session, sold_to=JANE)
    account.sold_to_contact_id = None
    session.commit()
    add_membership(session, bob, account)
    edit = edit_of(bob, first_name="Robert")
    assert plan_customer_edit(session, customer_id=bob.id, edit=edit, lock_version=0).value.contact is None
    assert save(session, bob, edit).ok
    assert history(session, "billing_account_contact", account.bill_to_contact_id) == []


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({}, CustomerEdit(first_name="", last_name="", email="", company="", country="")),
        (
            {
                "first_name": " Jane ",
                "last_name": "Doe  ",
                "email": " jane@acme.test ",
                "company": " ACME ",
                "country": " de",
                "skip_email_confirmation": "on",
            },
            CustomerEdit("Jane", "Doe", "jane@acme.test", "ACME", "DE", skip_email_confirmation=True),
        ),
        (
            {"first_name": 42, "country": None, "skip_email_confirmation": "true"},
            CustomerEdit(42, "", "", "", None, skip_email_confirmation=True),
        ),
        ({"skip_email_confirmation": True}, CustomerEdit("", "", "", "", "", skip_email_confirmation=True)),
        ({"skip_email_confirmation": "off"}, CustomerEdit("", "", "", "", "")),
        ({"skip_email_confirmation": False}, CustomerEdit("", "", "", "", "")),
    ],
    ids=["empty", "text", "not text", "checked", "unchecked", "false"],
)
def test_the_customer_form_is_read_trimmed_with_the_country_upper_case(form, expected):
    assert CustomerEdit.from_form(form) == expected


NO_ADDRESS = {
    "address_line1": "",
    "address_line2": "",
    "city": "",
    "state": "",
    "postal_code": "",
    "country": "",
}


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({}, None),
        ({"sold_to_address": ""}, None),
        ({"sold_to_address": "Keep"}, None),
        ({"sold_to_address": "keep", "sold_to_city": "Ignored"}, SoldToAddress(keep=True)),
        ({"sold_to_address": "new"}, SoldToAddress(keep=False, values=NO_ADDRESS)),
        (
            BOBS_ADDRESS_FORM,
            SoldToAddress(
                keep=False,
                values={**NO_ADDRESS, "address_line1": "2 Side St", "city": "Shelbyville", "country": "CA"},
            ),
        ),
        (
            {"sold_to_address": "new", "sold_to_state": 7, "sold_to_country": ["de"], "city": "Not mine"},
            SoldToAddress(keep=False, values={**NO_ADDRESS, "state": 7, "country": ["de"]}),
        ),
    ],
    ids=["no choice", "empty choice", "unknown choice", "keep", "new and empty", "new", "not text"],
)
def test_the_review_forms_address_choice_is_read_trimmed_with_the_country_upper_case(form, expected):
    assert SoldToAddress.from_form(form) == expected


# Rule 4 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "taken", ["other@acme.test", "OTHER@acme.test", "Other@Acme.Test", "  other@acme.test "]
)
def test_rule_4_an_email_another_customer_has_is_refused_in_any_case(session, taken):
    add_customer(session, email="other@acme.test")
    jane = add_customer(session, **JANE)
    outcome = save(session, jane, edit_of(jane, email=taken, first_name="Changed"))
    assert outcome.field_errors == {"email": EMAIL_TAKEN}
    session.expire_all()
    assert session.get(Customer, jane.id).first_name == "Jane"
    assert history(session, "customer", jane.id) == []


def test_rule_4_the_plan_already_refuses_an_email_another_customer_has(session):
    add_customer(session, email="other@acme.test")
    jane = add_customer(session, **JANE)
    plan = plan_customer_edit(
        session, customer_id=jane.id, edit=edit_of(jane, email="Other@acme.test"), lock_version=0
    )
    assert plan.field_errors == {"email": EMAIL_TAKEN}


def test_rule_4_an_address_that_is_not_valid_is_refused_as_such_even_if_an_older_row_has_it(session):
    legacy = "op\u017f@kodak.test"
    add_customer(session, email=legacy)
    jane = add_customer(session, **JANE)
    outcome = save(session, jane, edit_of(jane, email=legacy))
    assert outcome.field_errors == {"email": ASCII_LOCAL_PART}


def test_a_customer_without_a_company_can_be_saved_and_a_too_long_reason_cannot(session):
    jane = add_customer(session, **JANE)
    too_long = save(session, jane, edit_of(jane, company=""), reason="x" * 2001)
    assert too_long.field_errors == {"reason": "Reason is too long (at most 2000 characters)."}
    assert save(session, jane, edit_of(jane, company="")).ok
    session.expire_all()
    assert session.get(Customer, jane.id).company == ""


def test_rule_5_a_new_email_revokes_the_links_sent_to_the_previous_one(session):
    jane = add_customer(session, **JANE)
    link = issue_token(session, customer=jane, purpose="sign_in", actor=STAFF, now=NOW)
    session.commit()
    assert save(session, jane, edit_of(jane, email="jane2@acme.test")).ok
    session.expire_all()
    assert session.get(CustomerToken, link.id).revoked_at is not None


def test_rule_4_changing_only_the_letter_case_of_ones_own_email_is_allowed(session):
    jane = add_customer(session, **JANE)
    assert save(session, jane, edit_of(jane, email="Jane@Acme.TEST")).ok
    session.expire_all()
    # Kept in its normal form: the domain in lower case, the part before the @ as typed.
    assert session.get(Customer, jane.id).email == "Jane@acme.test"
    [version] = history(session, "customer", jane.id)
    assert version.changes["email"] == ["jane@acme.test", "Jane@acme.test"]


@pytest.mark.parametrize(
    "look_alike",
    ["\u212aim@acme.test", "\uff4bim@acme.test", "ki\u217f@acme.test"],
    ids=["Kelvin sign", "fullwidth k", "roman numeral m"],
)
def test_rule_4_a_look_alike_of_another_customers_email_is_refused_at_input(session, look_alike):
    add_customer(session, email="kim@acme.test")
    jane = add_customer(session, **JANE)
    outcome = save(session, jane, edit_of(jane, email=look_alike))
    assert outcome.field_errors == {"email": ASCII_LOCAL_PART}
    session.expire_all()
    assert session.get(Customer, jane.id).email == JANE["email"]


# Rule 5 -------------------------------------------------------------------------------------------


def test_rule_5_a_new_email_clears_the_confirmation(session):
    jane = add_customer(session, **JANE)
    outcome = save(session, jane, edit_of(jane, email="jane2@acme.test"))
    assert outcome.value.changes["confirmed_at"][1] is None
    session.expire_all()
    assert session.get(Customer, jane.id).confirmed_at is None


def test_rule_5_skip_email_confirmation_keeps_it(session):
    jane = add_customer(session, **JANE)
    outcome = save(session, jane, edit_of(jane, email="jane2@acme.test", skip_email_confirmation="on"))
    assert "confirmed_at" not in outcome.value.changes
    session.expire_all()
    assert session.get(Customer, jane.id).confirmed_at is not None


def test_rule_5_other_edits_keep_the_confirmation(session):
    jane = add_customer(session, **JANE)
    save(session, jane, edit_of(jane, company="Other"))
    session.expire_all()
    assert session.get(Customer, jane.id).confirmed_at is not None


# Rule 9 -------------------------------------------------------------------------------------------


def test_rule_9_the_history_says_who_when_before_after_and_why(session):
    jane = add_customer(session, **JANE)
    save(session, jane, edit_of(jane, first_name="Janet", country="de"), reason="Ticket #123")
    [version] = history(session, "customer", jane.id)
    assert (version.event, version.actor, version.reason) == ("update", "support@example.com", "Ticket #123")
    assert version.changes == {"first_name": ["Jane", "Janet"], "country": ["US", "DE"]}
    assert version.created_at.replace(tzinfo=None) == NOW.replace(tzinfo=None)


def test_rule_9_a_change_whose_history_cannot_be_written_is_not_made(session, db_url):
    jane = add_customer(session, **JANE)
    account = add_account(session, sold_to=JANE)
    add_membership(session, jane, account)
    with history_writes_fail(db_url):
        with pytest.raises(sa.exc.DBAPIError):
            save(session, jane, edit_of(jane, first_name="Janet", email="janet@acme.test"))
        session.rollback()
    session.expire_all()
    assert session.get(Customer, jane.id).first_name == "Jane"
    assert contacts_of(session, account)[0].email == "jane@acme.test"
    assert history(session, "customer", jane.id) == []


@pytest.mark.parametrize("actor", ["", "   "])
def test_rule_9_a_change_nobody_can_be_named_for_is_not_made(session, actor):
    jane = add_customer(session, **JANE)
    account = add_account(session, sold_to=JANE)
    add_membership(session, jane, account)
    with pytest.raises(NoActor):
        save(session, jane, edit_of(jane, first_name="Janet", email="janet@acme.test"), actor=actor)
    session.rollback()
    session.expire_all()
    assert session.get(Customer, jane.id).first_name == "Jane"
    assert contacts_of(session, account)[0].email == "jane@acme.test"
    assert history(session, "customer", jane.id) == []


# Rule 10 ------------------------------------------------------------------------------------------


def test_rule_10_the_second_of_two_sessions_is_refused_with_who_and_when(session, db_url):
    jane = add_customer(session, **JANE)
    with Session(engine_for(db_url)) as first, Session(engine_for(db_url)) as second:
        mine = first.get(Customer, jane.id)
        theirs = second.get(Customer, jane.id)
        assert save(first, mine, edit_of(mine, first_name="Janet")).ok
        outcome = save(second, theirs, edit_of(theirs, last_name="Smith"), lock_version=0)
    assert not outcome.ok
    assert outcome.message.startswith(
        "This customer was changed by support@example.com at 2026-11-22 12:00 UTC"
    )
    session.expire_all()
    found = session.get(Customer, jane.id)
    assert (found.first_name, found.last_name, found.lock_version) == ("Janet", "Doe", 1)


def test_rule_10_a_stale_lock_version_is_refused_before_anything_is_written(session):
    jane = add_customer(session, **JANE)
    assert save(session, jane, edit_of(jane, first_name="Janet"), actor="lee@example.com").ok
    outcome = save(session, jane, edit_of(jane, last_name="Smith"), lock_version=0)
    assert outcome.message == (
        "This customer was changed by lee@example.com at 2026-11-22 12:00 UTC after you opened it. "
        "Nothing was saved; reload to see the change."
    )
    assert [v.actor for v in history(session, "customer", jane.id)] == ["lee@example.com"]


def test_rule_4_an_email_taken_by_another_save_meanwhile_is_refused_beside_the_field(session):
    jane = add_customer(session, **JANE)

    def another_tab_takes_the_address_first(execute_state):
        if execute_state.is_update:
            with Session(session.get_bind()) as other:
                add_customer(other, email="janet@acme.test")

    # Between this save's check of the address and its write.
    event.listen(session, "do_orm_execute", another_tab_takes_the_address_first)
    outcome = save(session, jane, edit_of(jane, first_name="Janet", email="Janet@acme.test"))
    assert outcome.field_errors == {"email": EMAIL_TAKEN}
    session.expire_all()
    assert (session.get(Customer, jane.id).first_name, history(session, "customer", jane.id)) == ("Jane", [])


def test_rule_10_the_contact_changing_under_a_reviewed_plan_is_refused(session):
    bob = add_customer(session, first_name="Bob", last_name="Roe", email="bob@acme.test")
    account = add_account(session, sold_to=JANE)
    add_membership(session, bob, account)
    edit = edit_of(bob, first_name="Robert")
    reviewed = plan_customer_edit(session, customer_id=bob.id, edit=edit, lock_version=0).value.contact
    sold_to = contacts_of(session, account)[0]
    sold_to.first_name, sold_to.lock_version = "Janine", 1
    session.commit()
    outcome = save_customer_edit(
        session,
        customer_id=bob.id,
        edit=edit,
        lock_version=0,
        reviewed_contact=reviewed,
        actor=Actor("support@example.com"),
        reason="",
        now=NOW,
    )
    assert outcome.message.startswith("The billing account's contacts changed")
    session.expire_all()
    assert session.get(Customer, bob.id).first_name == "Bob"


# Bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Email is not a valid address (name@example.com)."),
        ({"email": "a@b"}, "email", "Email is not a valid address (name@example.com)."),
        ({"email": "x" * 250 + "@a.test"}, "email", "Email is too long (at most 254 characters)."),
        ({"first_name": "   "}, "first_name", "First name can't be blank."),
        ({"last_name": "x" * 101}, "last_name", "Last name is too long (at most 100 characters)."),
        ({"country": "XX"}, "country", "Country must be a two-letter ISO 3166 code, such as US, DE or JP."),
        ({"country": "USA"}, "country", "Country must be a two-letter ISO 3166 code, such as US, DE or JP."),
        ({"company": "x" * 201}, "company", "Company is too long (at most 200 characters)."),
        ({"first_name": 42}, "first_name", "First name must be text."),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_writes_nothing(session, changes, field, message):
    jane = add_customer(session, **JANE)
    outcome = save(session, jane, edit_of(jane, **changes))
    assert outcome.field_errors[field] == message
    assert history(session, "customer", jane.id) == []


def test_a_customer_that_does_not_exist_is_a_message_not_an_error(session):
    outcome = plan_customer_edit(
        session, customer_id=999_999, edit=edit_of(Customer(**JANE, country="US")), lock_version=0
    )
    assert outcome.message == "There is no customer with this id."


def test_saving_without_a_change_says_so(session):
    jane = add_customer(session, **JANE)
    assert save(session, jane, edit_of(jane)).message == "Nothing to save: no field was changed."


def test_unlinking_the_account_takes_a_reason_and_records_the_old_id(session):
    jane = add_customer(session, **JANE, uid=4242)
    refused = unlink_account(session, customer_id=jane.id, lock_version=0, actor=STAFF, reason=" ", now=NOW)
    assert refused.field_errors == {"reason": "Reason can't be blank."}
    done = unlink_account(
        session,
        customer_id=jane.id,
        lock_version=0,
        actor=Actor("s@example.com"),
        reason="Wrong account",
        now=NOW,
    )
    session.commit()
    assert done.ok and done.value.uid is None
    [version] = history(session, "customer", jane.id)
    assert (version.event, version.changes, version.reason) == (
        "update",
        {"uid": [4242, None]},
        "Wrong account",
    )


def test_unlinking_refuses_a_missing_customer_or_link_and_a_stale_version_with_who_and_when(session):
    assert unlink_account(
        session, customer_id=999_999, lock_version=0, actor=STAFF, reason="Wrong account", now=NOW
    ).message == ("There is no customer with this id.")
    unlinked = add_customer(session, **JANE)
    assert unlink_account(
        session, customer_id=unlinked.id, lock_version=0, actor=STAFF, reason="Wrong account", now=NOW
    ).message == ("This customer has no linked account.")

    bob = add_customer(session, first_name="Bob", last_name="Roe", email="bob@acme.test", uid=77)
    assert save(session, bob, edit_of(bob, first_name="Robert"), actor="lee@example.com").ok
    stale = unlink_account(
        session, customer_id=bob.id, lock_version=0, actor=STAFF, reason="Wrong account", now=NOW
    )
    assert stale.message == (
        "This customer was changed by lee@example.com at 2026-11-22 12:00 UTC after you opened it. "
        "Nothing was saved; reload to see the change."
    )
    session.expire_all()
    assert session.get(Customer, bob.id).uid == 77
    assert [v.changes for v in history(session, "customer", bob.id)] == [{"first_name": ["Bob", "Robert"]}]


@pytest.mark.parametrize(
    ("confirmed", "skip", "activated", "said"),
    [
        (True, False, True, ["becomes unconfirmed", "can still sign in"]),
        (True, True, True, ["stays confirmed", "can still sign in"]),
        (False, False, False, ["stays unconfirmed", "still cannot sign in"]),
        (False, True, True, ["stays unconfirmed", "can still sign in"]),
    ],
)
def test_a_new_address_is_reviewed_with_what_it_means_for_the_customer(
    session, confirmed, skip, activated, said
):
    customer = add_customer(session, confirmed_at=NOW if confirmed else None, login_activated=activated)
    edit = edit_of(customer, email="new.address@example.test", skip_email_confirmation=skip)
    plan = plan_customer_edit(
        session, customer_id=customer.id, edit=edit, lock_version=customer.lock_version
    ).made()
    first, sends, links, sign_in = plan.consequences
    assert said[0] in first and said[1] in sign_in
    assert "sends them no email" in sends and "previous address stops working" in links
    assert ("confirmed_at" in plan.changes) == (confirmed and not skip)


def test_a_change_that_keeps_the_address_has_no_consequences_to_review(session):
    customer = add_customer(session)
    edit = edit_of(customer, first_name="Renamed", email=customer.email.upper())
    plan = plan_customer_edit(
        session, customer_id=customer.id, edit=edit, lock_version=customer.lock_version
    ).made()
    assert plan.consequences == ()
