"""The real app, served by `reflex run --env prod` in production's shape (and for the gate and state-binding
tests, in the embedded one too), driven by Chromium."""

import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlmodel import Session

from admin_app.db.licenses.search import today_utc
from admin_app.db.migrate import upgrade_to_head
from admin_app.db.models import (
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    Customer,
    License,
    Reconciliation,
    StaffSession,
    Subscription,
    Version,
)
from admin_app.db.session import engine_for
from admin_app.db.staff.sessions import hash_token
from admin_app.devtools.oidc_provider import oidc_provider
from admin_app.devtools.production import Production, production_shape
from admin_app.devtools.reflex_server import (
    CHROMIUM_ARGS,
    ServerFailed,
    chromium_executable,
    free_port,
    reflex_server,
)
from admin_app.devtools.smtp_server import smtp_server
from admin_app.seed.__main__ import load
from admin_app.seed.generate import SCALES
from admin_app.settings import PROJECT_ROOT
from tests.conftest import fresh_postgres_database

# A busy CI machine answers slower than a laptop; assertions wait up to 10 s instead of 5.
expect.set_options(timeout=10_000)
SCREENSHOTS = PROJECT_ROOT / "tests" / "screenshots"

E2E_COMPANY = "Zephyr E2E Widgets"
E2E_SUBSCRIPTION = "A-S99999999"
E2E_DOMAIN = "zephyr-e2e.test"
E2E_WENDY = f"wendy@{E2E_DOMAIN}"
E2E_CARL = f"carl@{E2E_DOMAIN}"
E2E_DANA = f"dana@{E2E_DOMAIN}"
E2E_ERIN = f"erin@{E2E_DOMAIN}"
E2E_FAY = f"fay@{E2E_DOMAIN}"
E2E_GUS = "gus@yonder-e2e.test"
E2E_YONDER_ZUORA = "e2e1" * 8
E2E_ERROR = (
    "Zuora API error: 422 Unprocessable Entity while creating the amendment for A-S99999999; "
    "the rate plan charge was retired on 2025-06-30 and no replacement charge is configured"
)


def add_e2e_company(url: str) -> dict[str, int]:
    """A company whose licenses the browser tests know: an old trial, the active one, a renewal."""
    today = today_utc()

    def at(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, 10, tzinfo=UTC)

    with Session(engine_for(url)) as session:
        account = add_account(
            session, E2E_COMPANY, "e2e0" * 8, "001E2E000000000AAA", ("Wendy", "Zephyr", E2E_WENDY)
        )
        session.add(
            Subscription(
                name=E2E_SUBSCRIPTION,
                billing_account_id=account.id,
                plan="ultimate",
                deployment="saas",
                seats=120,
                term_start=today - timedelta(days=200),
                term_end=today + timedelta(days=165),
                auto_renew=True,
                status="active",
                channel="direct",
            )
        )
        common = {"company": E2E_COMPANY, "licensee_name": "Wendy Zephyr", "email": E2E_WENDY}
        trial = License(
            **common,
            issued_at=at(today - timedelta(days=400)),
            starts_at=today - timedelta(days=400),
            expires_at=today - timedelta(days=370),
            trial=True,
            plan="ultimate",
            user_count=25,
            license_type="cloud",
        )
        active = License(
            **common,
            issued_at=at(today - timedelta(days=200)),
            starts_at=today - timedelta(days=200),
            expires_at=today + timedelta(days=165),
            trial=False,
            plan="premium",
            user_count=100,
            subscription_name=E2E_SUBSCRIPTION,
            license_type="cloud",
        )
        renewal = License(
            **common,
            issued_at=at(today - timedelta(days=5)),
            starts_at=today + timedelta(days=20),
            expires_at=today + timedelta(days=385),
            trial=False,
            plan="ultimate",
            user_count=120,
            subscription_name=E2E_SUBSCRIPTION,
            license_type="offline",
        )
        session.add_all([trial, active, renewal, *e2e_reconciliations(account.id)])
        session.flush()
        add_e2e_customers(session, account, E2E_DOMAIN, dana_uid=777001)
        add_e2e_membership_account(session)
        session.commit()
        return {"trial": trial.id, "active": active.id, "renewal": renewal.id}


