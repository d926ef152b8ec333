"""A tab's state belongs to the staff member who loaded it: judged by the websocket frames, not the screen.

Reflex keeps a page's state under the browser tab's token and replays it on every (re)connect; the
gate empties it when the session behind the tab is not the one it was loaded for.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from admin_app.db.models import BillingAccount, Customer, StaffSession
from admin_app.db.session import engine_for
from admin_app.devtools.reflex_socket import ReflexSocket
from tests.e2e.conftest import E2E_CARL, close_page, new_page, sign_in_through_provider
from tests.e2e.test_events_without_ui import handler, staff_cookie
from tests.factories import add_account, add_customer

pytestmark = [pytest.mark.e2e, pytest.mark.both_shapes]

ADMIN = "admin@example.com"


def customer_id(url: str, email: str) -> int:
    with Session(engine_for(url)) as session:
        return session.exec(select(Customer.id).where(Customer.email == email)).one()


def record_frames(page: Page) -> list[str]:
    """Every websocket message the server sends this tab, as text."""
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    return frames


def carries_admin_data(frames: list[str]) -> list[str]:
    """Frames holding the admin's Staff sessions rows or the customer the admin opened."""
    return [f for f in frames if ADMIN in f or E2E_CARL in f]


@dataclass
class AdminsTab:
    page: Page
    frames: list[str]
    carl: int
    token: str


def admins_tab(browser, app_server: str, url: str) -> AdminsTab:
    """A tab where the admin opened Staff sessions and a customer page, and the frames show it (the
    positive control for every check that they are gone later)."""
    carl = customer_id(url, E2E_CARL)
    page = new_page(browser)
    frames = record_frames(page)
    page.goto(app_server + "/admin/sessions")
    sign_in_through_provider(page, ADMIN)
    expect(page.get_by_role("row").filter(has_text=ADMIN).first).to_be_visible()
    page.goto(f"{app_server}/customers/{carl}")
    expect(page.get_by_text(E2E_CARL).first).to_be_visible()
    assert carries_admin_data(frames), "the frame recorder sees the admin's data while signed in"
    return AdminsTab(page, frames, carl, page.evaluate("window.sessionStorage.getItem('token')"))


def test_after_sign_out_back_and_a_new_sign_in_no_frame_carries_the_admins_data(
    browser, app_server, e2e_database
):
    tab = admins_tab(browser, app_server, e2e_database[0])
    page, frames, carl = tab.page, tab.frames, tab.carl

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/oauth2/end_session\?"))
    frames.clear()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/oauth2/authorize\?"))
    assert carries_admin_data(frames) == []

    sign_in_through_provider(page, "sales@example.com")
    expect(page).to_have_url(re.compile(rf"/customers/{carl}"))
    page.goto(app_server + "/admin/sessions")
    expect(page.get_by_text("You do not have permission to do that").first).to_be_visible()
    expect(page.get_by_role("button", name="End session")).to_have_count(0)
    # Sales may read the customer the admin had open (the sign-in returns to that page), so once sales
    # is signed in only the admin's own rows must never arrive.
    assert [frame for frame in frames if ADMIN in frame] == []
    assert page.evaluate("window.sessionStorage.getItem('token')") != tab.token, "sign-out forgot it"
    close_page(page)


def test_another_person_signing_in_in_the_same_tab_never_receives_the_tabs_earlier_state(
    browser, app_server, e2e_database
):
    """No sign-out page ran here (the admin's session ended elsewhere): the tab keeps its token, so only
    the server's binding of state to session stands between the next person and the admin's data."""
    url, _ = e2e_database
    tab = admins_tab(browser, app_server, url)
    page, frames, carl = tab.page, tab.frames, tab.carl

    with Session(engine_for(url)) as session:
        for row in session.exec(select(StaffSession).where(StaffSession.email == ADMIN)):
            row.revoked_at = datetime.now(UTC)
            session.add(row)
        session.commit()
    page.context.clear_cookies()
    frames.clear()
    page.goto(app_server + "/admin/sessions")
    sign_in_through_provider(page, "sales@example.com")
    expect(page.get_by_text("You do not have permission to do that").first).to_be_visible()
    page.goto(f"{app_server}/customers/{carl}")
    expect(page.get_by_text(E2E_CARL).first).to_be_visible()
    assert page.evaluate("window.sessionStorage.getItem('token')") == tab.token, "the same Reflex state"
    admin_rows = [f for f in frames if ADMIN in f]
    assert admin_rows == []
    close_page(page)


def add_customer_to(url: str, email: str) -> int:
    with Session(engine_for(url)) as session:
        return add_customer(session, first_name="Quinn", email=email).id


def test_a_reviewed_edit_cannot_be_saved_onto_another_customer_by_changing_the_url(app_server, e2e_database):
    url, _ = e2e_database
    reviewed, other = (
        add_customer_to(url, "quinn-a@crafted.test"),
        add_customer_to(url, "quinn-b@crafted.test"),
    )
    cookie, _ = staff_cookie(url, "support-crafter@example.com", ("support",))
    socket = ReflexSocket(app_server, cookie)
    socket.send_event(handler("customer_detail_state", "load"), {}, path=f"/customers/{reviewed}/")
    form = {
        "first_name": "Renamed",
        "last_name": "Target",
        "email": "quinn-a@crafted.test",
        "company": "Crafted Events Ltd",
        "country": "US",
        "reason": "Ticket 4242: the customer asked",
    }
    socket.send_event(
        handler("customer_detail_state", "review_edit"), {"form": form}, path=f"/customers/{reviewed}/"
    )
    socket.send_event(
        handler("customer_detail_state", "confirm_edit"), {"form": {}}, path=f"/customers/{other}/"
    )
    socket.close()
    with Session(engine_for(url)) as session:
        assert session.get(Customer, other).first_name == "Quinn", "the other customer is untouched"
        assert session.get(Customer, reviewed).first_name == "Renamed", (
            "the reviewed plan lands where it was made"
        )


def add_account_to(url: str, name: str) -> int:
    sold_to = {"first_name": "Quinn", "last_name": "Sold", "email": f"sold@{name}.test"}
    with Session(engine_for(url)) as session:
        return add_account(session, sold_to=sold_to, name=name).id


def has_its_own_bill_to(url: str, account_id: int) -> bool:
    with Session(engine_for(url)) as session:
        account = session.get(BillingAccount, account_id)
        return account.bill_to_contact_id != account.sold_to_contact_id


def test_a_bill_to_cannot_be_saved_onto_another_account_by_changing_the_url(app_server, e2e_database):
    url, _ = e2e_database
    loaded, other = add_account_to(url, "crafted-a"), add_account_to(url, "crafted-b")
    cookie, _ = staff_cookie(url, "support-crafter-b@example.com", ("support",))
    socket = ReflexSocket(app_server, cookie)
    socket.send_event(
        handler("billing_account_detail_state", "load"), {}, path=f"/billing-accounts/{loaded}/"
    )
    form = {
        "first_name": "Bill",
        "last_name": "Payer",
        "email": "ap@crafted-a.test",
        "country": "US",
        "reason": "Ticket 4243: their accounts payable team",
    }
    socket.send_event(
        handler("billing_account_detail_state", "save_new_bill_to"),
        {"form": form},
        path=f"/billing-accounts/{other}/",
    )
    socket.close()
    assert not has_its_own_bill_to(url, other), "the other account is untouched"
    assert has_its_own_bill_to(url, loaded), "the new Bill To lands on the account the page loaded"
