"""Memberships in Chromium: rule 1's pre-check when adding, rule 7's second confirmation when deleting."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from admin_app.db.models import Version
from admin_app.db.session import engine_for
from tests.e2e.conftest import E2E_CARL, E2E_ERIN, E2E_GUS, close_page, new_page, screenshot

pytestmark = pytest.mark.e2e

ROWS = "[data-testid=result-row]"


@pytest.fixture
def support(browser, app_server, signed_in_state):
    page = new_page(browser, signed_in_state("support@example.com"))
    yield page
    close_page(page)


def deleted_with_reason(url: str) -> list[str]:
    """The reasons of the membership deletes in the history, oldest first."""
    with Session(engine_for(url)) as session:
        statement = select(Version.reason).where(
            Version.item_type == "billing_account_membership", Version.event == "destroy"
        )
        return list(session.exec(statement.order_by(Version.id)))


def pick(page: Page, field: str, typed: str, option: str) -> None:
    page.locator(f"#{field}").press_sequentially(typed, delay=20)
    page.get_by_role("button", name=re.compile(re.escape(option))).first.click()


def test_a_second_membership_is_caught_before_submitting(support, app_server):
    support.goto(app_server + "/memberships")
    expect(support.locator("tbody tr").first).to_be_visible()
    support.get_by_role("button", name="Add membership").click()
    pick(support, "customer", E2E_CARL, E2E_CARL)
    notice = support.get_by_test_id("rule-1")
    expect(notice).to_contain_text(f"{E2E_CARL} already manages Zephyr E2E Widgets")
    expect(notice.get_by_role("link", name="Open the customer")).to_be_visible()
    expect(support.get_by_role("dialog").get_by_role("button", name="Add membership")).to_be_disabled()
    screenshot(support, "membership-rule-1")


def test_adding_for_a_customer_without_login_says_so_then_the_last_one_is_deleted_twice_confirmed(
    support, app_server, e2e_database
):
    support.goto(app_server + "/memberships")
    support.get_by_role("button", name="Add membership").click()
    pick(support, "customer", E2E_ERIN, E2E_ERIN)
    expect(support.get_by_test_id("rule-1")).to_have_count(0)
    pick(support, "billing_account", "e2e1e2e1", "e2e1e2e1")
    support.get_by_role("dialog").get_by_role("button", name="Add membership").click()
    expect(support.get_by_text("Billing account membership added")).to_be_visible()
    expect(support.get_by_test_id("not-activated")).to_contain_text(f"{E2E_ERIN}'s login is not activated")

    support.locator("#search").press_sequentially("e2e1e2e1", delay=20)
    expect(support.locator("tbody tr")).to_have_count(2)
    support.get_by_role("button", name=f"Delete membership of {E2E_ERIN}").click()
    support.get_by_role("button", name="Yes, I'm sure").click()
    expect(support.get_by_role("alertdialog").get_by_text("Reason can't be blank.")).to_be_visible()
    expect(support.locator("tbody tr")).to_have_count(2)
    support.get_by_role("alertdialog").get_by_label("Reason (goes into the history)").fill("Added by mistake")
    support.get_by_role("button", name="Yes, I'm sure").click()
    expect(support.get_by_text("Billing account membership successfully deleted").last).to_be_visible()
    expect(support.locator("tbody tr")).to_have_count(1)
    assert deleted_with_reason(e2e_database[0])[-1:] == ["Added by mistake"]

    support.get_by_role("button", name=f"Delete membership of {E2E_GUS}").click()
    support.get_by_role("alertdialog").get_by_label("Reason (goes into the history)").fill("Left Yonder")
    support.get_by_role("button", name="Yes, I'm sure").click()
    expect(support.get_by_text("This is the last membership of Yonder E2E Tools.")).to_be_visible()
    screenshot(support, "membership-rule-7")
    support.get_by_role("button", name="Delete the last membership").click()
    expect(support.get_by_text("No memberships match.")).to_be_visible()
    assert deleted_with_reason(e2e_database[0])[-2:] == ["Added by mistake", "Left Yonder"]
