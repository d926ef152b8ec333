"""Finding billing accounts: by name, Zuora id or a contact's email, under every query plan, with the
trigram indexes kept up to date by the database as accounts and contacts change."""

import pytest
from sqlmodel import Session

from admin_app.db.accounts.search import ACCOUNT_LIST
from admin_app.db.models import BillingAccount, BillingAccountContact
from tests.factories import add_account

NAMES = ("ACME Corp", "Globex 100% Ltd", "under_score Inc", "Zoë 🚀 GmbH", "Initech")


@pytest.fixture
def accounts(session: Session) -> list[BillingAccount]:
    made = []
    for n, name in enumerate(NAMES * 3):
        made.append(
            add_account(
                session,
                name=name,
                sold_to={"first_name": "S", "last_name": f"{n}", "email": f"sold{n}@{name[:3].lower()}.test"},
                bill_to={"first_name": "B", "last_name": f"{n}", "email": f"billing.{n}@payables.test"}
                if n % 4 == 0
                else None,
            )
        )
    return made


def found(session: Session, q: str) -> list[int]:
    query = ACCOUNT_LIST.parse({"q": q}).query
    return [a.id for a in ACCOUNT_LIST.rows(session=session, query=query, limit=100).rows]


def by_name(accounts: list[BillingAccount], predicate) -> list[int]:
    return [a.id for a in sorted(accounts, key=lambda a: (a.name, a.id)) if predicate(a)]


def test_a_term_matches_a_name_literally_in_every_plan(session, accounts, probe_window):
    assert found(session, "acme") == by_name(accounts, lambda a: a.name == "ACME Corp")
    assert found(session, "100% ltd") == by_name(accounts, lambda a: a.name == "Globex 100% Ltd")
    assert found(session, "der_sco") == by_name(accounts, lambda a: a.name == "under_score Inc")
    assert found(session, "🚀 gmbh") == by_name(accounts, lambda a: a.name.startswith("Zoë"))
    assert found(session, "%") == by_name(accounts, lambda a: a.name == "Globex 100% Ltd")
    assert found(session, "_") == by_name(accounts, lambda a: a.name == "under_score Inc")
    assert found(session, "zzqqxx") == []


def test_a_zuora_id_is_found_whole_or_in_part_in_any_case(session, accounts, probe_window):
    target = accounts[7]
    assert found(session, target.zuora_account_id) == [target.id]
    assert found(session, target.zuora_account_id.upper()) == [target.id]
    tail = target.zuora_account_id[-6:]
    assert found(session, tail) == by_name(accounts, lambda a: a.zuora_account_id.endswith(tail))


def test_a_contacts_email_finds_its_account(session, accounts, probe_window):
    assert found(session, "sold7@") == [accounts[7].id]
    # Bill To contacts are contacts of the account too.
    assert found(session, "BILLING.8@payables") == [accounts[8].id]
    billed = {a.id for n, a in enumerate(accounts) if n % 4 == 0}
    assert sorted(found(session, "payables.test")) == sorted(billed)


def test_counts_agree_with_the_rows(session, accounts, probe_window):
    for term in ("acme", "payables.test", "sold1", ""):
        query = ACCOUNT_LIST.query(q=term)
        rows = ACCOUNT_LIST.rows(session=session, query=query, limit=100).rows
        assert ACCOUNT_LIST.count(session=session, query=query).value == len(rows)


def test_renamed_accounts_and_changed_emails_are_found_by_what_they_are_now(session, accounts, probe_window):
    account = accounts[2]
    account.name = "Wombat Holdings"
    contact = session.get(BillingAccountContact, account.sold_to_contact_id)
    contact.email = "numbat@marsupial.test"
    session.add_all([account, contact])
    session.commit()
    assert found(session, "wombat hold") == [account.id]
    assert found(session, "numbat@mars") == [account.id]
    assert found(session, "sold2@") == []
    assert account.id not in found(session, "under_score")
    session.delete(contact)
    session.flush()
    account.sold_to_contact_id = account.bill_to_contact_id = None
    session.commit()
    assert found(session, "numbat@mars") == []


def test_a_page_filled_from_the_first_rows_still_holds_a_zuora_match_that_sorts_among_them(
    session, probe_window
):
    named = [
        add_account(
            session, name=f"ABC {n}", sold_to={"first_name": "S", "last_name": "T", "email": "s@t.test"}
        )
        for n in range(5)
    ]
    early = add_account(
        session, name="AA First", sold_to={"first_name": "S", "last_name": "T", "email": "u@v.test"}
    )
    early.zuora_account_id = "0000abc0" + "0" * 24
    session.add(early)
    session.commit()
    page = ACCOUNT_LIST.rows(session=session, query=ACCOUNT_LIST.query(q="abc"), limit=3)
    assert [a.id for a in page.rows] == [early.id, named[0].id, named[1].id]