def add_account(
    session: Session, name: str, zuora_account_id: str, salesforce_account_id: str, sold_to: tuple[str, ...]
) -> BillingAccount:
    """A billing account whose Sold To and Bill To is one contact, `sold_to` (first, last name, email)."""
    account = BillingAccount(
        zuora_account_id=zuora_account_id, name=name, salesforce_account_id=salesforce_account_id
    )
    session.add(account)
    session.flush()
    first_name, last_name, email = sold_to
    contact = BillingAccountContact(
        billing_account_id=account.id,
        first_name=first_name,
        last_name=last_name,
        email=email,
        country="US",
    )
    session.add(contact)
    session.flush()
    account.sold_to_contact_id = account.bill_to_contact_id = contact.id
    return account


def add_e2e_customers(
    session: Session, account: BillingAccount, domain: str, dana_uid: int, family: str = "Zephyr"
) -> None:
    """Carl manages the account but is not its Sold To; Dana (GitLab.com user `dana_uid`) and Erin were
    disabled on purpose; Fay's login is active, for the test that disables it. Their company is the
    account's, their last name `family`, their addresses are at `domain`."""
    created = datetime(2024, 5, 1, 9, tzinfo=UTC)
    common = {"company": account.name, "country": "US", "created_at": created, "updated_at": created}
    carl, dana, erin, fay = (
        Customer(first_name=name.title(), last_name=family, email=f"{name}@{domain}", **common)
        for name in ("carl", "dana", "erin", "fay")
    )
    carl.confirmed_at = fay.confirmed_at = created
    dana.login_activated = erin.login_activated = False
    dana.uid = dana_uid
    session.add_all([carl, dana, erin, fay])
    session.flush()
    session.add(
        BillingAccountMembership(
            customer_id=carl.id, billing_account_id=account.id, created_at=created, created_by="seed"
        )
    )
    for customer in (carl, dana, erin):
        session.add(
            Version(
                item_type="customer",
                item_id=customer.id,
                customer_id=customer.id,
                event="create",
                actor="portal-signup",
                changes={},
                created_at=created,
            )
        )
    for customer, reason in ((dana, "Chargeback fraud"), (erin, "Shared login")):
        session.add(
            Version(
                item_type="customer",
                item_id=customer.id,
                customer_id=customer.id,
                event="update",
                actor="lee.security@example.com",
                changes={"login_activated": [True, False]},
                reason=reason,
                created_at=datetime(2025, 2, 3, 14, 5, tzinfo=UTC),
            )
        )


def add_e2e_membership_account(session: Session) -> None:
    """An account only the membership tests change: Gus manages it, alone."""
    created = datetime(2024, 5, 1, 9, tzinfo=UTC)
    account = add_account(
        session, "Yonder E2E Tools", E2E_YONDER_ZUORA, "001E2E1", ("Gus", "Yonder", E2E_GUS)
    )
    gus = Customer(
        first_name="Gus",
        last_name="Yonder",
        email=E2E_GUS,
        company="Yonder E2E Tools",
        country="US",
        confirmed_at=created,
        created_at=created,
        updated_at=created,
    )
    session.add(gus)
    session.flush()
    session.add(
        BillingAccountMembership(
            customer_id=gus.id, billing_account_id=account.id, created_at=created, created_by="seed"
        )
    )


def e2e_reconciliations(account_id: int) -> list[Reconciliation]:
    """Q3 2025 of the E2E company: one invoiced (the largest in USD), one failed, one skipped."""
    common = {
        "billing_account_id": account_id,
        "customer_name": E2E_COMPANY,
        "subscription_name": E2E_SUBSCRIPTION,
        "currency": "USD",
        "plan": "ultimate",
        "channel": "direct",
        "seats_before": 120,
    }
    day = date(2025, 7, 1)
    done_at = datetime(2025, 7, 2, 9, tzinfo=UTC)
    return [
        Reconciliation(
            **common,
            status="done",
            reconciliation_date=day,
            done_at=done_at,
            user_count=150,
            invoiced_amount=Decimal("9876543.21"),
        ),
        Reconciliation(
            **common,
            status="failed",
            reconciliation_date=day,
            done_at=done_at,
            user_count=130,
            error_message=E2E_ERROR,
        ),
        Reconciliation(
            **common,
            status="skipped",
            reconciliation_date=day,
            done_at=done_at,
            user_count=120,
            skip_reason="Usage data not received from the instance",
        ),
    ]


