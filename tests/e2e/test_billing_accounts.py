"""Billing accounts in Chromium: find by a contact's email, rule 8's banner, split the Bill To off,
choose a member as Bill To."""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from admin_app.db.models import BillingAccount, BillingAccountContact, Version
from admin_app.db.session import engine_for
from tests.e2e.accounts import account_with_owner, add_customer
from tests.e2e.conftest import E2E_COMPANY, close_page, new_page, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def support(browser, app_server, signed_in_state):
    page = new_page(browser, signed_in_state("support@example.com"))
    yield page
    close_page(page)


def test_edit_a_contact_under_the_banner_of_its_role_then_give_the_bill_to_its_own(
    support, app_server, e2e_database
):
    support.goto(app_server + "/billing-accounts")
    # Type once the page's own load has answered: a late load would otherwise reset the search.
    expect(support.locator("[data-testid=result-row]").first).to_be_visible()
    support.locator("#search").press_sequentially("zephyr-e2e.test", delay=20)
    expect(support.locator("[data-testid=results][data-query='zephyr-e2e.test']")).to_be_visible()
    expect(support.locator("[data-testid=result-row]")).to_have_count(1)
    support.locator("[data-testid=result-row]").first.click()
    expect(support).to_have_url(re.compile(r"/billing-accounts/\d+$"))
    expect(support.get_by_role("heading", name=E2E_COMPANY)).to_be_visible()
    expect(support.get_by_text("Sold To and Bill To are the same person")).to_be_visible()

    support.get_by_role("button", name="Edit Sold To and Bill To contact").click()
    expect(support.get_by_test_id("role-banner")).to_have_text(
        f"You are editing the Sold To and Bill To contact of {E2E_COMPANY}."
    )
    support.get_by_label("City").fill("Springfield")
    support.get_by_label("Postal code").fill("1" * 30)
    support.get_by_role("button", name="Save").click()
    expect(support.get_by_test_id("error-postal_code")).to_contain_text("too long")
    support.get_by_label("Postal code").fill("12345")
    screenshot(support, "billing-contact-edit")
    support.get_by_role("button", name="Save").click()
    expect(support.get_by_text("Contact saved.")).to_be_visible()
    expect(support.get_by_text("Springfield").first).to_be_visible()

    support.get_by_role("button", name="Give the Bill To its own contact").click()
    support.get_by_label("First name").fill("Ada")
    support.get_by_label("Last name").fill("Payable")
    support.get_by_label("Email").fill("ap@zephyr-e2e.test")
    support.get_by_label("Country (ISO code)").fill("US")
    support.get_by_role("button", name="Save").click()
    expect(support.get_by_text("The Bill To now has its own contact.")).to_be_visible()
    expect(support.get_by_text("Sold To and Bill To are the same person")).to_have_count(0)
    expect(support.get_by_role("button", name="Edit Bill To contact")).to_be_visible()
    # The History names the new contact as /history does.
    expect(support.get_by_text(f"Ada Payable (contact of {E2E_COMPANY})").first).to_be_visible()
    screenshot(support, "billing-account")
    zuora = support.get_by_role("link", name=re.compile(r"opens in Zuora, new tab"))
    expect(zuora).to_have_attribute("href", "https://zuora.example/accounts/" + "e2e0" * 8)
    expect(support.get_by_role("link", name=re.compile(r"opens in Salesforce"))).to_have_count(0)
    # Rule 11: of the company's licenses, only the active one is marked.
    active = support.get_by_role("row").filter(has_text="Active license")
    expect(active).to_have_count(1)
    expect(active).to_contain_text("Premium")

    # Who the Sold To is now: another test may have replaced Wendy by then (rule 3).
    with Session(engine_for(e2e_database[0])) as session:
        account = session.exec(select(BillingAccount).where(BillingAccount.name == E2E_COMPANY)).one()
        sold_to = session.get(BillingAccountContact, account.sold_to_contact_id)
        sold_to_person = f"{sold_to.first_name} {sold_to.last_name} ({sold_to.email})"
    support.get_by_role("button", name="Make the Bill To the Sold To").click()
    review = support.get_by_role("alertdialog")
    expect(review).to_contain_text(
        f"Invoices for {E2E_COMPANY} will go to the Sold To, {sold_to_person}, "
        "instead of Ada Payable (ap@zephyr-e2e.test)."
    )
    review.get_by_role("button", name="Make the Bill To the Sold To").click()
    expect(review.get_by_text("Reason can't be blank.")).to_be_visible()
    review.get_by_label("Reason (goes into the history)").fill("Billing asked for one contact again")
    screenshot(support, "billing-account-join-review")
    review.get_by_role("button", name="Make the Bill To the Sold To").click()
    expect(support.get_by_text("The Bill To is now the Sold To contact.")).to_be_visible()
    expect(support.get_by_text("Sold To and Bill To are the same person")).to_be_visible()


