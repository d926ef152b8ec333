"""License files in Chromium: download one from a license, paste it into "Validate license" and see it
genuine and matching; a changed field, garbage and a huge paste each answered plainly; managers get
neither the file nor the check, even by sending the event."""

import base64
import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session, select

from admin_app.background.mailer import event_signature
from admin_app.db.licenses.activations import record_activation
from admin_app.db.licenses.files import BEGIN, END
from admin_app.db.licenses.usage import UsageReport, record_usage_ping
from admin_app.db.models import AuthEvent, License, OutboxMessage, Version
from admin_app.db.session import engine_for
from admin_app.devtools.reflex_socket import ReflexSocket
from tests.e2e.conftest import (
    E2E_COMPANY,
    MAILDIR,
    USAGE_PINGS_SECRET,
    close_page,
    new_page,
    open_in_app,
    screenshot,
)
from tests.e2e.test_accessibility import violations_on
from tests.e2e.test_events_without_ui import handler, refused, staff_cookie
from tests.factories import add_licenses, license_fields

pytestmark = pytest.mark.e2e
VERDICT = "[data-testid=license-verdict]"


def download_license_file(page, app_server: str, license_id: int) -> str:
    page.goto(f"{app_server}/licenses/{license_id}")
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="Download license file").click()
    return Path(downloaded.value.path()).read_text()


def validate(page, text: str) -> None:
    page.get_by_label(re.compile("^License file")).fill(text)
    page.get_by_role("button", name="Validate").click()


def with_users(text: str, users: int) -> str:
    """The same file with one claim changed and the signature left as it was."""
    header, payload, signature = "".join(text.removeprefix(BEGIN).strip().removesuffix(END).split()).split(
        "."
    )
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "users": users}).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_downloaded_license_file_validates_and_a_changed_one_does_not(
    browser, app_server, signed_in_state, e2e_database
):
    url, license_ids = e2e_database
    page = new_page(browser, signed_in_state("sales@example.com"))
    text = download_license_file(page, app_server, license_ids["active"])
    assert text.startswith(BEGIN)

    page.get_by_role("navigation").get_by_role("link", name="Validate license").click()
    expect(page.get_by_role("heading", name="Validate a license file", level=1)).to_be_visible()
    validate(page, text)
    expect(page.locator(VERDICT)).to_have_attribute("data-verdict", "valid")
    expect(page.locator(VERDICT)).to_contain_text("issued by this app")
    expect(page.get_by_test_id("license-match")).to_have_text(
        "The database has this license with the same fields."
    )
    company = page.get_by_test_id("license-field").filter(has_text="Company")
    expect(company).to_contain_text(E2E_COMPANY)
    expect(company).to_contain_text("same")
    expect(page.get_by_role("link", name="Open the license")).to_have_attribute(
        "href", f"/licenses/{license_ids['active']}"
    )
    assert violations_on(page) == []
    screenshot(page, "license-valid")

    validate(page, with_users(text, 9999))
    expect(page.locator(VERDICT)).to_have_attribute("data-verdict", "tampered")
    expect(page.locator(VERDICT)).to_contain_text("changed after it was issued")
    expect(page.get_by_role("columnheader", name="In the file (not trustworthy)")).to_be_visible()
    users = page.get_by_test_id("license-field").filter(has_text="Users")
    expect(users).to_contain_text("9999")
    expect(users).to_contain_text("differs")
    screenshot(page, "license-tampered")

    with Session(engine_for(url)) as session:
        downloads = session.exec(
            select(AuthEvent.detail).where(
                AuthEvent.kind == "license_file", AuthEvent.email == "sales@example.com"
            )
        ).all()
    assert f"license {license_ids['active']} ({E2E_COMPANY}, wendy@zephyr-e2e.test) downloaded" in downloads
    close_page(page)


@pytest.mark.parametrize(
    ("text", "verdict", "says"),
    [
        ("hello, this is my license", "unreadable", "This is not a license file"),
        ("x" * 1_000_000, "too_long", "more than 20,000 characters"),
    ],
    ids=["garbage", "1MB"],
)
def test_garbage_and_a_huge_paste_are_answered_plainly(
    browser, app_server, signed_in_state, text, verdict, says
):
    page = new_page(browser, signed_in_state("support@example.com"))
    page.goto(app_server + "/licenses/validate")
    validate(page, text)
    expect(page.locator(VERDICT)).to_have_attribute("data-verdict", verdict)
    expect(page.locator(VERDICT)).to_contain_text(says)
    expect(page.get_by_test_id("license-field")).to_have_count(0)
    close_page(page)


