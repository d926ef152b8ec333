"""Production's shape in Chromium (two app instances behind a load balancer, sharing one PostgreSQL and one
Redis: `admin_app.devtools.production`), where every browser test runs: here, a browser moved from one
instance to the other, a session ended on both, and what staff see when the database or Redis restarts.
"""

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx2
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from admin_app.db.models import Customer, StaffSession, Version
from admin_app.db.session import DATABASE_UNAVAILABLE, engine_for
from admin_app.db.staff.sessions import hash_token
from admin_app.devtools.production import Production
from admin_app.devtools.reflex_socket import carries_an_event
from admin_app.state.views import TIME_FORMAT
from tests.e2e.conftest import (
    ON_BOTH_INSTANCES,
    SIGN_IN_PAGE,
    add_account,
    add_e2e_customers,
    close_page,
    new_page,
    screenshot,
    set_live_sessions_of,
    sign_in_through_provider,
)
from tests.waiting import wait_until

pytestmark = pytest.mark.e2e

SUPPORT = "support@example.com"
SALES = "sales@example.com"
ADMIN = "admin@example.com"


# Customers only these tests change, on an account of their own: the other browser tests use the E2E
# company's, in the same database.
# Nothing another test searches for: not "Zephyr".
FAMILY = "Quokka"
DOMAIN = "quokka-e2e.test"
CARL, DANA, ERIN = (f"{name}@{DOMAIN}" for name in ("carl", "dana", "erin"))


@pytest.fixture(scope="module", autouse=True)
def own_customers(production) -> None:
    with Session(engine_for(production.database_url)) as session:
        sold_to = ("Wendy", FAMILY, f"wendy@{DOMAIN}")
        account = add_account(session, "Quokka Production Tools", "e2e2" * 8, "001E2E2", sold_to)
        add_e2e_customers(session, account, DOMAIN, dana_uid=777002, family=FAMILY)
        session.commit()


@pytest.fixture(autouse=True)
def restored(production) -> Iterator[None]:
    """The shape as the other browser tests expect it, whatever a test here left cut or moved."""
    yield
    production.database_link.restore()
    production.balancer.send_new_to(production.instance("a"))


@pytest.fixture
def support(browser, production) -> Iterator[Page]:
    """Support, signed in through the balancer, which starts each test on instance A."""
    production.balancer.switch_to(production.instance("a"))
    production.database_link.restore()
    page = new_page(browser)
    page.goto(production.url + "/customers")
    sign_in_through_provider(page, SUPPORT)
    page.wait_for_url(production.url + "/customers**")
    yield page
    close_page(page)


def session_of(production: Production, page: Page) -> StaffSession:
    """The staff session a page's cookie carries."""
    [token] = [c["value"] for c in page.context.cookies() if c["name"] == "ca_session"]
    with Session(engine_for(production.database_url), expire_on_commit=False) as session:
        found = session.get(StaffSession, hash_token(token))
    assert found is not None, "the page is signed in"
    return found


def customer_id(production: Production, email: str) -> int:
    with Session(engine_for(production.database_url)) as session:
        return session.exec(select(Customer.id).where(Customer.email == email)).one()


def saved_by_support(production: Production, customer: int) -> list[Version]:
    with Session(engine_for(production.database_url)) as session:
        return session.exec(
            select(Version).where(
                Version.item_type == "customer", Version.item_id == customer, Version.actor == SUPPORT
            )
        ).all()


def first_name(production: Production, customer: int) -> str:
    with Session(engine_for(production.database_url)) as session:
        return session.get(Customer, customer).first_name


def review_first_name(page: Page, name: str) -> None:
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("First name").fill(name)
    page.get_by_role("button", name="Review changes").click()
    expect(page.get_by_role("alertdialog")).to_contain_text(name)


@ON_BOTH_INSTANCES
def test_a_browser_moved_to_the_other_instance_mid_edit_keeps_its_session_and_the_reviewed_edit(
    support, production
):
    a, b = production.instance("a"), production.instance("b")
    carl = customer_id(production, CARL)
    support.goto(f"{production.url}/customers/{carl}")
    review_first_name(support, "Carlos")
    assert production.balancer.connections[a] > 0
    on_b = production.balancer.connections[b]

    # Instance A leaves the pool: the balancer drops its connections and sends new ones to B.
    production.balancer.switch_to(b)
    wait_until(lambda: production.balancer.connections[b] > on_b)
    expect(support.get_by_role("alertdialog")).to_contain_text("Carlos")
    # Carl is not the Sold To, so saving replaces it (rule 3): the address is decided in the review.
    support.get_by_label(re.compile("^Keep the current address")).check()
    support.get_by_role("button", name="Save").click()

    expect(support.get_by_text("Customer saved")).to_be_visible()
    expect(support.get_by_role("heading", name=f"Carlos {FAMILY}")).to_be_visible()
    assert first_name(production, carl) == "Carlos"
    [saved] = saved_by_support(production, carl)
    with Session(engine_for(production.database_url)) as session:
        staff_session = session.get(StaffSession, saved.session_id)
    # The history names the session, the provider's subject and the address the save came from.
    assert staff_session.email == SUPPORT and saved.subject == staff_session.subject != ""
    assert saved.client_address == "127.0.0.1" and len(saved.request_id) == 32
    support.reload()
    expect(support).to_have_url(f"{production.url}/customers/{carl}")
    expect(support.get_by_role("heading", name=f"Carlos {FAMILY}")).to_be_visible()
    screenshot(support, "production-moved-to-b")