@dataclass(frozen=True)
class Served:
    """The app as one shape serves it: the address staff open, and its database's URL and the ids of
    the E2E company's licenses."""

    url: str
    database: tuple[str, dict[str, int]]


def _demo_database(url: str) -> tuple[str, dict[str, int]]:
    load(url, SCALES["small"], seed=42)
    return url, add_e2e_company(url)


@pytest.fixture(scope="session")
def issuer() -> Iterator[str]:
    with oidc_provider() as url:
        yield url


# The browser tests' local mail server keeps what it accepted here.
MAILDIR = Path(tempfile.mkdtemp(prefix="e2e-mail-"))
MAIL_EVENTS_SECRET = "e2e-mail-events-secret"


@contextmanager
def mail_server(app_url: str) -> Iterator[dict[str, str]]:
    """The local mail server, reporting deliveries and bounces to the app at `app_url`."""
    with smtp_server(f"{app_url}/api/mail-events", MAIL_EVENTS_SECRET, MAILDIR) as smtp_url:
        yield {"SMTP_URL": smtp_url, "MAIL_EVENTS_SECRET": MAIL_EVENTS_SECRET}


# Links out are configured for the browser tests (and shown); unset, a record shows none.
LINKS_OUT = {"ZUORA_ACCOUNT_URL": "https://zuora.example/accounts/{zuora_account_id}"}
# Self-managed servers' usage pings are accepted, signed with this.
USAGE_PINGS_SECRET = "e2e-usage-pings-secret-of-thirty-two-characters"
SERVED_SETTINGS = {**LINKS_OUT, "USAGE_PINGS_SECRET": USAGE_PINGS_SECRET}


@pytest.fixture(scope="session")
def production_database() -> Iterator[tuple[str, dict[str, int]]]:
    """The demo data and the E2E company in a PostgreSQL database of their own."""
    with fresh_postgres_database("customer_admin_e2e") as url:
        yield _demo_database(url)


@pytest.fixture(scope="session")
def production(production_database, issuer, tmp_path_factory) -> Iterator[Production]:
    """The shape production has (PostgreSQL, Redis, two instances of two workers behind a balancer):
    every browser test runs here."""
    workdir = tmp_path_factory.mktemp("production")
    try:
        with production_shape(
            production_database[0], issuer, workdir, services=mail_server, extra_env=SERVED_SETTINGS
        ) as shape:
            yield shape
    except ServerFailed as failure:
        pytest.fail(str(failure))


@dataclass(frozen=True)
class SingleProcess(Served):
    timings: Path  # where its event timing lines go (EVENT_TIMING_DIR)


@pytest.fixture(scope="session")
def single_process(issuer, tmp_path_factory) -> Iterator[SingleProcess]:
    """The embedded shape `make run` has: SQLite and one process, its events timed (EVENT_TIMING_DIR).
    The tests marked `both_shapes` (the gate and the state binding, where the shapes differ: state in
    memory or in Redis, one process or several) run here as well as in production's shape. The tests
    that change data run in production's shape; the data layer runs every write on SQLite in its own
    tests."""
    workdir = tmp_path_factory.mktemp("single-process")
    url = f"sqlite:///{workdir / 'e2e.db'}"
    upgrade_to_head(url)
    database = _demo_database(url)
    timings = workdir / "timings"
    timings.mkdir()
    port = free_port()
    env = {
        "OIDC_ISSUER": issuer,
        "EVENT_TIMING_DIR": str(timings),
        "REFLEX_WEB_WORKDIR": str(workdir / "web"),
    }
    try:
        with mail_server(f"http://localhost:{port}") as mail_env:
            env.update({**mail_env, **SERVED_SETTINGS})
            with reflex_server(url, port, workdir / "reflex.log", extra_env=env) as base_url:
                yield SingleProcess(url=base_url, database=database, timings=timings)
    except ServerFailed as failure:
        pytest.fail(str(failure))


