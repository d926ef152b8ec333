"""The Subscriptions list in Chromium: reached from the sidebar, searched by account name, filtered."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import E2E_COMPANY, E2E_SUBSCRIPTION, screenshot

pytestmark = pytest.mark.e2e
ROWS = "[data-testid=result-row]"


def test_find_a_subscription_by_its_accounts_name_and_open_it(page, app_server):
    page.goto(app_server + "/licenses")
    page.get_by_role("link", name="Subscriptions").click()
    expect(page).to_have_url(re.compile(r"/subscriptions$"))
    expect(page.locator(ROWS).first).to_be_visible()
    # This page's own count first: just after the click the Licenses page (rows and all) is still on
    # screen, and keys typed into its search box went with it ("zep" was lost once).
    expect(page.get_by_test_id("result-count")).to_contain_text("subscriptions")
    page.locator("#search").press_sequentially("zephyr e2e", delay=20)
    expect(page.locator("[data-testid=results][data-query='zephyr e2e']")).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(1)
    row = page.locator(ROWS).first
    for text in (E2E_SUBSCRIPTION, E2E_COMPANY, "Ultimate", "SaaS", "120", "Direct", "Active"):
        expect(row).to_contain_text(text)
    screenshot(page, "subscriptions")

    page.get_by_label("Channel").click()
    page.get_by_role("option", name="Reseller").click()
    expect(page).to_have_url(re.compile(r"channel=reseller"))
    expect(page.get_by_text("No subscriptions match")).to_be_visible()
    page.go_back()
    expect(page.locator(ROWS)).to_have_count(1)
    page.locator(ROWS).first.click()
    expect(page).to_have_url(re.compile(rf"/subscriptions/{E2E_SUBSCRIPTION}$"))
    expect(page.get_by_role("heading", name=E2E_SUBSCRIPTION, exact=True)).to_be_visible()
    back = page.get_by_role("main").get_by_role("link", name="Subscriptions")
    expect(back).to_have_attribute("href", "/subscriptions")
