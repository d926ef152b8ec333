"""The Subscriptions list in Chromium: reached from the sidebar, searched by account name, filtered."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import E2E_COMPANY, E2E_SUBSCRIPTION, close_page, new_page, screenshot

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


def test_support_pause_a_subscriptions_reconciliations_until_a_day_and_lift_the_pause(
    browser, app_server, signed_in_state
):
    page = new_page(browser, signed_in_state("support@example.com"))
    page.goto(f"{app_server}/subscriptions/{E2E_SUBSCRIPTION}")
    page.get_by_role("button", name="Pause reconciliations…").click()
    form = page.get_by_role("dialog")
    form.get_by_role("button", name="Pause", exact=True).click()
    expect(form.get_by_test_id("error-ticket")).to_be_visible()
    until = (date.today() + timedelta(days=30)).isoformat()
    form.get_by_label(re.compile("^Paused until")).fill(until)
    form.get_by_label("Ticket").fill("SUP-1234")
    form.get_by_label(re.compile("^Reason")).fill("The customer disputes last quarter's count")
    form.get_by_role("button", name="Pause", exact=True).click()
    paused = page.get_by_test_id("reconciliation-pause")
    expect(paused).to_contain_text(f"paused until {until}")
    expect(paused).to_contain_text("SUP-1234")

    page.get_by_role("button", name="Lift the pause…").click()
    page.get_by_role("dialog").get_by_label(re.compile("^Reason")).fill("Settled with the customer")
    page.get_by_role("dialog").get_by_role("button", name="Lift the pause").click()
    expect(paused).to_have_count(0)
    expect(page.get_by_role("button", name="Pause reconciliations…")).to_be_visible()
    close_page(page)


def test_sales_are_offered_no_pause(page, app_server):
    page.goto(f"{app_server}/subscriptions/{E2E_SUBSCRIPTION}")
    expect(page.get_by_role("heading", name="Reconciliations of this subscription")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Pause|Lift"))).to_have_count(0)