# With `pytest -n N --dist loadgroup` the tests in the embedded shape go to one worker, which alone
# starts that shape; the others share out the rest.
IN_SINGLE_PROCESS = pytest.mark.xdist_group("single_process")
# The tests that move a browser to production's second instance go to one worker, the only one that
# starts it (see Production.instance).
ON_BOTH_INSTANCES = pytest.mark.xdist_group("both_instances")
SHAPES = ("production", pytest.param("single_process", marks=IN_SINGLE_PROCESS))


def pytest_generate_tests(metafunc) -> None:
    """A test marked `both_shapes` runs once in each shape."""
    if metafunc.definition.get_closest_marker("both_shapes") and "shape" in metafunc.fixturenames:
        metafunc.parametrize("shape", SHAPES, indirect=True)


@pytest.fixture
def shape(request) -> Served:
    """Production's shape, or for a test marked `both_shapes`, each shape in turn."""
    name = getattr(request, "param", "production")
    if name == "single_process":
        return request.getfixturevalue("single_process")
    production = request.getfixturevalue("production")
    return Served(url=production.url, database=request.getfixturevalue("production_database"))


@pytest.fixture
def app_server(shape) -> str:
    return shape.url


@pytest.fixture
def e2e_database(shape) -> tuple[str, dict[str, int]]:
    return shape.database


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def sign_in_through_provider(page: Page, user: str) -> None:
    """On the provider's page (where the app sent the browser), pick the demo user."""
    page.get_by_role("button", name=user, exact=True).click()


def set_live_sessions_of(url: str, email: str, **values) -> None:
    """Set `values` on every live session of the staff member `email` in the database at `url`."""
    with engine_for(url).begin() as connection:
        connection.execute(
            sa.update(StaffSession)
            .where(StaffSession.email == email, StaffSession.revoked_at.is_(None))
            .values(**values)
        )


def _still_signed_in(url: str, storage_path: str) -> bool:
    """Whether the session a stored browser state carries is still live (no test ended it)."""
    cookies = json.loads(Path(storage_path).read_text())["cookies"]
    token = _session_cookie(cookies)
    if token is None:
        return False
    with Session(engine_for(url)) as session:
        row = session.get(StaffSession, hash_token(token))
        return row is not None and row.revoked_at is None


@pytest.fixture(scope="session")
def stored_sign_ins() -> dict[tuple[str, str], str]:
    """Browser storage files of signed-in sessions, by the shape's address and the demo user."""
    return {}


@pytest.fixture
def signed_in_state(
    browser, app_server, e2e_database, stored_sign_ins, tmp_path_factory
) -> Callable[[str], str]:
    """Browser storage of a signed-in session per demo user in the test's shape, made by a real
    sign-in, and made again when a test has ended that session (so no test depends on running before
    one that signs out)."""

    def for_user(user: str) -> str:
        stored = stored_sign_ins.get((app_server, user))
        if stored is None or not _still_signed_in(e2e_database[0], stored):
            context = browser.new_context()
            page = context.new_page()
            page.goto(app_server + "/licenses")
            sign_in_through_provider(page, user)
            page.wait_for_url(app_server + "/licenses**")
            stored = str(tmp_path_factory.mktemp("state") / "storage.json")
            context.storage_state(path=stored)
            context.close()
            stored_sign_ins[(app_server, user)] = stored
        return stored

    return for_user


SESSION_COOKIE = "ca_session"  # its name over plain HTTP, as the test servers are reached

# A signed-in person's tabs share one browser context per test process: its cache keeps the app's
# scripts and styles, so a first page costs Chromium about 40 % less CPU than in a new context. Each
# test has a tab of its own (its own Reflex state); close_page clears what a tab left in local storage.
_SHARED: dict[tuple[str, tuple], BrowserContext] = {}


def _session_cookie(cookies) -> str | None:
    return next((c["value"] for c in cookies if c["name"] == SESSION_COOKIE), None)


