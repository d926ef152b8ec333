"""axe-core (the engine browsers' own audits use) on every page, in the light and the dark theme:
no violation of any impact."""

import re
from uuid import uuid4

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session

from admin_app.db.session import engine_for
from admin_app.pages.table import PAGES
from admin_app.settings import PROJECT_ROOT
from tests.e2e.accounts import add_customer
from tests.e2e.conftest import (
    E2E_CARL,
    E2E_COMPANY,
    E2E_SUBSCRIPTION,
    close_page,
    new_page,
    open_in_app,
    screenshot,
)

pytestmark = pytest.mark.e2e

AXE_SCRIPT = (PROJECT_ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js").read_text()


def _ids(url: str) -> dict[str, int]:
    with Session(engine_for(url)) as session:

        def first(sql: str, **params) -> int:
            return session.execute(sa.text(sql), params).scalar_one()

        return {
            "account": first("SELECT id FROM billing_account WHERE name = :name", name=E2E_COMPANY),
            "carl": first("SELECT id FROM customer WHERE email = :email", email=E2E_CARL),
            "customer": first("SELECT id FROM customer ORDER BY id LIMIT 1"),
            "reconciliation": first("SELECT id FROM reconciliation ORDER BY id LIMIT 1"),
        }


def pages(license_ids: dict[str, int], ids: dict[str, int]) -> list[str]:
    """Every page staff with a role use (the app's table of pages), a record of the demo data filling
    each [segment] of a route."""
    records = {
        "license_id": license_ids["active"],
        "subscription_name": E2E_SUBSCRIPTION,
        "reconciliation_id": ids["reconciliation"],
        "customer_id": ids["customer"],
        "billing_account_id": ids["account"],
    }
    return [
        re.sub(r"\[(\w+)\]", lambda segment: str(records[segment.group(1)]), page.route)
        for page in PAGES
        if page.staff_page
    ]


# Every chart of a page drawn, not only its card: axe reads what the figure puts on the page (Plotly's
# bundle is loaded on demand).
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid^="chart-"]')]
    .every((card) => card.dataset.testid === "chart-summary" || card.querySelector(".main-svg"))"""


# Finite animations and transitions (a toast fading in or out) still running: axe reads colours
# mid-fade (a toast's red text at 70 % opacity is 4.0:1), which no one reads.
ANIMATIONS_SETTLED = """() => document.getAnimations().every(
    (a) => a.playState !== "running" || a.effect.getComputedTiming().iterations === Infinity)"""


# The rules whose outcome depends on the colours: the others read the document, which a theme does
# not change, so in the second theme only these run.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def violations_on(page, rules: list[str] | None = None) -> list[str]:
    """What axe-core finds on the page as it is now: every rule, or only `rules`."""
    page.wait_for_function(ANIMATIONS_SETTLED)
    # axe-core is put in a document once (half a megabyte to parse), then run on it in each theme.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    options: dict[str, object] = {"resultTypes": ["violations"]}
    if rules is not None:
        options["runOnly"] = {"type": "rule", "values": rules}
    results = page.evaluate("(options) => axe.run(document, options)", options)
    return [
        f"{v['id']} ({v['impact']}) on {len(v['nodes'])}, first {v['nodes'][0]['target']}: "
        + v["nodes"][0].get("failureSummary", "")[:160]
        for v in results["violations"]
    ]


def violations_in_each_scheme(page) -> dict[str, list[str]]:
    """Every rule in the light theme, then the colour rules in the dark one; the page is left light."""
    found = {}
    for scheme, rules in (("light", None), ("dark", COLOUR_RULES)):
        in_scheme(page, scheme)
        found[scheme] = violations_on(page, rules)
    in_scheme(page, "light")
    return found


ROLES = ("admin", "support", "sales", "manager")


def in_scheme(page, scheme: str) -> None:
    """Switch the page's theme as the system setting does, and wait until the app has followed."""
    page.emulate_media(color_scheme=scheme)
    expect(page.locator("html")).to_have_class(re.compile(rf"\b{scheme}\b"))


@pytest.mark.parametrize("user", [f"{role}@example.com" for role in ROLES], ids=ROLES)
def test_no_page_has_an_accessibility_violation(browser, app_server, signed_in_state, e2e_database, user):
    """Every role in both themes: an admin sees every control of every page; sales and managers the
    fewest, and the pages refused to them; support the editing controls without the admin's. The first
    page is loaded, the others opened from it as the app's links do; each is checked in the light theme,
    then in the dark one (violations_in_each_scheme)."""
    url, license_ids = e2e_database
    page = new_page(browser, signed_in_state(user), color_scheme="light")
    first, *others = pages(license_ids, _ids(url))
    page.goto(app_server + first)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    found = {}
    for path in [first, *others]:
        if path != first:
            open_in_app(page, path)
        page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
        for scheme, problems in violations_in_each_scheme(page).items():
            if problems:
                found[f"{path} ({scheme})"] = problems
    close_page(page)
    assert found == {}


DIALOGS = [
    ("customer", "Edit"),
    ("linked customer", "Unlink account"),
    ("account", "Choose from members"),
    ("account", "Edit Sold To and Bill To contact"),
    ("memberships", "Add membership"),
    ("sessions", "End session"),
    ("licenses", "Save view"),
]


