"""A license's recipient as a customer (and whether they are their account's Sold To), and the
licenses sent to a customer's address: the same address by `same_email`, newest issued first."""

from admin_app.db.licenses.recipients import license_recipient, licenses_sent_to
from tests.factories import add_account, add_customer, add_licenses, add_membership


def test_a_license_leads_to_the_customer_with_its_address_in_any_ascii_case(session):
    customer = add_customer(session, email="wendy@numbat.test")

    recipient = license_recipient(session, email="Wendy@NUMBAT.test")

    assert recipient is not None
    assert recipient.customer.id == customer.id
    assert recipient.sold_to_of == ""


def test_no_customer_has_an_address_no_customer_was_given(session):
    add_customer(session, email="wendy@numbat.test")

    assert license_recipient(session, email="wendy@quokka.test") is None
    assert license_recipient(session, email="") is None


def test_the_recipient_is_the_sold_to_of_their_account_only_when_its_sold_to_has_their_address(session):
    sold_to = add_customer(session, email="ops@numbat.test")
    member = add_customer(session, email="dev@numbat.test")
    account = add_account(
        session,
        sold_to={"first_name": "Ops", "last_name": "Team", "email": "OPS@numbat.test"},
        bill_to={"first_name": "Dev", "last_name": "Team", "email": "dev@numbat.test"},
        name="Numbat Ltd",
    )
    add_membership(session, sold_to, account)
    add_membership(session, member, account)

    assert license_recipient(session, email="ops@numbat.test").sold_to_of == "Numbat Ltd"
    assert license_recipient(session, email="dev@numbat.test").sold_to_of == ""


def test_the_licenses_sent_to_an_address_are_its_own_newest_issued_first(session):
    older, other, newer, cased = add_licenses(
        session,
        [
            {"email": "wendy@numbat.test"},
            {"email": "wendy@numbat.testing"},
            {"email": "wendy@numbat.test"},
            {"email": "WENDY@numbat.test"},
        ],
    )

    found = licenses_sent_to(session, email="Wendy@numbat.test")

    assert [license.id for license in found] == [cased.id, newer.id, older.id]
    assert other.id not in [license.id for license in licenses_sent_to(session, email="wendy@numbat.test")]


def test_at_most_the_limit_of_licenses_are_read(session):
    licenses = add_licenses(session, [{"email": "ops@numbat.test"} for _ in range(5)])

    found = licenses_sent_to(session, email="ops@numbat.test", limit=3)

    assert [license.id for license in found] == [license.id for license in reversed(licenses)][:3]


def test_an_address_no_license_was_sent_to_has_none(session):
    add_licenses(session, [{"email": "ops@numbat.test"}])

    assert licenses_sent_to(session, email="dev@numbat.test") == []
    assert licenses_sent_to(session, email="") == []
    assert licenses_sent_to(session, email="a@b.c") == []
    assert licenses_sent_to(session, email="%@numbat.test") == []
