"""A customer's and a billing account's History tabs name each record as /history does and link to
the pages of the other records, never to the page they are on."""

import pytest
from sqlmodel import Session

from admin_app.db.accounts.search import account_detail
from admin_app.db.customers.detail import customer_detail
from admin_app.db.history.audit import record_version
from admin_app.db.memberships.edit import add_membership
from admin_app.state.history import record_history
from tests.db.pages import with_statements
from tests.factories import NOW, STAFF, add_account, add_customer

LEO = {"first_name": "Leo", "last_name": "Scott", "email": "leo@stonebear.test"}
ANN = {"first_name": "Ann", "last_name": "Lee", "email": "ann@stonebear.test"}


@pytest.fixture
def stone_bear(session: Session) -> dict[str, int]:
    """Leo Scott joined Stone Bear Networks BV and was renamed; the account's Sold To moved city."""
    leo = add_customer(session, **LEO)
    account = add_account(session, sold_to=ANN, name="Stone Bear Networks BV")
    add_membership(
        session, customer_id=leo.id, billing_account_id=account.id, actor=STAFF, reason="", now=NOW
    )
    for item_type, item_id, changes in [
        ("customer", leo.id, {"last_name": ["Scot", "Scott"]}),
        ("billing_account_contact", account.sold_to_contact_id, {"city": ["", "Utrecht"]}),
    ]:
        record_version(
            session,
            item_type=item_type,
            item_id=item_id,
            event="update",
            actor=STAFF,
            changes=changes,
            at=NOW,
        )
    session.commit()
    return {"leo": leo.id, "account": account.id}


def records(lines) -> list[tuple[str, str]]:
    """(record, link) of each history row, from its first line."""
    return [(line.item, line.href) for line in lines if line.item]


def test_the_customers_tab_names_their_records_without_linking_to_the_customer(session, stone_bear):
    here = f"/customers/{stone_bear['leo']}"
    detail = customer_detail(session, customer_id=stone_bear["leo"])
    assert records(record_history(session, detail.history, here)) == [
        ("Leo Scott (customer)", ""),
        ("Leo Scott in Stone Bear Networks BV (membership)", ""),
    ]


def test_the_accounts_tab_names_its_contacts_and_links_to_its_members(session, stone_bear):
    here = f"/billing-accounts/{stone_bear['account']}"
    detail = account_detail(session, billing_account_id=stone_bear["account"])
    lines, statements = with_statements(session, lambda: record_history(session, detail.history, here))
    assert records(lines) == [
        ("Ann Lee (contact of Stone Bear Networks BV)", ""),
        ("Leo Scott in Stone Bear Networks BV (membership)", f"/customers/{stone_bear['leo']}"),
    ]
    # One query per kind of record read: memberships, contacts, customers, accounts.
    assert len(statements) == 4