@pytest.mark.parametrize(("where", "button"), DIALOGS, ids=[button for _, button in DIALOGS])
def test_a_dialog_takes_the_focus_has_no_violation_and_gives_the_focus_back_on_escape(
    browser, app_server, signed_in_state, e2e_database, where, button
):
    """Checked in the light theme, then in the dark one, while it stays open."""
    url, _ = e2e_database
    ids = _ids(url)
    if where == "linked customer":
        # A customer of this test's own: another test unlinks the demo customers.
        email = f"lin-{uuid4().hex[:8]}@a11y.test"
        path = f"/customers/{add_customer(url, 'Lin', 'Ked', email, uid=990001)}"
    else:
        path = {
            "customer": f"/customers/{ids['carl']}",
            "account": f"/billing-accounts/{ids['account']}",
            "memberships": "/memberships",
            "sessions": "/admin/sessions",
            "licenses": "/licenses",
        }[where]
    page = new_page(browser, signed_in_state("admin@example.com"), color_scheme="light")
    page.goto(app_server + path)
    opener = page.get_by_role("button", name=button, exact=True).first
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("[role=dialog], [role=alertdialog]")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-labelledby", re.compile(".+"))
    assert dialog.evaluate("d => d.contains(document.activeElement)"), "the focus is inside the dialog"
    assert violations_in_each_scheme(page) == {"light": [], "dark": []}
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()
    close_page(page)


LISTS = {
    "/licenses": "/licenses/",
    "/subscriptions": "/subscriptions/",
    "/reconciliations": "/reconciliations/",
    "/customers": "/customers/",
    "/billing-accounts": "/billing-accounts/",
    "/login-status": "/customers/",
}


def test_every_list_row_opens_its_record_through_a_real_link(browser, app_server, signed_in_state):
    page = new_page(browser, signed_in_state("admin@example.com"))
    # Each list's first row opens its record in a new tab (a middle click), leaving the list where it was.
    page.goto(app_server + "/history")
    for path, record in LISTS.items():
        open_in_app(page, path)
        link = page.locator("[data-testid=result-row]").first.get_by_role("link").first
        expect(link).to_have_attribute("href", re.compile("^" + re.escape(record) + r"[\w-]+$"))
        with page.context.expect_page() as opened:
            link.click(button="middle")
        record_page = opened.value
        expect(record_page).to_have_url(app_server + link.get_attribute("href"))
        expect(record_page.get_by_role("heading", level=1)).to_be_visible()
        record_page.close()
        expect(page).to_have_url(re.compile(re.escape(path) + "/?$"))
    # The keyboard: Tab from the search box reaches the first row's link, and Enter opens it.
    open_in_app(page, "/licenses")
    first = page.locator("[data-testid=result-row]").first.get_by_role("link").first
    href = first.get_attribute("href")
    page.locator("#search").focus()
    # Past the filters (a date box has a stop per part), Clear all, the pager and the sort buttons.
    for _ in range(40):
        page.keyboard.press("Tab")
        if first.evaluate("link => link === document.activeElement"):
            break
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(app_server + href)
    close_page(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_palette_opens_from_its_button_has_no_violation_and_gives_the_focus_back(
    browser, app_server, signed_in_state, scheme
):
    page = new_page(browser, signed_in_state("manager@example.com"), color_scheme=scheme)
    page.goto(app_server + "/reconciliations/charts")
    opener = page.get_by_role("button", name="Find")
    opener.focus()
    page.keyboard.press("Enter")
    palette = page.get_by_role("dialog", name="Find anything")
    expect(palette).to_be_visible()
    expect(page.locator("#palette-input")).to_be_focused()
    page.keyboard.type("zephyr")
    expect(palette.get_by_role("heading", name="Reconciliations")).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(palette.locator("a.palette-hit").first).to_be_focused()
    assert violations_on(page) == []
    screenshot(page, f"palette-{scheme}")
    page.keyboard.press("Escape")
    expect(palette).to_be_hidden()
    expect(opener).to_be_focused()
    close_page(page)


# Grey text on a slightly lighter grey: unreadable in either theme.
UNREADABLE_TEXT = """() => {
    const text = document.createElement("p");
    text.textContent = "Hidden in plain sight";
    text.style.color = "#999999";
    text.style.background = "#aaaaaa";
    document.querySelector("main").append(text);
}"""


def test_the_check_finds_a_violation_put_in_a_page(browser, app_server, signed_in_state):
    """The engine is in the page and reports what it finds: an unnamed button added to a page that has
    none is reported in the light theme; unreadable text in each theme."""
    page = new_page(browser, signed_in_state("sales@example.com"), color_scheme="light")
    page.goto(app_server + "/licenses")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert violations_in_each_scheme(page) == {"light": [], "dark": []}
    page.evaluate("() => document.querySelector('main').append(document.createElement('button'))")
    assert [problem.split(" ")[0] for problem in violations_on(page)] == ["button-name"]
    page.evaluate(UNREADABLE_TEXT)
    for scheme in ("light", "dark"):
        in_scheme(page, scheme)
        assert [problem.split(" ")[0] for problem in violations_on(page, COLOUR_RULES)] == ["color-contrast"]
    close_page(page)
