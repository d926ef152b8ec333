"""Ownership change in Chromium: both handbook processes and a refused case, then the database."""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from admin_app.db.models import (
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    Customer,
    License,
    Version,
)
from admin_app.db.session import engine_for
from tests.e2e.accounts import account_with_owner, add_customer
from tests.e2e.conftest import close_page, new_page, screenshot
from tests.factories import license_fields

pytestmark = pytest.mark.e2e


@pytest.fixture
def support(browser, app_server, signed_in_state):
    page = new_page(browser, signed_in_state("support@example.com"))
    yield page
    close_page(page)


def state_of(url: str, account_id: int) -> dict:
    with Session(engine_for(url)) as session:
        account = session.get(BillingAccount, account_id)
        sold_to = session.get(BillingAccountContact, account.sold_to_contact_id)
        members = session.exec(
            select(Customer.email)
            .join(BillingAccountMembership, BillingAccountMembership.customer_id == Customer.id)
            .where(BillingAccountMembership.billing_account_id == account_id)
        ).all()
        summary = session.exec(
            select(Version).where(Version.item_type == "billing_account", Version.item_id == account_id)
        ).all()
        grouped = (
            session.exec(select(Version).where(Version.request_id == summary[0].request_id)).all()
            if summary
            else []
        )
        return {
            "sold_to": (sold_to.first_name, sold_to.email, sold_to.address_line1),
            "members": sorted(members),
            "summary": [v.reason for v in summary],
            "rows_in_change": sorted((v.item_type, v.event) for v in grouped),
            "request_id": summary[0].request_id if summary else "",
        }


def open_owner_page(page: Page, app_server: str, account_id: int) -> None:
    page.goto(f"{app_server}/billing-accounts/{account_id}")
    page.get_by_role("link", name="Change owner").click()
    expect(page).to_have_url(re.compile(rf"/billing-accounts/{account_id}/owner$"))
    expect(page.get_by_text("Sold To", exact=False).first).to_be_visible()


def fill_evidence(page: Page, option: str, ticket: str, note: str) -> None:
    page.get_by_role("radio", name=option).click()
    page.get_by_label("Ticket reference").fill(ticket)
    page.get_by_label("Note (goes into the history)").fill(note)


def test_an_existing_customer_takes_over_an_account(support, app_server, e2e_database):
    url = e2e_database[0]
    account_id = account_with_owner(url, "Owner E2E Direct", "olga@owner-direct.test")
    add_customer(url, "Pete", "Prior", "pete@owner-direct.test")
    open_owner_page(support, app_server, account_id)
    support.get_by_label("Requester's email").fill("pete@owner-direct.test")
    fill_evidence(support, "Prior subscription contract", "T-100", "Contract on file")
    support.get_by_role("button", name="Review the change").click()

    review = support.get_by_role("alertdialog")
    expect(review).to_contain_text("Change the owner of Owner E2E Direct?")
    expect(review.get_by_role("row").filter(has_text="Sold To contact")).to_contain_text(
        "Pete Prior (pete@owner-direct.test), 9 Harbour Rd, Portsmouth, PO1, GB"
    )
    screenshot(support, "ownership-review")
    review.get_by_role("button", name="Change owner").click()
    expect(
        support.get_by_text("Pete Prior (pete@owner-direct.test) now owns Owner E2E Direct.")
    ).to_be_visible()
    expect(support).to_have_url(re.compile(rf"/billing-accounts/{account_id}$"))

    after = state_of(url, account_id)
    assert after["sold_to"] == ("Pete", "pete@owner-direct.test", "9 Harbour Rd")
    assert after["members"] == ["pete@owner-direct.test"]
    [reason] = after["summary"]
    assert reason.endswith("evidence: prior subscription contract; ticket T-100; note: Contract on file")
    assert after["rows_in_change"] == [
        ("billing_account", "update"),
        ("billing_account_contact", "update"),
        ("billing_account_membership", "create"),
        ("billing_account_membership", "destroy"),
    ]

    # The history shows the whole change together, each row linking to the page of its record.
    support.goto(f"{app_server}/history?request={after['request_id']}")
    expect(support.get_by_text("Ownership change: Olga Owner (olga@owner-direct.test)").first).to_be_visible()
    records = support.locator("tbody").get_by_role("link", name=re.compile(r"\)$"))
    expect(records).to_have_count(4)
    hrefs = {records.nth(i).get_attribute("href") for i in range(4)}
    assert f"/billing-accounts/{account_id}" in hrefs
    assert all(href.startswith(("/billing-accounts/", "/customers/")) for href in hrefs)
    screenshot(support, "history-one-ownership-change")

    # Among other changes, the action is one entry that unfolds into its rows.
    support.goto(f"{app_server}/history?q=T-100")
    visible = support.locator("tbody").get_by_role("link", name=re.compile(r"\)$"))
    expect(visible).to_have_count(1)
    unfold = support.get_by_role("button", name="Show 3 more rows")
    expect(unfold).to_have_attribute("aria-expanded", "false")
    screenshot(support, "history-folded-change")
    unfold.click()
    expect(visible).to_have_count(4)
    expect(support.get_by_role("button", name="Fold 3 more rows")).to_have_attribute("aria-expanded", "true")


