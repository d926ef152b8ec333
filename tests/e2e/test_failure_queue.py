"""Failed reconciliations worked off as a queue in Chromium: support take the oldest, note it and close
it; managers work the queue too; sales cannot open it."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import close_page, new_page, screenshot

pytestmark = pytest.mark.e2e
ROWS = "[data-testid=result-row]"


def test_support_take_the_oldest_failure_note_it_and_close_it(browser, app_server, signed_in_state):
    page = new_page(browser, signed_in_state("support@example.com"))
    page.goto(app_server + "/reconciliations/failures")
    oldest = page.locator(ROWS).first
    expect(oldest).to_contain_text("Nobody yet")
    reconciliation = re.search(
        r"/reconciliations/(\d+)$", oldest.get_by_role("link").first.get_attribute("href")
    )
    assert reconciliation is not None
    number = reconciliation.group(1)
    screenshot(page, "failure-queue")

    page.get_by_role("button", name=f"Take reconciliation {number}").click()
    expect(page.get_by_text(f"Reconciliation #{number} is yours now")).to_be_visible()
    mine = page.locator(ROWS).filter(has=page.get_by_role("button", name=f"Close reconciliation {number}"))
    expect(mine).to_contain_text("support@example.com")

    page.get_by_role("button", name=f"Note on reconciliation {number}").click()
    note = page.get_by_role("dialog")
    note.get_by_label("Note").fill("Asked billing to retry the amendment")
    note.get_by_role("button", name="Add note").click()
    expect(page.get_by_text(f"Note added to reconciliation #{number}")).to_be_visible()
    expect(note).to_have_count(0)

    page.get_by_role("button", name=f"Close reconciliation {number}").click()
    closing = page.get_by_role("dialog")
    closing.get_by_role("button", name="Close it").click()
    expect(closing.get_by_text(re.compile("outcome", re.IGNORECASE)).first).to_be_visible()
    closing.get_by_role("combobox").click()
    page.get_by_role("option", name="Duplicate").click()
    closing.get_by_label(re.compile("^Reason")).fill("The same run was retried and invoiced")
    closing.get_by_role("button", name="Close it").click()
    expect(page.get_by_text(f"Reconciliation #{number} closed")).to_be_visible()
    expect(page.get_by_role("button", name=f"Close reconciliation {number}")).to_have_count(0)
    close_page(page)


def test_a_manager_works_the_queue_and_sales_cannot_open_it(browser, app_server, signed_in_state):
    manager = new_page(browser, signed_in_state("manager@example.com"))
    manager.goto(app_server + "/reconciliations/failures")
    expect(manager.locator(ROWS).first).to_be_visible()
    expect(manager.get_by_role("button", name=re.compile("^Take reconciliation")).first).to_be_visible()
    close_page(manager)
    sales = new_page(browser, signed_in_state("sales@example.com"))
    sales.goto(app_server + "/reconciliations/failures")
    expect(sales.get_by_text("Your role (Sales) may not see this page.")).to_be_visible()
    expect(sales.locator(ROWS)).to_have_count(0)
    expect(
        sales.get_by_role("navigation", name="Pages").get_by_role("link", name="Failed reconciliations")
    ).to_have_count(0)
    close_page(sales)