def _new_context(browser, storage_state: str | None, **options) -> BrowserContext:
    return browser.new_context(
        viewport={"width": 1440, "height": 900}, accept_downloads=True, storage_state=storage_state, **options
    )


def _shared_context(browser, storage_state: str, **options) -> BrowserContext:
    """The context of this stored sign-in and these options, made again when a test has changed its
    session cookie (signed out, or signed in as someone else)."""
    key = (storage_state, tuple(sorted(options.items())))
    context = _SHARED.get(key)
    stored = _session_cookie(json.loads(Path(storage_state).read_text())["cookies"])
    if context is not None and _session_cookie(context.cookies()) != stored:
        context.close()
        context = None
    if context is None:
        context = _SHARED[key] = _new_context(browser, storage_state, **options)
        context.on("close", lambda closed: _SHARED.pop(key, None) if _SHARED.get(key) is closed else None)
    return context


def new_page(browser, storage_state: str | None = None, **options) -> Page:
    """A tab: in a new context of its own without a stored sign-in, else in that sign-in's shared one."""
    if storage_state is None:
        context = _new_context(browser, None, **options)
    else:
        context = _shared_context(browser, storage_state, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def close_page(page: Page) -> None:
    """Done with a tab: its context goes too unless it is shared, where the tab's local storage is
    cleared first (the next test starts as in a new context)."""
    if page.context not in _SHARED.values():
        page.context.close()
        return
    with suppress(PlaywrightError):
        page.evaluate("() => window.localStorage.clear()")
    page.close()


@pytest.fixture
def page(browser, app_server, signed_in_state) -> Iterator[Page]:
    """A browser tab signed in as the sales demo user."""
    page = new_page(browser, signed_in_state("sales@example.com"))
    yield page
    close_page(page)


_TAKEN: set[str] = set()


# What a link inside the app does: the router shows the page, with no new document (the scripts and
# styles stay parsed: a page load costs Chromium about five times the CPU).
FOLLOW_IN_APP = """(path) => {
    window.history.pushState({}, "", path);
    window.dispatchEvent(new PopStateEvent("popstate", { state: {} }));
}"""


def open_in_app(page: Page, path: str) -> None:
    """Show `path` (with its query) in this tab as the app's own links do, once its data has loaded."""
    page.evaluate(FOLLOW_IN_APP, path)
    loaded = f'main[aria-busy="false"][data-url$="{path}"]'
    expect(page.locator(loaded)).to_be_attached()


def screenshot(page: Page, name: str) -> None:
    """Save what the user sees, for a person to look at (tests/screenshots is git-ignored), when
    `make screenshots` asks (a full-page picture costs Chromium about as much CPU as a page load).
    Once per name and run: a test in both shapes shows the same page twice."""
    if not os.environ.get("TAKE_SCREENSHOTS") or name in _TAKEN:
        return
    _TAKEN.add(name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def lightness(css_color: str) -> float:
    """0 (black) to 1 (white): the mean of a computed `rgb(...)` / `rgba(...)` colour's channels."""
    channels = [float(part) for part in css_color[css_color.index("(") + 1 : -1].split(",")[:3]]
    return sum(channels) / (3 * 255)


SIGN_IN_PAGE = re.compile(r"/oauth2/authorize\?")


def until_sent_to_sign_in(page: Page, act: Callable[[int], object], timeout_s: float = 20) -> None:
    """Repeat `act` (something the server answers) until the page lands on the provider's sign-in.

    Stands for "once the identity cache has let the session go" without guessing how long that takes.
    `act` should give up within a few seconds (a short timeout) when the page has left.
    """
    deadline, attempt = time.monotonic() + timeout_s, 0
    while time.monotonic() < deadline:
        # What `act` works on goes when the page leaves for the sign-in: checked below.
        with suppress(PlaywrightTimeoutError):
            act(attempt)
        attempt += 1
        try:
            expect(page).to_have_url(SIGN_IN_PAGE, timeout=1_000)
            return
        except AssertionError:
            continue
    raise AssertionError(f"still signed in after {timeout_s:.0f} s and {attempt} tries")