def test_support_chooses_a_member_as_bill_to_after_a_review(support, app_server, e2e_database):
    url, _ = e2e_database
    account_id = account_with_owner(url, "Chooser Ltd", "olga@chooser-e2e.test")
    add_customer(url, "Bo", "Berg", "bo@chooser-e2e.test", member_of=account_id)
    support.goto(f"{app_server}/billing-accounts/{account_id}")
    # The Bill To (ap@…) is not a member, but the Sold To is: no page warning.
    expect(support.get_by_role("heading", name="Chooser Ltd")).to_be_visible()
    expect(support.get_by_text("is not a member of Chooser Ltd")).to_have_count(0)
    # Each member says whether they can sign in.
    bo = support.get_by_role("row").filter(has_text="bo@chooser-e2e.test")
    expect(bo).to_contain_text("Can sign in")

    support.get_by_role("button", name="Choose from members").click()
    dialog = support.get_by_role("dialog")
    expect(dialog.get_by_role("combobox", name="Member")).to_be_focused()
    dialog.get_by_role("button", name="Review").click()
    expect(dialog.get_by_test_id("error-customer_id")).to_have_text("Choose a member.")
    dialog.get_by_role("combobox", name="Member").click()
    support.get_by_role("option", name="Bo Berg · bo@chooser-e2e.test").click()
    dialog.get_by_label("Bill To", exact=True).check()
    dialog.get_by_role("button", name="Review").click()
    expect(dialog).to_contain_text("Ap Team (ap@chooser-e2e.test), GB")
    expect(dialog).to_contain_text("Invoices for Chooser Ltd will go to Bo Berg (bo@chooser-e2e.test).")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_text("Reason can't be blank.")).to_be_visible()
    dialog.get_by_label("Reason (goes into the history)").fill("Ticket 4711: Bo pays the invoices now")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_test_id("error-sold_to_address")).to_contain_text("Enter the new contact's address")
    dialog.get_by_label("Enter the new person's address:").check()
    dialog.get_by_label("Address line 1").fill("4 Quay St")
    dialog.get_by_label("City").fill("Bristol")
    dialog.get_by_label("Country (ISO code)").fill("gb")
    screenshot(support, "billing-account-choose-member")
    dialog.get_by_role("button", name="Save").click()
    expect(support.get_by_text("Saved: Bill To changed.")).to_be_visible()
    expect(support.get_by_role("button", name="Edit Bill To contact")).to_be_visible()

    with Session(engine_for(url)) as session:
        account = session.get(BillingAccount, account_id)
        bill_to = session.get(BillingAccountContact, account.bill_to_contact_id)
        assert (bill_to.email, bill_to.address_line1, bill_to.city, bill_to.country) == (
            "bo@chooser-e2e.test",
            "4 Quay St",
            "Bristol",
            "GB",
        )
        assert session.get(BillingAccountContact, account.sold_to_contact_id).email == "olga@chooser-e2e.test"
        rows = session.exec(
            select(Version).where(Version.billing_account_id == account_id).order_by(Version.id)
        ).all()
        assert [(v.item_type, v.event) for v in rows] == [
            ("billing_account_contact", "create"),
            ("billing_account", "update"),
        ]
        assert rows[0].request_id and rows[0].request_id == rows[1].request_id
        assert rows[1].actor == "support@example.com"
