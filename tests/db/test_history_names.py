"""/history names each record as a person would, from one query per kind of record on the page; a
record deleted since is named from what its row knows, or by its kind and id."""

import pytest
from sqlmodel import Session

from admin_app.db.history.audit import Actor, record_version
from admin_app.db.history.names import page_records
from admin_app.db.history.search import HISTORY_LIST
from admin_app.db.mail.outbox import Email, enqueue
from admin_app.db.memberships.edit import add_membership, delete_membership
from admin_app.db.models import BillingAccount, Customer, Version
from tests.db.pages import with_statements
from tests.factories import NOW, STAFF, add_account, add_customer, add_licenses

LEO = {"first_name": "Leo", "last_name": "Scott", "email": "leo@stonebear.test"}
ANN = {"first_name": "Ann", "last_name": "Lee", "email": "ann@stonebear.test"}


def changed(session: Session, item_type: str, item_id: int, changes: dict, actor: Actor = STAFF) -> None:
    record_version(
        session, item_type=item_type, item_id=item_id, event="update", actor=actor, changes=changes, at=NOW
    )


def newest_page(session: Session) -> list[Version]:
    return HISTORY_LIST.rows(session=session, query=HISTORY_LIST.query()).rows


def named(session: Session) -> dict[tuple[str, int], set[str]]:
    """(kind, id) -> the names the page gives the rows of that record."""
    versions = newest_page(session)
    records = page_records(session, versions)
    found: dict[tuple[str, int], set[str]] = {}
    for version in versions:
        found.setdefault((version.item_type, version.item_id), set()).add(records.name_of(version))
    return found


@pytest.fixture
def stone_bear(session):
    """Leo Scott manages Stone Bear Networks BV, whose Sold To is Ann Lee; the company has a license
    and was sent it by email."""
    leo = add_customer(session, **LEO)
    account = add_account(session, sold_to=ANN, name="Stone Bear Networks BV")
    membership = add_membership(
        session, customer_id=leo.id, billing_account_id=account.id, actor=STAFF, reason="", now=NOW
    ).value
    (license,) = add_licenses(session, [{"company": "Stone Bear Networks BV"}])
    email = Email("license_file", "ann@stonebear.test", "Your license", "…", "license", license.id)
    message = enqueue(session=session, email=email, actor=STAFF, now=NOW, domain="admin.test")
    changed(session, "customer", leo.id, {"last_name": ["Scot", "Scott"]})
    changed(session, "billing_account", account.id, {"name": ["Stone Bear", "Stone Bear Networks BV"]})
    changed(session, "billing_account_contact", account.sold_to_contact_id, {"city": ["", "Utrecht"]})
    changed(session, "license", license.id, {"email": ["a@x.test", "ann@stonebear.test"]})
    session.commit()
    return {
        "leo": leo.id,
        "account": account.id,
        "contact": account.sold_to_contact_id,
        "membership": membership.id,
        "license": license.id,
        "email": message.id,
    }


def test_each_kind_of_record_is_named_as_a_person_would(session, stone_bear):
    ids = stone_bear
    assert named(session) == {
        ("customer", ids["leo"]): {"Leo Scott (customer)"},
        ("billing_account", ids["account"]): {"Stone Bear Networks BV (billing account)"},
        ("billing_account_contact", ids["contact"]): {"Ann Lee (contact of Stone Bear Networks BV)"},
        ("billing_account_membership", ids["membership"]): {
            "Leo Scott in Stone Bear Networks BV (membership)"
        },
        ("license", ids["license"]): {f"Stone Bear Networks BV (license #{ids['license']})"},
        ("outbox_message", ids["email"]): {"License file to ann@stonebear.test (email)"},
    }


def test_a_contact_links_to_its_account(session, stone_bear):
    records = page_records(session, newest_page(session))
    assert records.contact_accounts == {stone_bear["contact"]: stone_bear["account"]}


def test_a_record_deleted_since_is_named_from_what_its_row_knows(session, stone_bear):
    deleted = delete_membership(
        session,
        membership_id=stone_bear["membership"],
        confirmed_last=True,
        actor=STAFF,
        reason="Left",
        now=NOW,
    )
    assert deleted.ok, deleted
    # A customer who is no longer there: one row wrote the name, the other knows nothing of it.
    changed(session, "customer", 9_001, {"first_name": [None, "Gone"], "last_name": [None, "Person"]})
    changed(session, "customer", 9_002, {"login_activated": [True, False]})
    changed(
        session, "outbox_message", 9_003, {"kind": [None, "confirmation"], "to_address": [None, "x@y.test"]}
    )
    session.commit()
    names = named(session)
    # Both the create row and the destroy row know the customer and the account the membership joined.
    assert names[("billing_account_membership", stone_bear["membership"])] == {
        "Leo Scott in Stone Bear Networks BV (membership, deleted)"
    }
    assert names[("customer", 9_001)] == {"Gone Person (customer, deleted)"}
    assert names[("customer", 9_002)] == {"Customer #9002 (deleted)"}
    assert names[("outbox_message", 9_003)] == {"Confirmation email to x@y.test (email, deleted)"}


def test_a_renamed_record_is_named_as_it_is_now(session, stone_bear):
    customer = session.get(Customer, stone_bear["leo"])
    account = session.get(BillingAccount, stone_bear["account"])
    customer.first_name, account.name = "Leonard", "Stone Bear Holding"
    session.commit()
    names = named(session)
    assert names[("customer", stone_bear["leo"])] == {"Leonard Scott (customer)"}
    assert names[("billing_account_membership", stone_bear["membership"])] == {
        "Leonard Scott in Stone Bear Holding (membership)"
    }


def test_names_are_read_in_one_query_per_kind_however_many_rows(session, stone_bear):
    more = [add_customer(session) for _ in range(12)]
    for customer in more:
        changed(session, "customer", customer.id, {"country": ["US", "NL"]}, actor=Actor("s@example.com"))
    session.commit()
    versions = newest_page(session)
    assert len(versions) > 12
    records, statements = with_statements(session, lambda: page_records(session, versions))
    tables = sorted(statement.split(" FROM ")[1].split()[0] for statement in statements)
    assert tables == [
        "billing_account",
        "billing_account_contact",
        "billing_account_membership",
        "customer",
        "license",
        "outbox_message",
    ]
    ids = {customer.id for customer in more}
    assert {records.name_of(v) for v in versions if v.item_type == "customer" and v.item_id in ids} == {
        f"{customer.first_name} {customer.last_name} (customer)" for customer in more
    }


def test_a_page_without_records_reads_nothing(session):
    records, statements = with_statements(session, lambda: page_records(session, []))
    assert statements == []
    assert records.names == {}
