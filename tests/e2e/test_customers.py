"""Support's customer workflows in Chromium: find, edit with rule 3 shown first, login status."""

import csv
import io
import re
from uuid import uuid4

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from admin_app.db.models import AuthEvent, Customer, Version
from admin_app.db.session import engine_for
from admin_app.devtools.reflex_socket import ReflexSocket
from tests.e2e.conftest import E2E_CARL, E2E_DANA, E2E_FAY, close_page, new_page, screenshot
from tests.e2e.test_events_without_ui import handler, refused

pytestmark = pytest.mark.e2e

ROWS = "[data-testid=result-row]"


@pytest.fixture
def support(browser, app_server, signed_in_state):
    page = new_page(browser, signed_in_state("support@example.com"))
    yield page
    close_page(page)


def open_customer(page: Page, app_server: str, email: str) -> None:
    page.goto(app_server + "/customers")
    # Type once the page's own load has answered: a late load would otherwise reset the search.
    expect(page.locator(ROWS).first).to_be_visible()
    # Filled at once: typed key by key on a loaded machine, the server's answer to an earlier key can
    # arrive after later ones and replace them in the box (a fault of the debounced search box).
    page.locator("#search").fill(email)
    expect(page.locator(f"[data-testid=results][data-query='{email}']")).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(1)
    page.locator(ROWS).first.click()
    expect(page).to_have_url(re.compile(r"/customers/\d+$"))
    expect(page.get_by_role("heading", level=2).first).to_be_visible()


def test_an_edit_shows_the_sold_to_replacement_before_saving_and_lands_in_the_history(
    support, app_server, e2e_database
):
    open_customer(support, app_server, E2E_CARL)
    screenshot(support, "customer-detail")
    support.get_by_role("button", name="Edit").click()
    screenshot(support, "customer-edit-open")
    support.get_by_label("Last name").fill("Zephyr-Ng")
    support.get_by_label("Reason (goes into the history), optional").fill("Ticket #4711: name change")
    screenshot(support, "customer-edit")
    support.get_by_role("button", name="Review changes").click()

    warning = support.get_by_test_id("rule-3")
    expect(warning).to_contain_text("replace the Sold To contact of Zephyr E2E Widgets, Wendy Zephyr")
    expect(warning).to_contain_text("with Carl Zephyr-Ng (carl@zephyr-e2e.test)")
    review = support.get_by_role("alertdialog")
    address = review.get_by_test_id("sold-to-address")
    expect(address).to_contain_text("Address line 1")
    expect(address).to_contain_text("Country")
    review.get_by_role("button", name="Save").click()
    expect(review.get_by_test_id("error-sold_to_address")).to_contain_text("replaced by another person")
    review.get_by_label("Enter the new person's address:").check()
    review.get_by_label("Address line 1").fill("10 Carl Way")
    review.get_by_label("City").fill("Portland")
    review.get_by_label("Country (ISO code)").fill("us")
    screenshot(support, "customer-review")
    review.get_by_role("button", name="Save").click()

    expect(support.get_by_text("Customer saved and the billing contact updated.")).to_be_visible()
    expect(support.get_by_text("10 Carl Way").first).to_be_visible()
    expect(support.get_by_role("heading", name="Carl Zephyr-Ng")).to_be_visible()
    expect(support.get_by_text("Carl Zephyr-Ng · carl@zephyr-e2e.test")).to_be_visible()
    support.get_by_role("tab", name="History").click()
    row = support.locator("tr", has_text="last name")
    # Named as /history names it, not linked to the page it is on.
    expect(row).to_contain_text("Carl Zephyr-Ng (customer)")
    expect(row.get_by_role("link", name="Carl Zephyr-Ng (customer)")).to_have_count(0)
    expect(row.get_by_role("link", name="whole change")).to_be_visible()
    expect(row).to_contain_text("Zephyr")
    expect(row).to_contain_text("Zephyr-Ng")
    expect(row).to_contain_text("Ticket #4711: name change")
    expect(row).to_contain_text("support@example.com")

    support.goto(app_server + "/history?type=customer")
    support.locator("#search").press_sequentially("4711", delay=20)
    expect(support.locator("[data-testid=results][data-query='4711']")).to_be_visible()
    change = support.locator("tbody tr").first
    expect(change).to_contain_text("last name")
    expect(change).to_contain_text("Zephyr-Ng")
    expect(change.get_by_role("link", name="Carl Zephyr-Ng (customer)")).to_have_attribute(
        "href", re.compile(r"/customers/\d+")
    )
    expect(change.get_by_role("link", name="whole change")).to_be_visible()
    # The whole history, newest first by time: this edit, led by the row it wrote first (the
    # customer's), the contact's row that followed it folded under it.
    support.goto(app_server + "/history")
    newest = support.locator("tbody tr").first
    expect(newest.get_by_role("link", name="Carl Zephyr-Ng (customer)")).to_be_visible()
    expect(newest).to_contain_text("Ticket #4711: name change")
    expect(newest.get_by_role("button", name="Show 1 more row")).to_be_visible()
    # Sorted by when again, the oldest change comes first.
    with Session(engine_for(e2e_database[0])) as session:
        oldest = session.exec(select(sa.func.min(Version.created_at))).one()
    support.get_by_role("button", name="Sort by When").click()
    expect(support).to_have_url(re.compile(r"/history\?sort=when$"))
    expect(support.locator("tbody tr").first).to_contain_text(f"{oldest:%Y-%m-%d %H:%M} UTC")
    support.goto(app_server + "/history?type=billing_account_contact&field=last_name")
    expect(support.locator("tbody tr", has_text="Followed the edit of customer").first).to_contain_text(
        "Wendy"
    )
    expect(support.locator("tbody tr", has_text="last name").first).to_contain_text("Zephyr-Ng")
    screenshot(support, "history")
    # The boxes typed into show the URL's filters, take more, and empty when the filters are cleared.
    field, actor = support.get_by_label("Field", exact=True), support.get_by_label("Staff member (email)")
    expect(field).to_have_value("last_name")
    actor.press_sequentially("support@", delay=20)
    expect(support).to_have_url(re.compile(r"actor=support%40"))
    expect(actor).to_have_value("support@")
    support.get_by_role("button", name="Clear all").click()
    expect(support).to_have_url(re.compile(r"/history/?$"))
    expect(field).to_have_value("")
    expect(actor).to_have_value("")


