"""Billing accounts in Chromium: find by a contact's email, rule 8's banner, split the Bill To off."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import E2E_COMPANY, new_page, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def support(browser, app_server, signed_in_state):
    page = new_page(browser, signed_in_state("support@example.com"))
    yield page
    page.context.close()


def test_edit_a_contact_under_the_banner_of_its_role_then_give_the_bill_to_its_own(support, app_server):
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
    screenshot(support, "billing-account")
    zuora = support.get_by_role("link", name="Open in Zuora (new tab)")
    expect(zuora).to_have_attribute("href", "https://zuora.example/accounts/" + "e2e0" * 8)
    expect(support.get_by_role("link", name="Open in Salesforce (new tab)")).to_have_count(0)
    # Rule 11: of the company's licenses, only the active one is marked.
    active = support.get_by_role("row").filter(has_text="Active license")
    expect(active).to_have_count(1)
    expect(active).to_contain_text("Premium")

    support.get_by_role("button", name="Make the Bill To the Sold To").click()
    review = support.get_by_role("alertdialog")
    expect(review).to_contain_text(
        f"Invoices for {E2E_COMPANY} will go to the Sold To, Wendy Zephyr (wendy@zephyr-e2e.test), "
        "instead of Ada Payable (ap@zephyr-e2e.test)."
    )
    review.get_by_role("button", name="Make the Bill To the Sold To").click()
    expect(review.get_by_text("Reason can't be blank.")).to_be_visible()
    review.get_by_label("Reason (goes into the history)").fill("Billing asked for one contact again")
    screenshot(support, "billing-account-join-review")
    review.get_by_role("button", name="Make the Bill To the Sold To").click()
    expect(support.get_by_text("The Bill To is now the Sold To contact.")).to_be_visible()
    expect(support.get_by_text("Sold To and Bill To are the same person")).to_be_visible()
