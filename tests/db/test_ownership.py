"""Ownership change on both databases: the two handbook processes as one transaction, their plan,
the rules on the way (1, 6, 7, 10, 13) and one request id for the whole change."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from admin_app.db.history.audit import Actor, record_version
from admin_app.db.memberships.ownership import (
    EXISTING,
    NEW_PERSON,
    STALE_PLAN,
    OwnershipRequest,
    apply_ownership_change,
    plan_ownership_change,
)
from admin_app.db.memberships.ownership_evidence import Evidence
from admin_app.db.models import (
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    Customer,
    Version,
)
from tests.db.history_faults import history_writes_fail
from tests.factories import add_account, add_customer, add_membership, subscription_row

NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)
JANE = {"first_name": "Jane", "last_name": "Doe", "email": "jane@acme.test"}
AP = {"first_name": "Ap", "last_name": "Payable", "email": "ap@acme.test"}
ADDRESS = {"address_line1": "1 Main St", "city": "Springfield", "postal_code": "12345"}
CONTRACT = Evidence(kind="prior_contract", ticket="12345", note="Signed contract attached to the ticket")


def acme(session, *, reseller: str | None = None) -> BillingAccount:
    account = add_account(session, sold_to={**JANE, **ADDRESS}, bill_to=AP)
    account.reseller = reseller
    channel = "reseller" if reseller else "direct"
    session.add(subscription_row(account.id, f"A-S{account.id:08d}", channel=channel))
    session.commit()
    return account


def request(account, email: str, evidence: Evidence = CONTRACT, **more) -> OwnershipRequest:
    return OwnershipRequest(billing_account_id=account.id, requester_email=email, evidence=evidence, **more)


def plan(session, wanted: OwnershipRequest):
    return plan_ownership_change(session, wanted, today=NOW.date())


def apply(session, wanted: OwnershipRequest, fingerprint: str, actor: Actor | None = None):
    outcome = apply_ownership_change(
        session, wanted, fingerprint=fingerprint, actor=actor or Actor("support@example.com"), now=NOW
    )
    session.commit()
    session.expire_all()
    return outcome


def members(session, account) -> list[str]:
    rows = session.exec(
        select(Customer.email)
        .join(BillingAccountMembership, BillingAccountMembership.customer_id == Customer.id)
        .where(BillingAccountMembership.billing_account_id == account.id)
        .order_by(Customer.email)
    )
    return list(rows)


def contact(session, contact_id: int) -> BillingAccountContact:
    return session.get(BillingAccountContact, contact_id)


def test_existing_customer_becomes_member_and_sold_to_and_the_previous_owner_leaves(session):
    account = acme(session)
    jane = add_customer(session, **JANE)
    add_membership(session, jane, account)
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    wanted = request(account, "BO@acme.test")

    planned = plan(session, wanted).value
    assert planned.process == EXISTING
    assert [(c.what, c.before, c.after) for c in planned.changes] == [
        ("Membership", "none", "bo@acme.test manages ACME Corp"),
        (planned.changes[1].what, "jane@acme.test manages ACME Corp", "removed"),
        (
            "Sold To contact",
            "Jane Doe (jane@acme.test), 1 Main St, Springfield, 12345, US",
            "Bo Berg (bo@acme.test), 1 Main St, Springfield, 12345, US",
        ),
    ]
    actor = Actor("support@example.com")
    assert apply(session, wanted, planned.fingerprint, actor).ok

    assert members(session, account) == ["bo@acme.test"]
    sold_to = contact(session, account.sold_to_contact_id)
    assert (sold_to.first_name, sold_to.email, sold_to.address_line1) == ("Bo", "bo@acme.test", "1 Main St")
    assert contact(session, account.bill_to_contact_id).email == "ap@acme.test"
    rows = session.exec(select(Version).order_by(Version.id)).all()
    assert [(v.item_type, v.event) for v in rows] == [
        ("billing_account_membership", "create"),
        ("billing_account_membership", "destroy"),
        ("billing_account_contact", "update"),
        ("billing_account", "update"),
    ]
    assert {v.request_id for v in rows} == {actor.request_id}
    summary = rows[-1]
    assert summary.changes == {"owner": ["Jane Doe (jane@acme.test)", "Bo Berg (bo@acme.test)"]}
    assert summary.reason == (
        "Ownership change: Jane Doe (jane@acme.test) → Bo Berg (bo@acme.test); evidence: prior subscription "
        "contract; ticket 12345; note: Signed contract attached to the ticket"
    )


def test_a_requester_who_manages_another_account_is_moved_only_when_support_confirms(session):
    account = acme(session)
    other = add_account(
        session, sold_to={"first_name": "Oz", "last_name": "O", "email": "oz@other.test"}, name="Other"
    )
    bo = add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    add_membership(session, bo, other)
    wanted = request(account, "bo@acme.test")
    planned = plan(session, wanted).value
    assert planned.manages_other_account.startswith("Other (")
    assert any("a customer manages one account" in w for w in planned.warnings)
    assert any("Other" in w and "nobody to manage it." in w for w in planned.warnings)

    unconfirmed = apply(session, wanted, planned.fingerprint)
    assert unconfirmed.needs_confirmation and "manages Other" in unconfirmed.message
    assert (members(session, other), members(session, account)) == (["bo@acme.test"], [])

    confirmed = request(account, "bo@acme.test", move_from_other_account=True)
    assert apply(session, confirmed, planned.fingerprint).ok
    assert (members(session, other), members(session, account)) == ([], ["bo@acme.test"])


def test_a_new_person_takes_over_the_previous_owners_customer_record(session):
    account = acme(session)
    jane = add_customer(session, **JANE, uid=4242)
    add_membership(session, jane, account)
    confirmed = jane.confirmed_at
    wanted = request(account, "neo@acme.test", first_name="Neo", last_name="New")

    planned = plan(session, wanted).value
    assert planned.process == NEW_PERSON
    assert [c.what for c in planned.changes] == [
        f"Customer #{jane.id}",
        "Sold To contact",
        "Linked GitLab.com account",
    ]
    assert planned.changes[0].after == "Neo New (neo@acme.test), email confirmation skipped"
    assert apply(session, wanted, planned.fingerprint).ok

    renamed = session.get(Customer, jane.id)
    assert (renamed.first_name, renamed.email, renamed.uid) == ("Neo", "neo@acme.test", None)
    assert renamed.confirmed_at == confirmed
    sold_to = contact(session, account.sold_to_contact_id)
    assert (sold_to.first_name, sold_to.email, sold_to.city) == ("Neo", "neo@acme.test", "Springfield")
    assert members(session, account) == ["neo@acme.test"]
    assert len({v.request_id for v in session.exec(select(Version))}) == 1


def test_a_plan_made_before_someone_else_changed_the_account_is_refused_whole(session):
    account = acme(session)
    jane = add_customer(session, **JANE)
    add_membership(session, jane, account)
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    wanted = request(account, "bo@acme.test")
    planned = plan(session, wanted).value
    sold_to = contact(session, account.sold_to_contact_id)
    sold_to.city, sold_to.lock_version = "Shelbyville", sold_to.lock_version + 1
    session.add(sold_to)
    session.commit()

    outcome = apply(session, wanted, planned.fingerprint)
    assert outcome.message == STALE_PLAN
    assert members(session, account) == ["jane@acme.test"]
    assert session.exec(select(Version)).all() == []


def test_invoice_evidence_on_a_reseller_account_changes_nothing(session):
    account = acme(session, reseller="Softchoice")
    jane = add_customer(session, **JANE)
    add_membership(session, jane, account)
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    invoice = Evidence(kind="recent_invoice", ticket="1", note="Invoice", invoice_date=date(2026, 10, 1))
    outcome = plan(session, request(account, "bo@acme.test", invoice))
    assert "bought through a reseller (Softchoice)" in outcome.field_errors["evidence"]
    applied = apply(session, request(account, "bo@acme.test", invoice), "any")
    assert not applied.ok
    assert members(session, account) == ["jane@acme.test"]
    assert session.exec(select(Version)).all() == []


def test_a_new_person_needs_a_customer_behind_the_sold_to(session):
    account = acme(session)
    outcome = plan(session, request(account, "neo@acme.test", first_name="Neo", last_name="New"))
    assert outcome.message.startswith("No customer has the Sold To's email (jane@acme.test).")


def test_a_new_person_needs_a_name(session):
    account = acme(session)
    outcome = plan(session, request(account, "neo@acme.test"))
    assert outcome.field_errors == {
        "first_name": "First name can't be blank.",
        "last_name": "Last name can't be blank.",
    }


def test_an_email_with_sql_wildcards_finds_nobody(session):
    account = acme(session)
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    outcome = plan(session, request(account, "b%@acme.test", first_name="B", last_name="W"))
    assert outcome.message.startswith("No customer has the Sold To's email")


def test_a_disabled_login_is_named_in_the_plan_and_stays_disabled(session):
    account = acme(session)
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test", login_activated=False)
    planned = plan(session, request(account, "bo@acme.test")).value
    assert any("bo@acme.test's login is not activated" in w for w in planned.warnings)


def test_rule_9_when_the_last_history_row_cannot_be_written_nothing_of_the_change_is_made(session, db_url):
    account = acme(session)
    jane = add_customer(session, **JANE)
    add_membership(session, jane, account)
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    wanted = request(account, "bo@acme.test")
    planned = plan(session, wanted).value
    with history_writes_fail(db_url, item_type="billing_account"), pytest.raises(DBAPIError):
        apply(session, wanted, planned.fingerprint)
    session.rollback()
    session.expire_all()
    assert members(session, account) == ["jane@acme.test"]
    assert contact(session, account.sold_to_contact_id).email == "jane@acme.test"
    assert session.exec(select(Version)).all() == []


@pytest.mark.parametrize(
    ("deployment", "evidence", "message"),
    [
        (
            "saas",
            Evidence(kind="license_text", ticket="12345", note="Pasted", license_text="a license file"),
            "A license copy is evidence only for self-managed subscriptions.",
        ),
        (
            "self-managed",
            Evidence(kind="namespace_owner", ticket="12345", note="Checked", namespace="acme"),
            "The namespace owner check is for SaaS subscriptions only.",
        ),
    ],
)
def test_rule_13_evidence_is_weighed_against_this_accounts_own_deployments(
    session, deployment, evidence, message
):
    account = add_account(session, sold_to=JANE)
    session.add(subscription_row(account.id, f"A-S{account.id:08d}", deployment=deployment))
    other = add_account(session, sold_to=AP, name="Other Corp")
    other_deployment = "saas" if deployment == "self-managed" else "self-managed"
    session.add(subscription_row(other.id, f"A-S{other.id:08d}", deployment=other_deployment))
    session.commit()
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    outcome = plan(session, request(account, "bo@acme.test", evidence))
    assert outcome.field_errors == {"evidence": message}


def test_a_new_persons_plan_lists_each_change_before_and_after_with_its_warnings(session):
    account = add_account(session, sold_to={**JANE, **ADDRESS})
    jane = add_customer(session, **JANE, uid=4242, login_activated=False)
    add_membership(session, jane, account)
    wanted = request(account, " neo@acme.test ", first_name=" Neo ", last_name=" New ")

    planned = plan(session, wanted).value
    assert (planned.process, planned.previous_owner, planned.new_owner, planned.manages_other_account) == (
        NEW_PERSON,
        "Jane Doe (jane@acme.test)",
        "Neo New (neo@acme.test)",
        "",
    )
    assert [(c.what, c.before, c.after) for c in planned.changes] == [
        (
            f"Customer #{jane.id}",
            "Jane Doe (jane@acme.test)",
            "Neo New (neo@acme.test), email confirmation skipped",
        ),
        (
            "Sold To and Bill To contact",
            "Jane Doe (jane@acme.test), 1 Main St, Springfield, 12345, US",
            "Neo New (neo@acme.test), 1 Main St, Springfield, 12345, US",
        ),
        ("Linked GitLab.com account", "uid 4242", "unlinked"),
    ]
    assert planned.warnings == (
        "The Sold To is also the Bill To: invoices will go to neo@acme.test.",
        "The Sold To's address stays the company's address; edit the contact afterwards if it differs.",
        "Send neo@acme.test a one-time sign-in link so they can link their GitLab.com account.",
        "jane@acme.test's login is not activated: they cannot sign in until it is (Login status).",
    )
    assert planned.evidence == (
        "evidence: prior subscription contract; ticket 12345; note: Signed contract attached to the ticket"
    )
    assert planned.history_reason == (
        "Ownership change: Jane Doe (jane@acme.test) → Neo New (neo@acme.test); " + planned.evidence
    )


def test_a_new_person_cannot_take_over_a_customer_record_that_manages_another_account(session):
    account = acme(session)
    other = add_account(session, sold_to={"first_name": "Oz", "last_name": "O", "email": "oz@other.test"})
    jane = add_customer(session, **JANE)
    add_membership(session, jane, other)
    outcome = plan(session, request(account, "neo@acme.test", first_name="Neo", last_name="New"))
    assert outcome.message == (
        "jane@acme.test does not manage ACME Corp, so renaming their customer record would not change this "
        "account. Add the requester as a customer, then change the owner to that customer."
    )


def test_a_new_person_cannot_take_over_a_customer_record_that_manages_nothing(session):
    account = acme(session)
    add_customer(session, **JANE)
    outcome = plan(session, request(account, "neo@acme.test", first_name="Neo", last_name="New"))
    assert not outcome.ok
    assert outcome.message.startswith("jane@acme.test does not manage ACME Corp, so renaming")


def test_without_a_customer_behind_the_sold_to_the_refusal_says_what_to_do_instead(session):
    account = acme(session)
    outcome = plan(session, request(account, "neo@acme.test", first_name="Neo", last_name="New"))
    assert outcome.message == (
        "No customer has the Sold To's email (jane@acme.test). Add the requester as a customer, then change "
        "the owner to that customer."
    )


@pytest.mark.parametrize("previous_manages", ["nothing", "another account"])
def test_the_previous_owners_membership_elsewhere_is_left_alone(session, previous_manages):
    account = acme(session)
    other = add_account(session, sold_to={"first_name": "Oz", "last_name": "O", "email": "oz@other.test"})
    jane = add_customer(session, **JANE)
    if previous_manages == "another account":
        add_membership(session, jane, other)
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    wanted = request(account, "bo@acme.test")
    planned = plan(session, wanted).value
    assert [c.what for c in planned.changes] == ["Membership", "Sold To contact"]
    assert apply(session, wanted, planned.fingerprint).ok
    assert members(session, account) == ["bo@acme.test"]
    assert members(session, other) == (["jane@acme.test"] if previous_manages == "another account" else [])


def test_when_an_older_contact_has_the_previous_owners_email_the_plan_shows_only_what_applying_changes(
    session,
):
    account = BillingAccount(zuora_account_id="f" * 32, name="ACME Corp", salesforce_account_id="001x")
    session.add(account)
    session.flush()
    billing = BillingAccountContact(billing_account_id=account.id, country="US", **JANE)
    session.add(billing)
    session.flush()
    sold_to = BillingAccountContact(billing_account_id=account.id, country="US", **JANE, **ADDRESS)
    session.add(sold_to)
    session.flush()
    account.sold_to_contact_id, account.bill_to_contact_id = sold_to.id, billing.id
    session.add(account)
    session.commit()
    jane = add_customer(session, **JANE)
    add_membership(session, jane, account)
    wanted = request(account, "neo@acme.test", first_name="Neo", last_name="New")

    planned = plan(session, wanted).value
    assert [c.what for c in planned.changes] == [f"Customer #{jane.id}"]
    assert apply(session, wanted, planned.fingerprint).ok
    assert contact(session, sold_to.id).email == "jane@acme.test"
    assert contact(session, billing.id).email == "neo@acme.test"


def test_a_requester_moving_from_another_account_sees_every_change_and_warning_before_confirming(session):
    account = acme(session)
    jane = add_customer(session, **JANE)
    add_membership(session, jane, account)
    other = add_account(
        session, sold_to={"first_name": "Oz", "last_name": "O", "email": "oz@other.test"}, name="Other"
    )
    bo = add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    bos = add_membership(session, bo, other)
    janes = session.exec(
        select(BillingAccountMembership).where(BillingAccountMembership.customer_id == jane.id)
    ).one()
    wanted = request(account, "bo@acme.test")

    planned = plan(session, wanted).value
    elsewhere = f"Other ({other.zuora_account_id})"
    assert (planned.account_id, planned.account_name, planned.manages_other_account) == (
        account.id,
        "ACME Corp",
        elsewhere,
    )
    assert [(c.what, c.before, c.after) for c in planned.changes] == [
        (f"Membership #{bos.id}", f"bo@acme.test manages {elsewhere}", "removed"),
        ("Membership", "none", "bo@acme.test manages ACME Corp"),
        (f"Membership #{janes.id}", "jane@acme.test manages ACME Corp", "removed"),
        (
            "Sold To contact",
            "Jane Doe (jane@acme.test), 1 Main St, Springfield, 12345, US",
            "Bo Berg (bo@acme.test), 1 Main St, Springfield, 12345, US",
        ),
    ]
    assert planned.warnings == (
        f"bo@acme.test manages {elsewhere} today; a customer manages one account, so that "
        "membership ends. Confirm the requester wants to stop managing it.",
        f"{elsewhere} will have nobody to manage it.",
        "The Sold To's address stays the company's address; edit the contact afterwards if it differs.",
    )
    unconfirmed = apply(session, wanted, planned.fingerprint)
    assert (unconfirmed.message, unconfirmed.needs_confirmation) == (
        f"bo@acme.test manages {elsewhere}. Confirm that the membership there should end, then save again.",
        True,
    )
    applied = apply(
        session, request(account, "bo@acme.test", move_from_other_account=True), planned.fingerprint
    )
    assert applied.value == planned


def test_a_requester_who_already_manages_the_account_only_takes_over_the_shared_contact(session):
    account = add_account(session, sold_to={**JANE, **ADDRESS})
    jane = add_customer(session, **JANE)
    bo = add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    add_membership(session, jane, account)
    add_membership(session, bo, account)
    janes = session.exec(
        select(BillingAccountMembership).where(BillingAccountMembership.customer_id == jane.id)
    ).one()

    planned = plan(session, request(account, "bo@acme.test")).value
    assert planned.manages_other_account == ""
    assert [(c.what, c.before, c.after) for c in planned.changes] == [
        (f"Membership #{janes.id}", "jane@acme.test manages ACME Corp", "removed"),
        (
            "Sold To and Bill To contact",
            "Jane Doe (jane@acme.test), 1 Main St, Springfield, 12345, US",
            "Bo Berg (bo@acme.test), 1 Main St, Springfield, 12345, US",
        ),
    ]
    assert planned.warnings == (
        "The Sold To is also the Bill To: invoices will go to bo@acme.test.",
        "The Sold To's address stays the company's address; edit the contact afterwards if it differs.",
    )


@pytest.mark.parametrize(
    ("reason", "why"), [("Chargeback", "Chargeback"), (None, "no reason given")], ids=["reason", "no-reason"]
)
def test_a_requesters_login_disabled_on_purpose_is_named_with_who_when_and_why(session, reason, why):
    account = acme(session)
    bo = add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test", login_activated=False)
    record_version(
        session,
        item_type="customer",
        item_id=bo.id,
        event="update",
        actor=Actor("lee@example.com"),
        changes={"login_activated": [True, False]},
        at=datetime(2026, 3, 4, 10, 30, tzinfo=UTC),
        reason=reason,
    )
    session.commit()
    planned = plan(session, request(account, "bo@acme.test")).value
    assert planned.warnings[-1] == (
        f"bo@acme.test's login was disabled on purpose by lee@example.com on 2026-03-04 ({why}). The "
        "ownership change does not re-activate it: that takes a confirmation and a reason of its own."
    )


@pytest.mark.parametrize("changed", ["bill_to", "previous owner", "requester"])
def test_a_plan_is_stale_once_the_bill_to_or_either_customer_changed(session, changed):
    account = acme(session)
    jane = add_customer(session, **JANE)
    add_membership(session, jane, account)
    bo = add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    wanted = request(account, "bo@acme.test")
    planned = plan(session, wanted).value
    record = {
        "bill_to": contact(session, account.bill_to_contact_id),
        "previous owner": jane,
        "requester": bo,
    }[changed]
    record.lock_version += 1
    session.add(record)
    session.commit()
    assert apply(session, wanted, planned.fingerprint).message == STALE_PLAN
    assert members(session, account) == ["jane@acme.test"]


@pytest.mark.parametrize("change", ["member added", "membership passed on"])
def test_a_plan_is_stale_once_the_accounts_memberships_changed(session, change):
    account = acme(session)
    jane = add_customer(session, **JANE)
    janes = add_membership(session, jane, account)
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    cy = add_customer(session, first_name="Cy", last_name="Cole", email="cy@acme.test")
    wanted = request(account, "bo@acme.test")
    planned = plan(session, wanted).value
    if change == "membership passed on":
        # Jane's membership goes and Cy's comes (on SQLite under the very same id).
        session.delete(janes)
        session.commit()
    add_membership(session, cy, account)
    assert apply(session, wanted, planned.fingerprint).message == STALE_PLAN
    assert "bo@acme.test" not in members(session, account)


def test_a_membership_changed_on_another_account_leaves_the_plan_valid(session):
    account = acme(session)
    jane = add_customer(session, **JANE)
    add_membership(session, jane, account)
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    wanted = request(account, "bo@acme.test")
    planned = plan(session, wanted).value
    other = add_account(session, sold_to=AP, name="Other Corp")
    add_membership(session, add_customer(session, **AP), other)
    assert apply(session, wanted, planned.fingerprint).ok
    assert members(session, account) == ["bo@acme.test"]


def test_an_account_without_a_sold_to_cannot_change_owner(session):
    account = acme(session)
    account.sold_to_contact_id = None
    session.add(account)
    session.commit()
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    assert plan(session, request(account, "bo@acme.test")).message == (
        "ACME Corp has no Sold To contact; ask the Billing team to set one first."
    )


def test_a_resellers_vouch_is_accepted_for_a_requester_of_the_sold_tos_domain_only(session):
    account = acme(session, reseller="Softchoice")
    jane = add_customer(session, **JANE)
    add_membership(session, jane, account)
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    add_customer(session, first_name="Eve", last_name="Else", email="eve@elsewhere.test")
    vouch = Evidence(kind="reseller_vouch", ticket="1", note="Softchoice vouches for Bo")
    assert plan(session, request(account, "bo@acme.test", vouch)).ok
    assert plan(session, request(account, "eve@elsewhere.test", vouch)).field_errors == {
        "evidence": "A reseller's vouch needs the requester's email domain to match the Sold To's "
        "(@acme.test)."
    }


def test_an_account_without_a_bill_to_is_planned_as_one_shared_contact(session):
    account = add_account(session, sold_to={**JANE, **ADDRESS})
    account.bill_to_contact_id = None
    session.add(account)
    session.commit()
    jane = add_customer(session, **JANE)
    add_membership(session, jane, account)
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    wanted = request(account, "bo@acme.test")
    planned = plan(session, wanted).value
    assert planned.changes[-1].what == "Sold To and Bill To contact"
    assert apply(session, wanted, planned.fingerprint).ok


def test_applying_to_an_account_that_is_gone_says_so(session):
    outcome = apply_ownership_change(
        session,
        OwnershipRequest(billing_account_id=10**6, requester_email="bo@acme.test", evidence=CONTRACT),
        fingerprint="any",
        actor=Actor("support@example.com"),
        now=NOW,
    )
    assert outcome.message == "There is no billing account with this id."


def test_an_invoice_is_weighed_against_the_day_the_change_is_applied(session):
    account = acme(session)
    jane = add_customer(session, **JANE)
    add_membership(session, jane, account)
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    invoice = Evidence(kind="recent_invoice", ticket="1", note="Invoice", invoice_date=date(2026, 10, 1))
    wanted = request(account, "bo@acme.test", invoice)
    planned = plan(session, wanted).value
    assert apply(session, wanted, planned.fingerprint).ok
    assert members(session, account) == ["bo@acme.test"]


def test_a_plan_names_what_is_wrong_with_the_request_itself(session):
    account = acme(session)
    jane = add_customer(session, **JANE)
    add_membership(session, jane, account)
    add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    gone = OwnershipRequest(billing_account_id=10**6, requester_email="bo@acme.test", evidence=CONTRACT)
    assert plan(session, gone).message == "There is no billing account with this id."
    assert plan(session, request(account, "not an email")).field_errors["requester_email"] == (
        "Email is not a valid address (name@example.com)."
    )
    assert plan(session, request(account, "JANE@acme.test")).message == (
        "JANE@acme.test is already the Sold To of ACME Corp."
    )
    from_bill_to = Evidence(kind="sold_to_approval", ticket="1", note="Mail", approver_email="ap@acme.test")
    assert plan(session, request(account, "bo@acme.test", from_bill_to)).field_errors == {
        "approver_email": "Only the Sold To can approve when Sold To and Bill To differ; the Bill To must "
        "give a recent invoice instead."
    }
    from_sold_to = Evidence(kind="sold_to_approval", ticket="1", note="Mail", approver_email="jane@acme.test")
    assert plan(session, request(account, "bo@acme.test", from_sold_to)).ok