def test_bad_input_is_answered_beside_the_field(support, app_server):
    open_customer(support, app_server, E2E_DANA)
    support.get_by_role("button", name="Edit").click()
    support.get_by_label("Email", exact=True).fill("not an email")
    support.get_by_label("Country (ISO code)").fill("XX")
    support.get_by_role("button", name="Review changes").click()
    expect(support.get_by_test_id("error-email")).to_have_text(
        "Email is not a valid address (name@example.com)."
    )
    expect(support.get_by_test_id("error-country")).to_contain_text("two-letter ISO 3166 code")
    support.get_by_label("Email", exact=True).fill(E2E_CARL.upper())
    support.get_by_label("Country (ISO code)").fill("US")
    support.get_by_role("button", name="Review changes").click()
    expect(support.get_by_test_id("error-email")).to_have_text("Email has already been taken")
    # A free address: the review says what it means for the customer before anything is saved.
    support.get_by_label("Email", exact=True).fill(f"dana.new-{uuid4().hex[:6]}@example.test")
    support.get_by_role("button", name="Review changes").click()
    said = support.get_by_test_id("email-consequences")
    expect(said).to_contain_text("Saving sends them no email")
    expect(said).to_contain_text("A sign-in or confirmation link sent to the previous address stops working.")
    expect(said).to_contain_text("sign in to the portal")
    support.get_by_role("button", name="Go back").click()
    expect(said).to_have_count(0)


def test_a_login_disabled_on_purpose_is_re_activated_only_with_a_reason(support, app_server):
    open_customer(support, app_server, E2E_DANA)
    expect(
        support.get_by_text("disabled on purpose by lee.security@example.com on 2025-02-03 14:05 UTC").first
    ).to_be_visible()
    support.get_by_role("button", name="Re-activate login").click()
    dialog = support.get_by_role("dialog")
    dialog.get_by_role("button", name="Re-activate").click()
    expect(dialog.get_by_test_id("error-reason")).to_have_text("Reason can't be blank.")
    dialog.get_by_label("Reason (goes into the history)").fill("Identity verified on a call, ticket #88")
    dialog.get_by_role("button", name="Re-activate").click()
    expect(dialog.get_by_role("button", name="Yes, re-activate it")).to_be_visible()
    screenshot(support, "customer-reactivate")
    dialog.get_by_role("button", name="Yes, re-activate it").click()
    expect(support.get_by_text("Login re-activated.")).to_be_visible()
    expect(support.get_by_text("Can sign in")).to_be_visible()