def test_a_new_person_takes_over_the_previous_owners_record(support, app_server, e2e_database):
    url = e2e_database[0]
    account_id = account_with_owner(url, "Owner E2E Newco", "olga@owner-newco.test", uid=55501)
    open_owner_page(support, app_server, account_id)
    support.get_by_label("Requester's email").fill("rita@owner-newco.test")
    fill_evidence(support, "Approval from the current Sold To", "T-200", "Olga approved by email")
    support.get_by_role("button", name="Review the change").click()
    expect(support.get_by_test_id("error-first_name")).to_have_text("First name can't be blank.")
    expect(support.get_by_test_id("error-approver_email")).to_contain_text("current Sold To")

    support.get_by_label("First name (new person only)").fill("Rita")
    support.get_by_label("Last name (new person only)").fill("Rowe")
    support.get_by_label("Approved by (email of the Sold To)").fill("olga@owner-newco.test")
    support.get_by_role("button", name="Review the change").click()
    review = support.get_by_role("alertdialog")
    expect(review.get_by_role("row").filter(has_text="Linked GitLab.com account")).to_contain_text("unlinked")
    review.get_by_role("button", name="Change owner").click()
    expect(support.get_by_text("Rita Rowe (rita@owner-newco.test) now owns Owner E2E Newco.")).to_be_visible()

    after = state_of(url, account_id)
    assert after["sold_to"] == ("Rita", "rita@owner-newco.test", "9 Harbour Rd")
    assert after["members"] == ["rita@owner-newco.test"]
    assert after["rows_in_change"] == [
        ("billing_account", "update"),
        ("billing_account_contact", "update"),
        ("customer", "update"),
        ("customer", "update"),
    ]


def test_an_invoice_does_not_verify_a_reseller_account(support, app_server, e2e_database):
    url = e2e_database[0]
    account_id = account_with_owner(url, "Owner E2E Resold", "olga@owner-resold.test", reseller="Softchoice")
    add_customer(url, "Sid", "Second", "sid@owner-resold.test")
    before = state_of(url, account_id)
    open_owner_page(support, app_server, account_id)
    support.get_by_label("Requester's email").fill("sid@owner-resold.test")
    fill_evidence(support, "Invoice from the last 12 months", "T-300", "Invoice INV-1")
    support.get_by_label("Invoice date (YYYY-MM-DD)").fill(date.today().isoformat())
    support.get_by_role("button", name="Review the change").click()
    expect(support.get_by_test_id("error-evidence")).to_contain_text("bought through a reseller (Softchoice)")
    expect(support.get_by_role("alertdialog")).to_have_count(0)
    screenshot(support, "ownership-refused-invoice-on-reseller")
    assert state_of(url, account_id) == before


def test_sales_cannot_open_the_ownership_page(browser, app_server, signed_in_state, e2e_database):
    account_id = account_with_owner(e2e_database[0], "Owner E2E Sales", "olga@owner-sales.test")
    page = new_page(browser, signed_in_state("sales@example.com"))
    page.goto(f"{app_server}/billing-accounts/{account_id}")
    expect(page.get_by_role("heading", name="Owner E2E Sales")).to_be_visible()
    expect(page.get_by_role("link", name="Change owner")).to_have_count(0)
    page.goto(f"{app_server}/billing-accounts/{account_id}/owner")
    expect(page.get_by_text("Your role (Sales) may not see this page.")).to_be_visible()
    expect(page.get_by_text("olga@owner-sales.test")).to_have_count(0)
    close_page(page)


def license_of(url: str, account_id: int, company: str) -> int:
    """A license of the account's subscription (account_with_owner names it A-S8<id>)."""
    with Session(engine_for(url)) as session:
        made = License(**license_fields(company=company, subscription_name=f"A-S8{account_id:07d}"))
        session.add(made)
        session.commit()
        return made.id


def test_license_text_must_be_a_file_the_app_signed_for_this_account(support, app_server, e2e_database):
    url = e2e_database[0]
    account_id = account_with_owner(url, "Owner E2E Licensed", "olga@owner-licensed.test")
    own_license = license_of(url, account_id, "Owner E2E Licensed")
    other_account = account_with_owner(url, "Owner E2E Elsewhere", "olga@owner-elsewhere.test")
    other_license = license_of(url, other_account, "Owner E2E Elsewhere")
    add_customer(url, "Lia", "Later", "lia@owner-licensed.test")
    before = state_of(url, account_id)

    def file_of(license_id: int) -> str:
        response = support.request.get(f"{app_server}/api/licenses/{license_id}/license-file")
        assert response.ok
        return response.text()

    open_owner_page(support, app_server, account_id)
    support.get_by_label("Requester's email").fill("lia@owner-licensed.test")
    fill_evidence(
        support, "Last loaded license, as text (self-managed)", "T-400", "Pasted from their admin area"
    )
    pasted = support.get_by_label("The license file, as text (signed by this app for this account)")
    error = support.get_by_test_id("error-license_text")
    for text, message in (
        ("I promise this is our license, honestly", "This is not a license file"),
        (file_of(other_license), "issued for another account"),
    ):
        pasted.fill(text)
        support.get_by_role("button", name="Review the change").click()
        expect(error).to_contain_text(message)
        expect(support.get_by_role("alertdialog")).to_have_count(0)
    screenshot(support, "ownership-license-of-another-account")
    assert state_of(url, account_id) == before

    pasted.fill(file_of(own_license))
    support.get_by_role("button", name="Review the change").click()
    review = support.get_by_role("alertdialog")
    expect(review).to_contain_text(f"license file of license {own_license} (Owner E2E Licensed")
    review.get_by_role("button", name="Change owner").click()
    expect(support.get_by_text("now owns Owner E2E Licensed.")).to_be_visible()
    [reason] = state_of(url, account_id)["summary"]
    assert (
        f"license file of license {own_license} (Owner E2E Licensed, subscription A-S8{account_id:07d})"
        in reason
    )
    assert "signature verified with key" in reason