def test_managers_get_neither_the_file_nor_the_check(browser, app_server, signed_in_state, e2e_database):
    url, license_ids = e2e_database
    page = new_page(browser, signed_in_state("manager@example.com"))
    page.goto(f"{app_server}/licenses/{license_ids['active']}")
    expect(page.get_by_text("Morgan Manager")).to_be_visible()
    expect(page.get_by_role("heading", name=E2E_COMPANY, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Download license file")).to_have_count(0)
    expect(page.get_by_role("navigation").get_by_role("link", name="Validate license")).to_have_count(0)
    page.goto(app_server + "/licenses/validate")
    expect(page.get_by_text("may not see this page")).to_be_visible()
    response = page.request.get(f"{app_server}/api/licenses/{license_ids['active']}/license-file")
    assert response.status == 403
    close_page(page)

    cookie, _ = staff_cookie(url, "manager-validate@example.com", ("manager",))
    socket = ReflexSocket(app_server, cookie)
    socket.send_event(
        handler("license_validation_state", "validate"),
        {"form": {"license_text": "x"}},
        path="/licenses/validate/",
        until=refused,
    )
    socket.close()
    with Session(engine_for(url)) as session:
        details = session.exec(
            select(AuthEvent.detail).where(AuthEvent.email == "manager-validate@example.com")
        ).all()
    assert details == ["validate needs license_files"]


def first_id(url: str, sql: str) -> int:
    with Session(engine_for(url)) as session:
        return session.exec(sa.text(sql)).first()[0]


def test_a_cloud_license_shows_whether_its_code_was_used_and_by_which_instances(
    page, app_server, e2e_database
):
    url, _ = e2e_database
    used = first_id(
        url,
        """SELECT license_id FROM cloud_activation
           GROUP BY license_id HAVING count(*) = 2 ORDER BY license_id LIMIT 1""",
    )
    unused = first_id(
        url,
        """SELECT id FROM license l WHERE activation_code IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM cloud_activation a WHERE a.license_id = l.id) ORDER BY id LIMIT 1""",
    )
    with Session(engine_for(url)) as session:
        code = session.exec(sa.text(f"SELECT activation_code FROM license WHERE id = {used}")).first()[0]
        instances = [
            row[0]
            for row in session.exec(
                sa.text(
                    f"""SELECT instance_id FROM cloud_activation WHERE license_id = {used}
                        ORDER BY activated_at, id"""
                )
            )
        ]

    page.goto(f"{app_server}/licenses/{used}")
    summary = page.get_by_test_id("activation-summary")
    expect(summary).to_have_text(f"Activation code ending …{code[-4:]}, activated by 2 instances:")
    expect(page.get_by_text("Code used")).to_be_visible()
    for instance in instances:
        expect(page.get_by_role("cell", name=instance)).to_be_visible()
    # The code is a credential: never on the page whole.
    assert code not in page.content()
    screenshot(page, "license-activation")

    page.goto(f"{app_server}/licenses/{unused}")
    expect(page.get_by_test_id("activation-summary")).to_contain_text("No instance has activated it.")
    expect(page.get_by_text("Not used yet")).to_be_visible()


def add_cloud_license(url: str, email: str, *, activated: bool = False) -> int:
    with Session(engine_for(url)) as session:
        code = f"E2E{uuid4().hex[:21].upper()}"
        [made] = add_licenses(
            session,
            [
                license_fields(
                    company="Numbat E2E Labs", email=email, license_type="cloud", activation_code=code
                )
            ],
        )
        if activated:
            record_activation(session=session, code=code, instance_id="instance-e2e", at=datetime.now(UTC))
            session.commit()
        return made.id


def email_rows(page):
    return page.get_by_test_id("email-row")


def test_a_bounced_license_goes_again_to_the_corrected_address_and_is_delivered(
    browser, app_server, signed_in_state, e2e_database
):
    url, _ = e2e_database
    typo = f"dana.{uuid4().hex[:6]}@numbat-e2e.tset"
    license_id = add_cloud_license(url, typo)

    sales = new_page(browser, signed_in_state("sales@example.com"))
    sales.goto(f"{app_server}/licenses/{license_id}")
    expect(sales.get_by_text("Nothing has been sent about this license")).to_be_visible()
    sales.get_by_role("button", name="Send license…").click()
    dialog = sales.get_by_role("dialog", name="Send this license again")
    expect(dialog.get_by_label("To", exact=True)).to_have_value(typo)
    dialog.get_by_role("button", name="Send").click()
    expect(sales.get_by_text(f"Queued for {typo}.")).to_be_visible()
    bounced = email_rows(sales).first
    expect(bounced).to_contain_text("bounced", timeout=20_000)
    expect(bounced).to_contain_text("550 5.1.1")
    expect(bounced).to_contain_text("Activation code")
    # Sales may not correct the address: the server says so and sends nothing.
    sales.get_by_role("button", name="Send license…").click()
    dialog.get_by_label("To", exact=True).fill(typo.replace(".tset", ".test"))
    dialog.get_by_label("Ticket (for a corrected address)").fill("ZD-1")
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_text("Your role may send to the address on record only")).to_be_visible()
    expect(email_rows(sales)).to_have_count(1)
    close_page(sales)

    fixed = typo.replace(".tset", ".test")
    support = new_page(browser, signed_in_state("support@example.com"))
    support.goto(f"{app_server}/licenses/{license_id}")
    support.get_by_role("button", name="Send license…").click()
    dialog = support.get_by_role("dialog", name="Send this license again")
    expect(dialog.get_by_test_id("last-email")).to_contain_text("bounced")
    dialog.get_by_label("To", exact=True).fill(fixed)
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_test_id("error-ticket")).to_contain_text("needs the ticket")
    dialog.get_by_label("Ticket (for a corrected address)").fill("ZD-4711")
    screenshot(support, "license-send-dialog")
    dialog.get_by_role("button", name="Send").click()
    expect(support.get_by_text(f"Queued for {fixed}.")).to_be_visible()
    delivered = email_rows(support).first
    expect(delivered).to_contain_text(fixed)
    expect(delivered).to_contain_text("delivered", timeout=20_000)
    expect(delivered).to_contain_text(f"250 delivered to {fixed}")
    # The license now names its corrected address, which no customer has.
    expect(support.get_by_text(f"{fixed} (no customer with this address)")).to_be_visible()
    assert violations_on(support) == []
    screenshot(support, "license-emails")
    close_page(support)

    with Session(engine_for(url)) as session:
        assert session.get(License, license_id).email == fixed
        [change] = session.exec(
            select(Version).where(Version.item_type == "license", Version.item_id == license_id)
        )
        assert (change.changes, change.reason, change.actor) == (
            {"email": [typo, fixed]},
            "Ticket ZD-4711",
            "support@example.com",
        )
    assert any(fixed in path.read_text() for path in MAILDIR.glob("*.eml"))