def test_disabling_a_login_takes_a_reason_and_shows_who_did_it_in_the_login_status_list(support, app_server):
    open_customer(support, app_server, E2E_FAY)
    support.get_by_role("button", name="Disable login").click()
    dialog = support.get_by_role("dialog")
    dialog.get_by_role("button", name="Disable login").click()
    expect(dialog.get_by_test_id("error-reason")).to_have_text("Reason can't be blank.")
    dialog.get_by_label("Reason (goes into the history)").fill("Account takeover reported, ticket #99")
    dialog.get_by_role("button", name="Disable login").click()
    expect(support.get_by_text("Login disabled.")).to_be_visible()
    expect(support.get_by_text("disabled on purpose by support@example.com").first).to_be_visible()

    support.goto(app_server + "/login-status?kind=disabled&q=fay%40zephyr")
    row = support.locator(ROWS).first
    for text in ("Disabled on purpose", "support@example.com", "Account takeover reported, ticket #99"):
        expect(row).to_contain_text(text)


def test_sales_see_no_edit_button_and_the_server_refuses_them_anyway(page, app_server, e2e_database):
    open_customer(page, app_server, E2E_CARL)
    # The person is shown once their roles have loaded: only then does a missing button mean anything.
    expect(page.get_by_text("Sam Sales")).to_be_visible()
    expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name="Re-activate login")).to_have_count(0)
    customer_id = int(page.url.rsplit("/", 1)[-1])
    # The same sales session sends the edit the page does not offer, straight over the websocket.
    [session_cookie] = [c for c in page.context.cookies() if c["name"] == "ca_session"]
    socket = ReflexSocket(app_server, f"ca_session={session_cookie['value']}")
    form = {"first_name": "Pwned", "last_name": "Sales", "email": E2E_CARL, "country": "US", "reason": "x"}
    path = f"/customers/{customer_id}/"
    socket.send_event(
        handler("customer_detail_state", "review_edit"), {"form": form}, path=path, until=refused
    )
    socket.send_event(
        handler("customer_detail_state", "confirm_edit"), {"form": form}, path=path, until=refused
    )
    socket.close()
    with Session(engine_for(e2e_database[0])) as session:
        assert session.get(Customer, customer_id).first_name != "Pwned"
        details = session.exec(
            select(AuthEvent.detail).where(
                AuthEvent.kind == "refused", AuthEvent.email == "sales@example.com"
            )
        ).all()
    assert {"review_edit needs customers:edit", "confirm_edit needs customers:edit"} <= set(details)


def test_login_status_lists_who_disabled_a_login_and_when(page, app_server):
    page.goto(app_server + "/login-status?kind=disabled")
    expect(page.locator(ROWS).first).to_be_visible()
    page.locator("#search").press_sequentially("erin@zephyr", delay=20)
    expect(page.locator("[data-testid=results][data-query='erin@zephyr']")).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(1)
    row = page.locator(ROWS).first
    for text in (
        "Disabled on purpose",
        "lee.security@example.com",
        "2025-02-03 14:05 UTC",
        "Shared login",
    ):
        expect(row).to_contain_text(text)
    screenshot(page, "login-status")
    page.goto(app_server + "/login-status?kind=never&q=erin%40zephyr")
    expect(page.get_by_text("No customers match.")).to_be_visible()


def test_unlinking_the_account_asks_for_a_reason_and_records_it(support, app_server):
    open_customer(support, app_server, E2E_DANA)
    support.get_by_role("button", name="Unlink account").click()
    dialog = support.get_by_role("dialog")
    expect(dialog).to_contain_text("no longer be linked to account 777001")
    dialog.get_by_role("button", name="Unlink").click()
    expect(dialog.get_by_test_id("error-reason")).to_have_text("Reason can't be blank.")
    dialog.get_by_label("Reason (goes into the history)").fill(
        "Linked to the wrong GitLab.com user, ticket #91"
    )
    dialog.get_by_role("button", name="Unlink").click()
    expect(support.get_by_text("Linked account removed.")).to_be_visible()
    expect(support.get_by_role("button", name="Unlink account")).to_have_count(0)
    support.get_by_role("tab", name="History").click()
    row = support.locator("tr", has_text="uid")
    expect(row).to_contain_text("777001")
    expect(row).to_contain_text("ticket #91")


def test_the_country_filter_works_in_the_bar_the_url_the_count_and_the_csv(page, app_server, e2e_database):
    with Session(engine_for(e2e_database[0])) as session:
        country = session.exec(select(Customer.country).where(Customer.email == E2E_CARL)).one()
        expected = sorted(session.exec(select(Customer.email).where(Customer.country == country)).all())
    page.goto(app_server + "/customers")
    expect(page.locator(ROWS).first).to_be_visible()
    page.get_by_label("Country", exact=True).fill(country.lower())
    expect(page).to_have_url(re.compile(rf"[?&]country={country}(&|$)"))
    noun = "customer" if len(expected) == 1 else "customers"
    expect(page.get_by_test_id("result-count")).to_have_text(f"{len(expected):,} {noun}")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert sorted(row["email"] for row in rows) == expected
    assert {row["country"] for row in rows} == {country}
