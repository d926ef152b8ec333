"""The billing account's page data: rule 11's active license, and whether the Sold To is a member."""

from datetime import UTC, date, datetime

from sqlmodel import Session

from admin_app.db.accounts.search import account_detail
from tests.factories import add_account, add_customer, add_licenses, add_membership, subscription_row

JANE = {"first_name": "Jane", "last_name": "Doe", "email": "jane@acme.test"}


def test_the_accounts_active_license_is_marked(session: Session):
    account = add_account(session, sold_to=JANE)
    session.add(subscription_row(account.id, "A-S00000042", term_start=date(2025, 1, 1)))
    session.commit()
    common = {"company": "ACME Corp", "subscription_name": "A-S00000042"}
    old, active, future = add_licenses(
        session,
        [
            {
                **common,
                "issued_at": datetime(2024, 1, 1, tzinfo=UTC),
                "starts_at": date(2024, 1, 1),
                "expires_at": date(2025, 1, 1),
            },
            {
                **common,
                "issued_at": datetime(2025, 1, 1, tzinfo=UTC),
                "starts_at": date(2025, 1, 1),
                "expires_at": date(2099, 1, 1),
            },
            {
                **common,
                "issued_at": datetime(2025, 6, 1, tzinfo=UTC),
                "starts_at": date(2099, 1, 1),
                "expires_at": date(2100, 1, 1),
            },
        ],
    )
    detail = account_detail(session, billing_account_id=account.id)
    assert {lic.id for lic in detail.licenses} == {old.id, active.id, future.id}
    assert detail.active_license_ids == {"ACME Corp": active.id}


def test_the_page_warns_when_no_member_has_the_sold_tos_email(session: Session):
    account = add_account(session, sold_to=JANE)
    bo = add_customer(session, first_name="Bo", last_name="Berg", email="bo@acme.test")
    add_membership(session, bo, account)
    warning = account_detail(session, billing_account_id=account.id).sold_to_warning
    assert warning == (
        "The Sold To, jane@acme.test, is not a member of ACME Corp: nobody with that email can manage "
        "the account in the portal."
    )
    add_membership(session, add_customer(session, **{**JANE, "email": "JANE@acme.test"}), account)
    assert account_detail(session, billing_account_id=account.id).sold_to_warning == ""
