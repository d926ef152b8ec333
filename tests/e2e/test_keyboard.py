"""Keyboard paths in Chromium: j/k through rows and Enter, g then a letter, ? for the list; none of
them while typing."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import new_page, screenshot
from tests.e2e.test_accessibility import violations_on

pytestmark = pytest.mark.e2e
ROWS = "[data-testid=result-row]"


@pytest.fixture
def page(browser, app_server, signed_in_state):
    page = new_page(browser, signed_in_state("support@example.com"))
    yield page
    page.context.close()


def row_link(page, n: int):
    return page.locator(ROWS).nth(n).get_by_role("link").first


def test_j_and_k_move_through_the_rows_and_enter_opens_one(page, app_server):
    page.goto(app_server + "/customers")
    expect(page.locator(ROWS).nth(2)).to_be_visible()
    # The page starts in its search box; the down arrow goes on to the first row.
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(row_link(page, 0)).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(row_link(page, 2)).to_be_focused()
    page.keyboard.press("k")
    expect(row_link(page, 1)).to_be_focused()
    href = row_link(page, 1).get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(app_server + href)


def test_g_then_a_letter_goes_to_a_page_and_typing_in_a_field_does_not(page, app_server):
    page.goto(app_server + "/licenses")
    expect(page.locator(ROWS).first).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("g")
    page.keyboard.press("c")
    expect(page).to_have_url(re.compile(r"/customers/?$"))
    expect(page.get_by_role("heading", name="Customers", level=1)).to_be_visible()
    page.locator("#search").click()
    page.keyboard.type("gl jk")
    expect(page.locator("#search")).to_have_value("gl jk")
    expect(page).to_have_url(re.compile(r"/customers"))


def test_question_mark_lists_the_shortcuts_and_escape_closes_the_list(page, app_server):
    page.goto(app_server + "/licenses")
    expect(page.locator(ROWS).first).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_visible()
    expect(shortcuts).to_contain_text("g c")
    expect(shortcuts).to_contain_text("Customers")
    expect(shortcuts).to_contain_text("Next / previous row")
    assert violations_on(page) == []
    screenshot(page, "keyboard-shortcuts")
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()
