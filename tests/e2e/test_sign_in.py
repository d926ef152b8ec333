"""Sign-in in Chromium through the real OpenID provider process: roles, no role, sign-out, revocation."""

import re
import time
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from playwright.sync_api import Page, expect

from admin_app.auth.identity import CACHE_SECONDS
from admin_app.background.session_ends import LAPSE_CHECK_SECONDS
from tests.e2e.conftest import (
    SIGN_IN_PAGE,
    close_page,
    new_page,
    screenshot,
    set_live_sessions_of,
    sign_in_through_provider,
    until_sent_to_sign_in,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("user", "role"),
    [
        ("sales@example.com", "Sales"),
        ("support@example.com", "Support"),
        ("manager@example.com", "Manager"),
        ("admin@example.com", "Admin"),
    ],
)
def test_each_role_signs_in_and_lands_on_the_page_first_asked_for(
    browser, app_server, e2e_database, user, role
):
    _, license_ids = e2e_database
    page = new_page(browser)
    page.goto(f"{app_server}/licenses/{license_ids['active']}")
    expect(page).to_have_url(re.compile(r"/oauth2/authorize\?"))
    sign_in_through_provider(page, user)
    expect(page).to_have_url(f"{app_server}/licenses/{license_ids['active']}")
    expect(page.get_by_test_id("signed-in-role")).to_have_text(role)
    expect(page.get_by_text(user).first).to_be_visible()
    expect(page.get_by_text("Active license").first).to_be_visible()
    close_page(page)


def test_a_user_without_a_group_sees_who_they_are_and_no_data(browser, app_server):
    page = new_page(browser)
    page.goto(f"{app_server}/licenses")
    sign_in_through_provider(page, "nobody@example.com")
    expect(page).to_have_url(re.compile(r"/no-access"))
    expect(page.get_by_text("nobody@example.com")).to_be_visible()
    expect(page.get_by_text("customer-admin-support")).to_be_visible()
    screenshot(page, "no-access")
    page.goto(f"{app_server}/licenses")
    expect(page).to_have_url(re.compile(r"/no-access"))
    expect(page.locator("[data-testid=result-row]")).to_have_count(0)
    close_page(page)


