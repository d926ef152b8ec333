"""The Licenses page in Chromium: search, filters in the URL, paging, detail, CSV, keyboard."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect
from sqlmodel import Session, select

from admin_app.db.models import Customer
from admin_app.db.session import engine_for
from admin_app.glossary import ACTIVE_LICENSE_MEANING
from tests.e2e.conftest import (
    E2E_CARL,
    E2E_COMPANY,
    E2E_SUBSCRIPTION,
    E2E_WENDY,
    close_page,
    lightness,
    new_page,
    screenshot,
)
from tests.factories import add_customer
from tests.waiting import wait_until

pytestmark = pytest.mark.e2e

ROWS = "[data-testid=result-row]"


def results_for(page: Page, query: str):
    """The results box once the rows for `query` are on screen."""
    return page.locator(f"[data-testid=results][data-query='{query}']")


def open_licenses(page: Page, app_server: str, path: str = "/licenses") -> None:
    page.goto(app_server + path)
    expect(page.locator(ROWS).first).to_be_visible()


def test_search_narrows_the_table_as_you_type(page, app_server):
    open_licenses(page, app_server)
    expect(page.locator(ROWS)).to_have_count(50)
    screenshot(page, "licenses")

    page.locator("#search").press_sequentially("zephyr e2e", delay=30)

    expect(results_for(page, "zephyr e2e")).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(3)
    expect(page.locator(ROWS).first).to_contain_text(E2E_COMPANY)
    expect(page).to_have_url(re.compile(r"q=zephyr(\+|%20)e2e"))
    expect(page.get_by_test_id("result-count")).to_have_text("3 licenses")
    screenshot(page, "licenses-search")

    page.reload()
    expect(page.locator(ROWS)).to_have_count(3)
    expect(page.locator("#search")).to_have_value("zephyr e2e")


def test_letters_typed_while_an_answer_is_on_its_way_are_kept(page, app_server):
    """On a slow link the answer to the first letters arrives after more were typed: it is shown, and
    never writes the older term back into the box."""
    held: list[str | bytes] = []
    to_page: list[WebSocketRoute] = []
    holding = [False]

    def slow_link(ws: WebSocketRoute) -> None:
        to_page.append(ws)
        server = ws.connect_to_server()
        server.on_message(lambda message: held.append(message) if holding[0] else ws.send(message))

    def answered(term: str) -> bool:
        return any(term in str(message) for message in held)

    page.route_web_socket(re.compile(r"/_event"), slow_link)
    open_licenses(page, app_server)
    holding[0] = True
    page.locator("#search").press_sequentially("zeph", delay=30)
    for _ in range(100):
        if answered('"zeph"'):
            break
        page.wait_for_timeout(50)
    assert answered('"zeph"'), "the server answered the first letters"
    # One more letter, sent on its own; then the answer to the first four arrives; then the rest is typed.
    first_answer = len(held)
    page.locator("#search").press("y")
    page.wait_for_timeout(400)
    for message in held[:first_answer]:
        to_page[-1].send(message)
    page.wait_for_timeout(200)
    page.locator("#search").press_sequentially("r e2e", delay=30)
    holding[0] = False
    for message in held[first_answer:]:
        to_page[-1].send(message)

    expect(results_for(page, "zephyr e2e")).to_be_visible()
    expect(page.locator("#search")).to_have_value("zephyr e2e")
    expect(page.locator(ROWS)).to_have_count(3)


def test_filter_and_url_agree_after_reload(page, app_server):
    open_licenses(page, app_server, "/licenses?q=zephyr")
    expect(page.locator(ROWS)).to_have_count(3)

    page.get_by_label("Plan").click()
    page.get_by_role("option", name="Ultimate").click()

    expect(page).to_have_url(re.compile(r"plan=ultimate"))
    expect(page.locator(ROWS)).to_have_count(2)
    page.reload()
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page.get_by_label("Plan")).to_have_text("Ultimate")
    expect(page.locator("#search")).to_have_value("zephyr")

    page.go_back()
    expect(page.locator(ROWS)).to_have_count(3)


def test_active_only_keeps_each_companys_active_license(page, app_server, e2e_database):
    _, license_ids = e2e_database
    open_licenses(page, app_server, "/licenses?q=zephyr")
    expect(page.locator(ROWS)).to_have_count(3)
    page.get_by_label("Active license", exact=True).click()
    page.get_by_role("option", name="Only each company's active license").click()
    expect(page).to_have_url(re.compile(r"active=only"))
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS).first).to_contain_text("Active license")
    # The mark says what it means; the license's dates say "Current", a word of their own.
    badge = page.locator(ROWS).first.get_by_text("Active license")
    expect(badge).to_have_attribute("title", ACTIVE_LICENSE_MEANING)
    expect(page.locator(ROWS).first).to_contain_text("Current")
    page.locator(ROWS).first.click()
    expect(page).to_have_url(re.compile(rf"/licenses/{license_ids['active']}$"))


def test_paging_forward_and_back(page, app_server):
    open_licenses(page, app_server, "/licenses?sort=company")
    first_page = page.locator(ROWS).all_inner_texts()
    # The position among the pages the count fills, fifty rows a page.
    expect(page.get_by_test_id("page-number")).to_have_text(re.compile(r"^Page 1 of \d+$"))
    counted = int(page.get_by_test_id("result-count").inner_text().split()[0].replace(",", ""))
    assert page.get_by_test_id("page-number").inner_text() == f"Page 1 of {-(-counted // 50)}"

    page.get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("page-number")).to_have_text(re.compile("^Page 2 of"))
    expect(page.locator(ROWS).first).not_to_have_text(first_page[0])
    second_page = page.locator(ROWS).all_inner_texts()
    assert not set(first_page) & set(second_page)
    assert second_page[0] >= first_page[-1]

    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_test_id("page-number")).to_have_text(re.compile("^Page 1 of"))
    expect(page.get_by_role("button", name="Previous")).to_be_disabled()
    # The page number changes at once; a slow page's rows follow it.
    expect(page.locator(ROWS).first).not_to_have_text(second_page[0])
    assert page.locator(ROWS).all_inner_texts() == first_page

    page.go_back()
    expect(page.get_by_test_id("page-number")).to_have_text(re.compile("^Page 2 of"))
    expect(page.locator(ROWS).first).not_to_have_text(first_page[0])
    assert page.locator(ROWS).all_inner_texts() == second_page


def test_sorting_by_a_column_header(page, app_server):
    open_licenses(page, app_server, "/licenses?q=zephyr")
    sort_users = page.get_by_role("button", name="Sort by Users")
    users_header = page.get_by_role("columnheader").filter(has=sort_users)
    sort_users.click()
    expect(page).to_have_url(re.compile(r"sort=-users"))
    # The page has loaded the new order (the header says so) before the second click reads it: the
    # first row may show 120 already in the default order, and a click sent before the page's load
    # ran would flip the old order again.
    expect(users_header).to_have_attribute("aria-sort", "descending")
    expect(page.locator(ROWS).first).to_contain_text("120")
    sort_users.click()
    expect(page).to_have_url(re.compile(r"sort=users"))
    expect(users_header).to_have_attribute("aria-sort", "ascending")
    expect(page.locator(ROWS).first).to_contain_text("25")


def test_detail_shows_the_active_license_and_the_company_timeline(page, app_server, e2e_database):
    _, license_ids = e2e_database
    open_licenses(page, app_server, "/licenses?q=zephyr&sort=-users")
    # The subscription is a link of its own in the row, which still opens the license.
    row = page.locator(ROWS).nth(1)
    subscription = row.get_by_role("link", name=E2E_SUBSCRIPTION)
    expect(subscription).to_have_attribute("href", f"/subscriptions/{E2E_SUBSCRIPTION}")
    expect(row.locator("a.row-link")).to_have_attribute("href", f"/licenses/{license_ids['active']}")
    row.click()

    expect(page).to_have_url(re.compile(rf"/licenses/{license_ids['active']}$"))
    expect(page.get_by_role("heading", name=E2E_COMPANY, exact=True)).to_be_visible()
    expect(page.get_by_text("Active license").first).to_be_visible()
    expect(page.get_by_text("wendy@zephyr-e2e.test").first).to_be_visible()
    timeline = page.get_by_text("All licenses of").locator("xpath=following-sibling::*[1]")
    expect(timeline.get_by_role("link")).to_have_count(3)
    expect(timeline).to_contain_text("Trial")
    expect(timeline).to_contain_text("Not started yet")
    screenshot(page, "license-detail")

    page.get_by_role("link", name=E2E_SUBSCRIPTION).click()
    expect(page).to_have_url(re.compile(rf"/subscriptions/{E2E_SUBSCRIPTION}$"))
    expect(page.get_by_role("heading", name=E2E_SUBSCRIPTION, exact=True)).to_be_visible()
    expect(page.get_by_text(E2E_COMPANY).first).to_be_visible()
    expect(page.get_by_role("link", name=E2E_COMPANY)).to_have_attribute(
        "href", re.compile(r"/billing-accounts/\d+$")
    )
    reconciliations = page.get_by_text("Reconciliations of this subscription").locator(
        "xpath=following-sibling::*[1]"
    )
    expect(reconciliations.locator("tbody tr")).to_have_count(3)
    screenshot(page, "subscription")


def test_csv_download_has_the_filtered_rows(page, app_server):
    open_licenses(page, app_server, "/licenses?q=zephyr&plan=ultimate")
    expect(page.locator(ROWS)).to_have_count(2)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export CSV").click()
    download = download_info.value
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert download.suggested_filename == "licenses.csv"
    assert [row["company"] for row in rows] == [E2E_COMPANY, E2E_COMPANY]
    assert {row["plan"] for row in rows} == {"ultimate"}


@pytest.mark.parametrize("term", ["%_'\"\\", "🚀 OR NOT *", "x" * 10_000])
def test_hostile_input_gets_an_empty_state_not_an_error(page, app_server, term):
    open_licenses(page, app_server)
    page.locator("#search").fill(term)
    expect(page.get_by_text("No licenses match.")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)


def test_slash_focuses_the_search_box(page, app_server):
    open_licenses(page, app_server)
    page.get_by_role("heading", level=1).click()
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()


# The page's painted background: the theme root's, else the body's or the document's.
PAGE_BACKGROUND = """(() => {
    for (const el of [document.querySelector(".radix-themes"), document.body, document.documentElement]) {
        const color = el && getComputedStyle(el).backgroundColor;
        if (color && color !== "rgba(0, 0, 0, 0)" && color !== "transparent") return color;
    }
    return "rgba(0, 0, 0, 0)";
})()"""


def test_dark_mode_follows_the_system(browser, app_server, signed_in_state):
    seen = {}
    for scheme in ("light", "dark"):
        page = new_page(browser, signed_in_state("sales@example.com"), color_scheme=scheme)
        open_licenses(page, app_server)
        heading = page.get_by_role("heading", name="Licenses")
        seen[scheme] = (
            page.evaluate(PAGE_BACKGROUND),
            heading.evaluate("h => getComputedStyle(h).color"),
        )
        if scheme == "dark":
            screenshot(page, "licenses-dark")
        close_page(page)
    (light_background, light_text), (dark_background, dark_text) = seen["light"], seen["dark"]
    assert lightness(light_background) > 0.9 and lightness(light_text) < 0.3
    assert lightness(dark_background) < 0.2 and lightness(dark_text) > 0.7


def test_the_sidebar_marks_the_page_you_are_on(page, app_server):
    nav = page.get_by_role("navigation", name="Pages")
    open_licenses(page, app_server, "/licenses?q=zephyr")
    expect(nav.get_by_role("link", name="Licenses", exact=True)).to_have_attribute("aria-current", "page")
    expect(nav.locator("[aria-current=page]")).to_have_count(1)

    page.locator(ROWS).first.locator("a.row-link").click()
    expect(page).to_have_url(re.compile(r"/licenses/\d+$"))
    expect(nav.get_by_role("link", name="Licenses", exact=True)).to_have_attribute("aria-current", "page")

    nav.get_by_role("link", name="Charts").click()
    expect(page).to_have_url(re.compile(r"/reconciliations/charts"))
    # The longest match wins: the charts are not the Reconciliations table.
    expect(nav.get_by_role("link", name="Charts")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Reconciliations")).to_have_attribute("aria-current", "false")
    expect(nav.locator("[aria-current=page]")).to_have_count(1)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/licenses/\d+$"))
    expect(nav.get_by_role("link", name="Licenses", exact=True)).to_have_attribute("aria-current", "page")


@pytest.mark.parametrize("width", [1024, 1280, 1440])
def test_the_filter_bar_and_header_wrap_without_splitting_or_hiding_anything(page, app_server, width):
    """At 1440 px with the active-license choice, "Issued to" sat alone on a second line; at 1024 px
    the header pushed Sign out off screen."""
    page.set_viewport_size({"width": width, "height": 800})
    open_licenses(page, app_server, "/licenses?active=only")
    issued_from = page.get_by_label("Issued from").bounding_box()
    issued_to = page.get_by_label("Issued to").bounding_box()
    assert issued_from["y"] == issued_to["y"]
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    assert sign_out["x"] + sign_out["width"] <= width


def test_a_license_leads_to_its_recipient_and_the_customer_back_to_their_licenses(
    page, app_server, e2e_database
):
    """No customer has Wendy's address at first: the license says so. Once one has it (in another
    letter case), the license links to her and her page lists the licenses sent to her, each a link."""
    url, license_ids = e2e_database
    page.goto(f"{app_server}/licenses/{license_ids['active']}")
    expect(page.get_by_text("(no customer with this address)")).to_be_visible()
    expect(page.locator("a[href^='mailto:']")).to_have_count(0)

    with Session(engine_for(url)) as session:
        wendy = add_customer(session, first_name="Wendy", last_name="Zephyr", email=E2E_WENDY.capitalize())
        customer_id = wendy.id
    try:
        page.goto(f"{app_server}/licenses/{license_ids['active']}")
        page.get_by_role("link", name="Wendy Zephyr").click()
        expect(page).to_have_url(re.compile(rf"/customers/{customer_id}$"))

        page.get_by_role("tab", name="Licenses").click()
        rows = page.get_by_role("tabpanel").locator("tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.first).to_contain_text(E2E_COMPANY)
        rows.nth(1).get_by_role("link").click()
        expect(page).to_have_url(re.compile(rf"/licenses/{license_ids['active']}$"))
    finally:
        with Session(engine_for(url)) as session:
            session.delete(session.get(Customer, customer_id))
            session.commit()


def test_a_customer_no_license_was_sent_to_says_so(page, app_server, e2e_database):
    with Session(engine_for(e2e_database[0])) as session:
        carl = session.exec(select(Customer).where(Customer.email == E2E_CARL)).one()
    page.goto(f"{app_server}/customers/{carl.id}")
    page.get_by_role("tab", name="Licenses").click()
    expect(page.get_by_text("No license was sent to this address.")).to_be_visible()


def test_the_sidebar_folds_on_a_narrow_screen_and_keeps_the_persons_choice(page, app_server):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(app_server + "/licenses")
    sidebar = page.get_by_role("navigation", name="Pages")
    licenses = sidebar.get_by_role("link", name="Licenses", exact=True)
    expect(licenses).to_be_visible()  # folded to its icon, still named for screen readers

    def width() -> float:
        return sidebar.bounding_box()["width"]

    assert width() < 80
    screenshot(page, "licenses-1024-folded")
    page.get_by_test_id("fold-sidebar").click()
    expect(sidebar.get_by_text("Customer Admin")).to_be_visible()
    assert width() > 150
    page.reload()
    expect(sidebar.get_by_text("Customer Admin")).to_be_visible()
    assert width() > 150, "the choice outlives a reload"
    page.get_by_test_id("fold-sidebar").click()
    wait_until(lambda: width() < 80)
    # The list beside it fits the screen, its least needed columns left out: nothing scrolls sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    table = page.locator("table").first
    expect(table.get_by_role("columnheader", name="Sort by Issued")).to_be_hidden()
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth + 1")
