"""Admin pages in Chromium: staff sessions with revocation (admin), the sign-in audit (admin, support)."""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from admin_app.db.models import AuthEvent, StaffSession
from admin_app.db.session import engine_for
from tests.e2e.conftest import SIGN_IN_PAGE, close_page, new_page, screenshot, sign_in_through_provider
from tests.waiting import wait_until

pytestmark = pytest.mark.e2e


def refusals_of(url: str, email: str, needed: str) -> list[AuthEvent]:
    """The audit's refusals of `email` that name `needed`."""
    with Session(engine_for(url)) as session:
        return list(
            session.exec(
                select(AuthEvent).where(
                    AuthEvent.kind == "refused",
                    AuthEvent.email == email,
                    col(AuthEvent.detail).contains(needed),
                )
            )
        )


def signed_in_page(browser, app_server, user: str, path: str = "/licenses"):
    page = new_page(browser)
    page.goto(app_server + path)
    sign_in_through_provider(page, user)
    expect(page).to_have_url(re.compile(re.escape(path)))
    return page


def test_an_admin_ends_another_staff_members_session(browser, app_server):
    support = signed_in_page(browser, app_server, "support@example.com")
    admin = signed_in_page(browser, app_server, "admin@example.com", "/admin/sessions")
    # Sessions are listed most recently seen first: the first support row is the page just signed in.
    support_rows = admin.get_by_role("row").filter(has_text="support@example.com")
    row = support_rows.first
    expect(row).to_be_visible()
    before = support_rows.count()
    screenshot(admin, "staff-sessions")
    row.get_by_role("button", name="End session").click()
    expect(admin.get_by_role("alertdialog")).to_contain_text("will have to sign in again")
    admin.get_by_role("alertdialog").get_by_role("button", name="End session").click()
    expect(admin.get_by_text("Session of support@example.com ended.")).to_be_visible()
    expect(support_rows).to_have_count(before - 1)

    # The ended session's open tab is sent to sign in without an event of its own.
    expect(support).to_have_url(SIGN_IN_PAGE)
    close_page(admin)
    close_page(support)


def test_an_admin_ends_every_session_of_one_person_and_never_sees_session_ids(
    browser, app_server, e2e_database
):
    laptop = signed_in_page(browser, app_server, "manager@example.com")
    phone = signed_in_page(browser, app_server, "manager@example.com")
    admin = signed_in_page(browser, app_server, "admin@example.com", "/admin/sessions")
    manager_rows = admin.get_by_role("row").filter(has_text="manager@example.com")
    expect(manager_rows.first).to_be_visible()
    count = manager_rows.count()
    assert count >= 2
    with Session(engine_for(e2e_database[0])) as session:
        stored_ids = session.exec(select(StaffSession.id)).all()
    assert stored_ids and not any(stored in admin.content() for stored in stored_ids)

    manager_rows.first.get_by_role("button", name=f"End all {count}").click()
    dialog = admin.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"All {count} sessions of Morgan Manager")
    screenshot(admin, "staff-sessions-end-all")
    dialog.get_by_role("button", name="End all sessions").click()
    expect(admin.get_by_text(f"{count} session(s) of manager@example.com ended.")).to_be_visible()
    expect(manager_rows).to_have_count(0)
    expect(admin.get_by_role("row").filter(has_text="admin@example.com").first).to_be_visible()

    for page in (laptop, phone):
        expect(page).to_have_url(SIGN_IN_PAGE)
        close_page(page)
    close_page(admin)


def test_support_reads_the_sign_in_audit(browser, app_server, e2e_database):
    # A refusal this test makes itself, so the filtered list has a row to show. The server writes it
    # beside the page's answer: the list is opened once it is there.
    manager = signed_in_page(browser, app_server, "manager@example.com", "/admin/sessions")
    expect(manager.get_by_text("Your role (Manager) may not see this page.")).to_be_visible()
    close_page(manager)
    wait_until(lambda: refusals_of(e2e_database[0], "manager@example.com", "sessions:admin"))
    page = signed_in_page(browser, app_server, "support@example.com", "/audit")
    expect(page.get_by_role("row").filter(has_text="sign in").first).to_be_visible()
    page.get_by_label("What").click()
    page.get_by_role("option", name="Refused").click()
    expect(page).to_have_url(re.compile(r"kind=refused"))
    person = page.get_by_label("Staff member (email)")
    person.press_sequentially("manager@example.com", delay=10)
    expect(page).to_have_url(re.compile(r"person=manager%40example\.com"))
    expect(person).to_have_value("manager@example.com")
    refused = page.get_by_role("row").filter(has_text="manager@example.com")
    expect(refused.filter(has_text="sessions:admin").first).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="sign in")).to_have_count(0)
    screenshot(page, "sign-in-audit")
    close_page(page)


ADMIN_NAV = re.compile("Staff sessions|Sign-in audit")


def test_an_admin_sees_the_admin_pages_in_the_sidebar(browser, app_server):
    """The control for the test below: the links it looks for do appear, for a role that has them."""
    page = signed_in_page(browser, app_server, "admin@example.com")
    expect(page.locator("a").filter(has_text=ADMIN_NAV)).to_have_count(2)
    close_page(page)


def test_sales_has_no_admin_pages_and_is_refused_if_it_goes_there(browser, app_server):
    page = signed_in_page(browser, app_server, "sales@example.com")
    # The role-dependent links render with the person's name: wait for it before counting them.
    expect(page.get_by_text("Sam Sales")).to_be_visible()
    expect(page.locator("a").filter(has_text="History")).to_be_visible()
    expect(page.locator("a").filter(has_text=ADMIN_NAV)).to_have_count(0)
    page.goto(app_server + "/admin/sessions")
    expect(page.get_by_text("You do not have permission to do that").first).to_be_visible()
    expect(page.get_by_text("Your role (Sales) may not see this page.")).to_be_visible()
    expect(page.get_by_text("Nobody is signed in.")).to_have_count(0)
    screenshot(page, "staff-sessions-refused")
    expect(page.get_by_role("row").filter(has_text="@example.com")).to_have_count(0)
    close_page(page)
