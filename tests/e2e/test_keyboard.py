"""Keyboard paths in Chromium: j/k through rows and Enter, g then a letter, ? for the list; none of
them while typing."""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from admin_app.db.session import engine_for
from tests.e2e.conftest import E2E_FAY, close_page, new_page, screenshot
from tests.e2e.test_accessibility import violations_on
from tests.factories import add_customer

pytestmark = pytest.mark.e2e
ROWS = "[data-testid=result-row]"


@pytest.fixture
def page(browser, app_server, signed_in_state):
    page = new_page(browser, signed_in_state("support@example.com"))
    yield page
    close_page(page)


def row_link(page, n: int):
    return page.locator(ROWS).nth(n).get_by_role("link").first


def test_j_and_k_move_through_the_rows_and_enter_opens_one(page, app_server):
    page.goto(app_server + "/customers")
    expect(page.locator(ROWS).nth(2)).to_be_visible()
    # No field has the focus when the page loads; "/" goes to the search box and the down arrow on to
    # the first row.
    assert page.evaluate("() => document.activeElement === document.body")
    page.keyboard.press("/")
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
    page.keyboard.press("g")
    page.keyboard.press("c")
    expect(page).to_have_url(re.compile(r"/customers/?$"))
    expect(page.get_by_role("heading", name="Customers", level=1)).to_be_visible()
    page.locator("#search").click()
    page.keyboard.type("gl jk")
    expect(page.locator("#search")).to_have_value("gl jk")
    expect(page).to_have_url(re.compile(r"/customers"))


def test_question_mark_lists_the_shortcuts_the_role_may_use_and_escape_closes_the_list(page, app_server):
    """Support may not open the staff sessions: the list does not offer them, nor do their keys."""
    page.goto(app_server + "/licenses")
    expect(page.locator(ROWS).first).to_be_visible()
    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_visible()
    expect(shortcuts).to_contain_text("g c")
    expect(shortcuts).to_contain_text("Customers")
    expect(shortcuts).to_contain_text("Next / previous row")
    expect(shortcuts).not_to_contain_text("Staff sessions")
    expect(shortcuts).not_to_contain_text("g e")
    assert violations_on(page) == []
    screenshot(page, "keyboard-shortcuts")
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()
    page.keyboard.press("g")
    page.keyboard.press("e")
    page.keyboard.press("g")
    page.keyboard.press("c")
    expect(page).to_have_url(re.compile(r"/customers/?$"))


def test_enter_in_the_search_box_opens_the_only_row_found_and_a_focused_row_is_marked(page, app_server):
    page.goto(app_server + "/customers")
    expect(page.locator(ROWS).nth(1)).to_be_visible()
    page.keyboard.press("/")
    search = page.locator("#search")
    expect(search).to_be_focused()
    # Several rows: Enter opens none of them.
    page.keyboard.type("zephyr-e2e.test")
    page.keyboard.press("Enter")
    expect(page.locator(ROWS).nth(1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/customers\?"))
    # A row reached with the keyboard is marked as a whole, not only its link.
    page.keyboard.press("ArrowDown")
    first = page.locator(ROWS).first
    expect(first).to_have_css("box-shadow", re.compile(r"inset"))
    expect(page.locator(ROWS).nth(1)).to_have_css("box-shadow", "none")
    screenshot(page, "list-row-focused")
    # One row: Enter opens it, as soon as the rows are those of the term typed.
    search.fill("")
    search.focus()
    page.keyboard.type(E2E_FAY)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/customers/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer")
    expect(page.get_by_text(E2E_FAY).first).to_be_visible()


def tab_to(page, target, presses: int = 80) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would (at most `presses` times)."""
    for _ in range(presses):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def test_without_a_mouse_the_palette_finds_a_customer_whose_edit_lands_in_the_history(
    page, app_server, e2e_database
):
    url, _ = e2e_database
    with Session(engine_for(url)) as session:
        customer_id = add_customer(session, email="kbd.palette@numbat-e2e.test", company="Numbat Old").id
    page.goto(app_server + "/licenses")
    expect(page.locator(ROWS).first).to_be_visible()

    page.keyboard.press("Control+k")
    palette = page.get_by_role("dialog", name="Find anything")
    expect(palette).to_be_visible()
    expect(page.locator("#palette-input")).to_be_focused()
    page.keyboard.type("kbd.palette@numbat", delay=15)
    expect(palette.get_by_role("link", name=re.compile("kbd.palette@numbat-e2e.test"))).to_be_visible()
    assert violations_on(page) == []
    screenshot(page, "palette")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{app_server}/customers/{customer_id}")
    expect(palette).to_be_hidden()

    edit = page.get_by_role("button", name="Edit")
    tab_to(page, edit)
    page.keyboard.press("Enter")
    company = page.get_by_label("Company", exact=True)
    tab_to(page, company)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Numbat New")
    tab_to(page, page.get_by_role("button", name="Review changes"))
    page.keyboard.press("Enter")
    review = page.get_by_role("alertdialog")
    expect(review).to_contain_text("Numbat New")
    tab_to(page, review.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Numbat New").first).to_be_visible()

    # Tab reaches the selected tab; the arrow moves to the next one and shows it.
    tab_to(page, page.get_by_role("tab", name="Billing account"))
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Licenses")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="History")).to_be_focused()
    row = page.locator("tr", has_text="company")
    expect(row).to_contain_text("Numbat Old")
    expect(row).to_contain_text("Numbat New")
    expect(row).to_contain_text("support@example.com")
