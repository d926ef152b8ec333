"""The billing account's page says of each member whether they can sign in and, when not, why: in
the glossary's words, from one query for the whole page's members."""

from sqlmodel import Session

from admin_app.db.accounts.search import account_detail, account_people, with_logins
from admin_app.db.customers.login_status import set_login_activated
from admin_app.glossary import LOGIN_DISABLED_ON_PURPOSE, LOGIN_NEVER_ENABLED
from tests.db.pages import with_statements
from tests.factories import NOW, STAFF, add_account, add_customer, add_membership

JANE = {"first_name": "Jane", "last_name": "Doe", "email": "jane@acme.test"}


def test_each_member_says_whether_and_why_not_they_can_sign_in(session: Session):
    account = add_account(session, sold_to=JANE)
    can, switched_off, never = (add_customer(session) for _ in range(3))
    never.login_activated = False
    session.commit()
    assert set_login_activated(
        session,
        customer_id=switched_off.id,
        activated=False,
        lock_version=switched_off.lock_version,
        confirmed=False,
        actor=STAFF,
        reason="Owner left the company",
        now=NOW,
    ).ok
    session.commit()
    for customer in (can, switched_off, never):
        add_membership(session, customer, account)

    members = account_detail(session, billing_account_id=account.id).members

    assert [(m.customer.id, m.can_sign_in, m.login_off) for m in members] == [
        (can.id, True, ""),
        (switched_off.id, False, LOGIN_DISABLED_ON_PURPOSE),
        (never.id, False, LOGIN_NEVER_ENABLED),
    ]
    people = account_people(session, billing_account_id=account.id).members
    _, statements = with_statements(session, lambda: with_logins(session, people))
    assert len(statements) == 1


def test_members_who_can_all_sign_in_need_no_query(session: Session):
    account = add_account(session, sold_to=JANE)
    add_membership(session, add_customer(session), account)
    people = account_people(session, billing_account_id=account.id).members
    members, statements = with_statements(session, lambda: with_logins(session, people))
    assert statements == []
    assert [(m.can_sign_in, m.login_off) for m in members] == [(True, "")]