def test_a_used_activation_code_needs_a_reason_to_go_to_another_address(
    browser, app_server, signed_in_state, e2e_database
):
    url, _ = e2e_database
    license_id = add_cloud_license(url, f"it.{uuid4().hex[:6]}@numbat-e2e.test", activated=True)
    support = new_page(browser, signed_in_state("support@example.com"))
    support.goto(f"{app_server}/licenses/{license_id}")
    expect(support.get_by_text("Code used")).to_be_visible()
    support.get_by_role("button", name="Send license…").click()
    dialog = support.get_by_role("dialog", name="Send this license again")
    expect(dialog.get_by_text("already used by an instance")).to_be_visible()
    dialog.get_by_label("To", exact=True).fill("someone.else@numbat-e2e.test")
    dialog.get_by_label("Ticket (for a corrected address)").fill("ZD-5")
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_test_id("error-reason")).to_contain_text("already used")
    with Session(engine_for(url)) as session:
        assert session.exec(select(OutboxMessage).where(OutboxMessage.item_id == license_id)).all() == []
    close_page(support)


def signed_ping(secret: str, ping: dict) -> dict:
    raw = json.dumps(ping).encode()
    at = str(int(time.time()))
    return {
        "content": raw,
        "headers": {"X-Usage-Timestamp": at, "X-Usage-Signature": event_signature(secret, at, raw)},
    }


def test_sales_see_the_servers_that_report_a_license_and_which_went_silent(
    browser, app_server, signed_in_state, e2e_database
):
    """One server pings today over the signed route; another went silent forty days ago."""
    url, license_ids = e2e_database
    license_id = license_ids["renewal"]  # self-managed: cloud licenses report through activations
    host = f"gitlab-{uuid4().hex[:6]}.acmeinc.ninja"
    ping = {
        "license_id": license_id,
        "instance_id": uuid4().hex,
        "hostname": host,
        "version": "17.4.2",
        "day": datetime.now(UTC).date().isoformat(),
        "active_users": 41,
    }
    answer = httpx.post(f"{app_server}/api/usage-pings", **signed_ping(USAGE_PINGS_SECRET, ping))
    assert (answer.status_code, answer.text) == (200, "recorded")
    forged = httpx.post(f"{app_server}/api/usage-pings", **signed_ping("not-the-secret", ping))
    assert forged.status_code == 401
    silent_host = f"ci-runner-{uuid4().hex[:6]}.internal"
    forty_days_ago = datetime.now(UTC) - timedelta(days=40)
    with Session(engine_for(url)) as session:
        silent = UsageReport(license_id, uuid4().hex, silent_host, "16.11.0", forty_days_ago.date(), 12)
        assert record_usage_ping(session=session, report=silent, at=forty_days_ago).ok
        session.commit()

    page = new_page(browser, signed_in_state("sales@example.com"))
    # Sales know only the server's name, or a part of it: the list finds the license from it.
    page.goto(f"{app_server}/licenses?host={host.split('.')[0].upper()}")
    found = page.locator("[data-testid=result-row]")
    expect(found).to_have_count(1)
    found.first.get_by_role("link").first.click()
    expect(page).to_have_url(f"{app_server}/licenses/{license_id}")
    rows = page.get_by_test_id("server-row")
    recent, silent_row = rows.filter(has_text=host), rows.filter(has_text=silent_host)
    expect(recent).to_contain_text("17.4.2")
    expect(recent).to_contain_text("41")
    expect(recent).not_to_contain_text("Stale")
    expect(silent_row).to_contain_text("Stale")
    screenshot(page, "license-servers")
    # A license no server reports under says so.
    open_in_app(page, f"/licenses/{license_ids['trial']}")
    expect(page.get_by_test_id("no-servers")).to_be_visible()
    close_page(page)