def test_sign_out_ends_the_session_here_and_at_the_provider(browser, app_server):
    page = new_page(browser)
    page.goto(f"{app_server}/licenses")
    sign_in_through_provider(page, "support@example.com")
    expect(page.locator("[data-testid=result-row]").first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/oauth2/end_session\?.*id_token_hint="))
    page.goto(f"{app_server}/licenses")
    expect(page).to_have_url(re.compile(r"/oauth2/authorize\?"))
    close_page(page)


def test_a_session_revoked_elsewhere_stops_at_the_next_event(browser, app_server, e2e_database):
    url, _ = e2e_database
    page = new_page(browser)
    page.goto(f"{app_server}/licenses")
    sign_in_through_provider(page, "manager@example.com")
    expect(page.locator("[data-testid=result-row]").first).to_be_visible()
    set_live_sessions_of(url, "manager@example.com", revoked_at=datetime.now(UTC))
    until_sent_to_sign_in(page, lambda n: page.locator("#search").fill(f"zephyr {n}", timeout=2_000))
    close_page(page)


def test_a_visitor_on_the_way_to_sign_in_sees_no_identity(browser, app_server):
    page = new_page(browser)
    # The server never answers, so the page stays as a visitor first sees it.
    page.route_web_socket(re.compile(r".*/_event/.*"), lambda websocket: None)
    page.goto(app_server + "/licenses")
    expect(page.get_by_role("heading", name="Licenses")).to_be_visible()
    expect(page.get_by_text("No access")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    close_page(page)


def test_the_served_app_sends_the_security_headers_on_pages_and_routes(app_server):
    for path in ("/licenses", "/auth/logout", "/ping"):
        response = httpx2.get(app_server + path)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        assert response.headers["x-content-type-options"] == "nosniff", path


def second_tab_watched(page) -> tuple[Page, list[tuple[float, str]]]:
    """Another tab of the page's session on the licenses list, and the frames its websocket sends."""
    other = page.context.new_page()
    sent: list[tuple[float, str]] = []
    other.on("websocket", lambda ws: ws.on("framesent", lambda p: sent.append((time.monotonic(), str(p)))))
    other.goto(page.url)
    expect(other.locator("[data-testid=result-row]").first).to_be_visible()
    return other, sent


def test_signing_out_in_one_tab_sends_the_sessions_other_tab_to_sign_in_without_its_next_event(
    browser, app_server
):
    page = new_page(browser)
    page.goto(f"{app_server}/licenses")
    sign_in_through_provider(page, "sales@example.com")
    expect(page.locator("[data-testid=result-row]").first).to_be_visible()
    other, sent = second_tab_watched(page)

    signed_out_at = time.monotonic()
    page.get_by_role("button", name="Sign out").click()
    # The tab signing out goes on to the provider's sign-out; the other one is sent to sign in.
    expect(page).to_have_url(re.compile(r"/oauth2/end_session\?.*id_token_hint="))
    expect(other).to_have_url(SIGN_IN_PAGE, timeout=30_000)
    assert [frame for at, frame in sent if at >= signed_out_at and frame.startswith("42")] == []
    close_page(page)


def test_a_session_that_expires_sends_its_open_tab_to_sign_in_without_its_next_event(
    browser, app_server, e2e_database
):
    url, _ = e2e_database
    page = new_page(browser)
    sent: list[tuple[float, str]] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda p: sent.append((time.monotonic(), str(p)))))
    page.goto(f"{app_server}/licenses")
    sign_in_through_provider(page, "manager@example.com")
    expect(page.locator("[data-testid=result-row]").first).to_be_visible()
    set_live_sessions_of(url, "manager@example.com", expires_at=datetime.now(UTC) + timedelta(seconds=1))
    expires_at = time.monotonic() + 1
    # Each worker looks for lapsed sessions every LAPSE_CHECK_SECONDS.
    expect(page).to_have_url(SIGN_IN_PAGE, timeout=(LAPSE_CHECK_SECONDS * 2 + 10) * 1000)
    assert [frame for at, frame in sent if at >= expires_at and frame.startswith("42")] == []
    close_page(page)
    # Ended, as the staff admin tests expect of every unlisted session of a demo user.
    set_live_sessions_of(url, "manager@example.com", revoked_at=datetime.now(UTC))


def test_a_session_the_role_check_ends_sends_its_other_tab_to_sign_in_without_its_next_event(
    browser, app_server, e2e_database, issuer
):
    url, _ = e2e_database
    page = new_page(browser)
    page.goto(f"{app_server}/licenses")
    sign_in_through_provider(page, "manager@example.com")
    expect(page.locator("[data-testid=result-row]").first).to_be_visible()
    other, sent = second_tab_watched(page)
    # The provider no longer accepts the session's tokens, and a role check is due at the next event.
    assert httpx2.post(f"{issuer}/users/manager@example.com/revoke-tokens").status_code == 204
    set_live_sessions_of(url, "manager@example.com", roles_checked_at=datetime.now(UTC) - timedelta(days=1))

    page.wait_for_timeout((CACHE_SECONDS + 1) * 1000)  # past what the worker remembers of the session
    checked_at = time.monotonic()
    page.locator("#search").fill("zephyr")
    expect(page).to_have_url(SIGN_IN_PAGE)
    expect(other).to_have_url(SIGN_IN_PAGE)
    assert [frame for at, frame in sent if at >= checked_at and frame.startswith("42")] == []
    close_page(page)


@pytest.mark.parametrize(
    ("user", "start"),
    [("manager@example.com", "/reconciliations/charts"), ("support@example.com", "/customers")],
)
def test_each_role_lands_on_the_page_it_uses_most(browser, app_server, signed_in_state, user, start):
    page = new_page(browser, signed_in_state(user))
    page.goto(app_server + "/")
    expect(page).to_have_url(app_server + start)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    close_page(page)
