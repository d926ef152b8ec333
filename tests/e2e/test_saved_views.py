"""Saved views in Chromium: save a filtered, searched, sorted list under a name, find it under the list
in the sidebar, open it from another page, rename it, remove it; another person never sees it."""

import re
from uuid import uuid4

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from admin_app.db.models import SavedView
from admin_app.db.session import engine_for
from tests.e2e.conftest import close_page, new_page, screenshot
from tests.e2e.test_accessibility import violations_on

pytestmark = pytest.mark.e2e
ROWS = "[data-testid=result-row]"


def views_named(url: str, name: str) -> list[SavedView]:
    with Session(engine_for(url)) as session:
        return list(session.exec(select(SavedView).where(SavedView.name == name)))


def test_a_saved_view_comes_back_from_the_sidebar_and_can_be_renamed_and_removed(
    browser, app_server, signed_in_state, e2e_database
):
    url, _ = e2e_database
    name, new_name = f"Zephyr ultimate {uuid4().hex[:6]}", f"Zephyr top {uuid4().hex[:6]}"
    page = new_page(browser, signed_in_state("support@example.com"))
    page.goto(app_server + "/licenses?plan=ultimate&sort=expires")
    # Typed before the page is live, the text would sit in the box without searching.
    expect(page.locator("[data-testid=result-row]").first).to_be_visible()
    page.locator("#search").press_sequentially("zephyr", delay=20)
    expect(page.locator("[data-testid=results][data-query='zephyr']")).to_be_visible()

    page.get_by_role("button", name="Save view").click()
    dialog = page.get_by_role("dialog", name="Save this view")
    expect(dialog.get_by_label("Name")).to_be_focused()
    dialog.get_by_role("button", name="Save view").click()
    expect(dialog.get_by_role("alert")).to_have_text("Give the view a name.")
    dialog.get_by_label("Name").fill(name)
    screenshot(page, "saved-view-dialog")
    page.keyboard.press("Enter")
    expect(page.get_by_text("View saved. It is in the sidebar under Licenses.")).to_be_visible()
    expect(dialog).to_be_hidden()
    link = page.get_by_role("navigation").get_by_role("link", name=name)
    expect(link).to_have_attribute("href", "/licenses?plan=ultimate&q=zephyr&sort=expires")
    [stored] = views_named(url, name)
    assert (stored.page, stored.query) == ("/licenses", "plan=ultimate&q=zephyr&sort=expires")

    page.get_by_role("navigation").get_by_role("link", name="Customers").click()
    expect(page.get_by_role("heading", name="Customers", level=1)).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"/licenses\?plan=ultimate&q=zephyr&sort=expires$"))
    expect(page.locator("#search")).to_have_value("zephyr")
    expect(page.locator(ROWS).first).to_contain_text("Ultimate")
    assert violations_on(page) == []
    screenshot(page, "saved-view-sidebar")

    page.get_by_role("button", name=f"Rename or remove the view {name}").click()
    page.get_by_role("menuitem", name="Rename…").click()
    rename = page.get_by_role("dialog", name="Rename the view")
    expect(rename.get_by_label("Name")).to_have_value(name)
    rename.get_by_label("Name").fill(new_name)
    rename.get_by_role("button", name="Rename").click()
    expect(page.get_by_text("View renamed.")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name=new_name)).to_be_visible()
    assert [v.id for v in views_named(url, new_name)] == [stored.id]

    # The keyboard: the menu opens with Enter, the arrow reaches Remove, and the question takes the focus.
    opener = page.get_by_role("button", name=f"Rename or remove the view {new_name}")
    opener.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Remove…")).to_be_focused()
    page.keyboard.press("Enter")
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text(f"Remove the view “{new_name}”?")
    assert confirm.evaluate("d => d.contains(document.activeElement)")
    assert violations_on(page) == []
    page.keyboard.press("Escape")
    expect(confirm).to_be_hidden()
    expect(opener).to_be_focused()
    assert [v.id for v in views_named(url, new_name)] == [stored.id]
    opener.click()
    page.get_by_role("menuitem", name="Remove…").click()
    confirm.get_by_role("button", name="Remove").click()
    expect(page.get_by_text(f"View “{new_name}” removed.")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name=new_name)).to_have_count(0)
    assert views_named(url, new_name) == []
    close_page(page)


def test_a_name_already_used_on_the_list_is_answered_beside_the_field(browser, app_server, signed_in_state):
    name = f"Twice {uuid4().hex[:6]}"
    page = new_page(browser, signed_in_state("support@example.com"))
    page.goto(app_server + "/customers?login=not_activated")
    expect(page.locator(ROWS).first).to_be_visible()
    dialog = page.get_by_role("dialog", name="Save this view")
    for attempt in range(2):
        page.get_by_role("button", name="Save view").click()
        dialog.get_by_label("Name").fill(name.upper())
        page.keyboard.press("Enter")
        if attempt == 0:
            # The first save closes its dialog; a second click while it was open once typed into it.
            expect(dialog).to_be_hidden()
    expect(dialog.get_by_role("alert")).to_have_text(
        f"You already have a view named “{name.upper()}” on Customers."
    )
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("navigation").get_by_role("link", name=name.upper())).to_have_count(1)
    close_page(page)


def test_another_person_sees_none_of_them(browser, app_server, signed_in_state, e2e_database):
    url, _ = e2e_database
    name = f"Private {uuid4().hex[:6]}"
    support = new_page(browser, signed_in_state("support@example.com"), color_scheme="dark")
    support.goto(app_server + "/reconciliations?status=failed")
    expect(support.locator(ROWS).first).to_be_visible()
    support.get_by_role("button", name="Save view").click()
    support.get_by_role("dialog").get_by_label("Name").fill(name)
    support.keyboard.press("Enter")
    expect(support.get_by_role("navigation").get_by_role("link", name=name)).to_be_visible()
    assert violations_on(support) == []
    close_page(support)

    sales = new_page(browser, signed_in_state("sales@example.com"), color_scheme="dark")
    sales.goto(app_server + "/reconciliations")
    expect(sales.locator(ROWS).first).to_be_visible()
    expect(sales.get_by_role("navigation").get_by_role("link", name="Reconciliations")).to_be_visible()
    expect(sales.get_by_test_id("saved-view").filter(has_text=name)).to_have_count(0)
    assert len(views_named(url, name)) == 1
    close_page(sales)
