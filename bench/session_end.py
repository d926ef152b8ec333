"""How long an admin's ending a session takes to reach the session's open tabs, in the production shape:
two instances of two workers each behind a balancer, one Redis, one PostgreSQL.

Each repetition signs the sales demo user in, opens two tabs whose websockets the balancer sends to
different instances, and has the admin end that session. The clock starts before Playwright clicks
the confirm button (its round trip to the browser included) and stops when the tabs are on the
provider's sign-in page.
"""

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from admin_app.db.migrate import create_database_if_missing
from admin_app.devtools.oidc_provider import oidc_provider
from admin_app.devtools.production import Production, production_shape
from admin_app.devtools.reflex_server import CHROMIUM_ARGS, chromium_executable
from admin_app.devtools.reflex_socket import carries_an_event
from admin_app.seed.__main__ import load, reset
from admin_app.seed.generate import SCALES
from bench.data_layer import summary
from bench.yardstick import yardstick_s

PERSON = "sales@example.com"
ADMIN = "admin@example.com"
ROWS = "[data-testid=result-row]"
SIGN_IN_PAGE = re.compile(r"/oauth2/authorize\?")
TIMEOUT_MS = 60_000


def small_database(postgres_url: str) -> str:
    """A PostgreSQL database of the bench's own beside `postgres_url`'s, emptied and seeded small."""
    url = (
        sa.engine.make_url(postgres_url)
        .set(database="customer_admin_bench_sessions")
        .render_as_string(hide_password=False)
    )
    create_database_if_missing(url)
    reset(url)
    load(url, SCALES["small"])
    return url


@dataclass
class WatchedTab:
    """A tab, when each of its moves to the sign-in page committed, and when it sent each Reflex event."""

    page: Page
    sent_to_sign_in: list[float] = field(default_factory=list)
    events_sent: list[float] = field(default_factory=list)


def _watched(page: Page) -> WatchedTab:
    tab = WatchedTab(page)

    def navigated(frame) -> None:
        if frame == page.main_frame and SIGN_IN_PAGE.search(frame.url):
            tab.sent_to_sign_in.append(time.perf_counter())

    def sent(payload) -> None:
        if carries_an_event(str(payload)):
            tab.events_sent.append(time.perf_counter())

    page.on("framenavigated", navigated)
    page.on("websocket", lambda socket: socket.on("framesent", sent))
    return tab


def _open_tab(context: BrowserContext, production: Production, instance: str, sign_in: bool) -> WatchedTab:
    """A tab of `context` on /licenses whose websocket the balancer sends to `instance`, signing the
    person in at the provider first when `sign_in`."""
    upstream = production.instances[instance]
    before = production.balancer.connections[upstream]
    production.balancer.send_new_to(upstream)
    tab = _watched(context.new_page())
    tab.page.goto(f"{production.url}/licenses")
    if sign_in:
        tab.page.get_by_role("button", name=PERSON, exact=True).click()
    tab.page.wait_for_selector(ROWS)
    if production.balancer.connections[upstream] == before:
        raise RuntimeError(f"the tab's connections did not reach instance {instance}")
    return tab


def _end_session_once(admin: Page, production: Production, person: BrowserContext) -> dict[str, float]:
    """Milliseconds from the admin's confirm to each tab's navigation to sign in and to both loaded,
    and how many events the tabs sent in between (none is the requirement)."""
    tabs = {
        "a": _open_tab(person, production, "a", sign_in=True),
        "b": _open_tab(person, production, "b", sign_in=False),
    }
    production.balancer.send_new_to(production.instances["a"])
    if not all(tab.events_sent for tab in tabs.values()):
        raise RuntimeError("the recorder saw no event from a signed-in tab: it would miss one after the end")
    admin.goto(f"{production.url}/admin/sessions")
    rows = admin.get_by_role("row").filter(has_text=PERSON)
    expect(rows).to_have_count(1)
    rows.first.get_by_role("button", name="End session").click()
    started = time.perf_counter()
    admin.get_by_role("alertdialog").get_by_role("button", name="End session").click()
    for tab in tabs.values():
        tab.page.wait_for_url(SIGN_IN_PAGE, timeout=TIMEOUT_MS)
    both = time.perf_counter()
    return {
        "both": (both - started) * 1000,
        **{
            instance: (min(at for at in tab.sent_to_sign_in if at >= started) - started) * 1000
            for instance, tab in tabs.items()
        },
        "events_sent": sum(at >= started for tab in tabs.values() for at in tab.events_sent),
    }


def session_end_benchmarks(postgres_url: str, workdir: Path, n: int = 10) -> Iterator[dict]:
    """Set the production shape up once, then end a two-tab session `n` times (after one warm-up)."""
    database_url = small_database(postgres_url)
    workdir.mkdir(parents=True, exist_ok=True)
    with (
        oidc_provider() as issuer,
        production_shape(database_url, issuer, workdir) as production,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        admin = browser.new_context().new_page()
        admin.set_default_timeout(TIMEOUT_MS)
        admin.goto(f"{production.url}/admin/sessions")
        admin.get_by_role("button", name=ADMIN, exact=True).click()
        admin.wait_for_url(f"{production.url}/admin/sessions**")
        samples: list[dict[str, float]] = []
        for repetition in range(n + 1):
            person = browser.new_context()
            person.set_default_timeout(TIMEOUT_MS)
            measured = _end_session_once(admin, production, person)
            person.close()
            if repetition:
                samples.append(measured)
        browser.close()
    shape = {
        "db": "postgres",
        "instances": 2,
        "workers_per_instance": 2,
        "redis": True,
        "yardstick_s": yardstick_s(),
    }
    yield {
        "bench": "session_end_to_sign_in_both_tabs",
        **shape,
        "measured": "admin's confirm click to both tabs (one per instance) loaded on the sign-in page",
        **summary([sample["both"] for sample in samples]),
        "tab_events_sent_after_the_confirm": sum(sample["events_sent"] for sample in samples),
    }
    for instance in ("a", "b"):
        yield {
            "bench": f"session_end_to_sign_in_navigation_tab_on_{instance}",
            **shape,
            "measured": f"admin's confirm click to the tab on {instance} committing its move to sign in",
            "admins_instance": instance == "a",
            **summary([sample[instance] for sample in samples]),
        }