def test_a_database_restart_during_an_edit_saves_it_whole_or_not_at_all_and_the_page_recovers(
    support, production
):
    erin = customer_id(production, ERIN)
    support.goto(f"{production.url}/customers/{erin}")
    review_first_name(support, "Erina")

    production.database_link.cut()
    support.get_by_role("button", name="Save").click()
    expect(support.get_by_text(DATABASE_UNAVAILABLE).first).to_be_visible(timeout=30_000)
    screenshot(support, "production-database-down")
    production.database_link.restore()
    assert first_name(production, erin) == "Erin"
    assert saved_by_support(production, erin) == []

    # Back up: the same page saves without a restart. A short outage during the save is waited out.
    support.get_by_role("button", name="Review changes").click()
    expect(support.get_by_role("alertdialog")).to_contain_text("Erina")
    production.database_link.cut()
    threading.Timer(0.8, production.database_link.restore).start()
    support.get_by_role("button", name="Save").click()
    expect(support.get_by_text("Customer saved")).to_be_visible()
    expect(support.get_by_role("heading", name=f"Erina {FAMILY}")).to_be_visible()
    assert first_name(production, erin) == "Erina"
    assert len(saved_by_support(production, erin)) == 1


def test_sessions_survive_a_redis_restart_and_the_page_recovers_after_a_reload(support, production):
    dana = customer_id(production, DANA)
    support.goto(f"{production.url}/customers/{dana}")
    # Often the first page the worker's production instance serves: it may answer slowly on a loaded
    # machine (seen at 10 s), which is not what this test is about.
    expect(support.get_by_role("heading", name=f"Dana {FAMILY}")).to_be_visible(timeout=30_000)

    production.redis.stop()
    health = httpx2.get(production.url + "/healthz", timeout=10)
    assert (health.status_code, health.json()["redis"]) == (503, "unreachable")
    production.redis.start()

    support.reload()
    expect(support).to_have_url(f"{production.url}/customers/{dana}")
    expect(support.get_by_role("heading", name=f"Dana {FAMILY}")).to_be_visible()
    support.get_by_role("tab", name="History").click()
    expect(support.get_by_text("Chargeback fraud", exact=True)).to_be_visible()
    assert httpx2.get(production.url + "/healthz", timeout=10).status_code == 200


@dataclass
class RecordedTab:
    """A tab and the websocket frames it received and sent, each with when it passed."""

    page: Page
    received: list[tuple[float, str]]
    sent: list[tuple[float, str]]


def recorded_tab(page: Page) -> RecordedTab:
    tab = RecordedTab(page, [], [])

    def watch(ws) -> None:
        ws.on("framereceived", lambda payload: tab.received.append((time.monotonic(), str(payload))))
        ws.on("framesent", lambda payload: tab.sent.append((time.monotonic(), str(payload))))

    page.on("websocket", watch)
    return tab


@ON_BOTH_INSTANCES
def test_an_admin_ending_a_session_sends_its_tabs_on_both_instances_to_sign_in_at_once(browser, production):
    a, b = production.instance("a"), production.instance("b")
    dana, carl = customer_id(production, DANA), customer_id(production, CARL)
    # The sessions earlier browser tests left (the stored sign-ins are made again when needed): the
    # admin's list then holds the one this test starts.
    set_live_sessions_of(production.database_url, SALES, revoked_at=datetime.now(UTC))
    first = recorded_tab(new_page(browser))
    first.page.goto(f"{production.url}/customers/{dana}")
    sign_in_through_provider(first.page, SALES)
    expect(first.page.get_by_text(DANA).first).to_be_visible()
    # The same person's second tab (same browser, same session) is sent to the other instance.
    on_b = production.balancer.connections[b]
    production.balancer.send_new_to(b)
    second = recorded_tab(first.page.context.new_page())
    second.page.goto(f"{production.url}/customers/{carl}")
    # Instance B's first page in this test: on a loaded CI machine it took longer than the default 10 s.
    expect(second.page.get_by_text(CARL).first).to_be_visible(timeout=30_000)
    assert production.balancer.connections[b] > on_b, "the second tab's websocket is on instance B"
    production.balancer.send_new_to(a)
    tabs = (first, second)
    assert all(any(DANA in f or CARL in f for _, f in tab.received) for tab in tabs), (
        "the recorder sees each tab's data while signed in"
    )
    assert all(any(carries_an_event(f) for _, f in tab.sent) for tab in tabs), (
        "the recorder sees each tab's events while signed in"
    )

    admin = new_page(browser)
    admin.goto(production.url + "/admin/sessions")
    sign_in_through_provider(admin, ADMIN)
    # The row of this session: the one signed in when the tabs' session was.
    signed_in = session_of(production, first.page).created_at.strftime(TIME_FORMAT)
    rows = admin.get_by_role("row").filter(has_text=SALES).filter(has_text=signed_in)
    expect(rows).to_have_count(1)
    rows.first.get_by_role("button", name="End session").click()
    ended_at = time.monotonic()
    admin.get_by_role("alertdialog").get_by_role("button", name="End session").click()

    for tab in tabs:
        expect(tab.page).to_have_url(SIGN_IN_PAGE, timeout=60_000)
    took = time.monotonic() - ended_at
    print(f"\nend session -> both tabs on the sign-in page: {took:.2f} s")
    for tab in tabs:
        after = [frame for at, frame in tab.received if at >= ended_at]
        assert after, "the end reached the tab over its websocket"
        assert not [f for f in after if DANA in f or CARL in f or FAMILY in f]
        events_sent = [frame for at, frame in tab.sent if at >= ended_at and carries_an_event(frame)]
        assert events_sent == [], "the tab was sent to sign in without an event of its own"
    screenshot(second.page, "production-session-ended-tab-on-b")
    close_page(first.page)
    close_page(admin)
