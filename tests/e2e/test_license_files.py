"""License files in Chromium: download one from a license, paste it into "Validate license" and see it
genuine and matching; a changed field, garbage and a huge paste each answered plainly; managers get
neither the file nor the check, even by sending the event."""

import base64
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session, select

from admin_app.db.license_files import BEGIN, END
from admin_app.db.models import AuthEvent
from admin_app.db.session import engine_for
from admin_app.devtools.reflex_socket import ReflexSocket
from tests.e2e.conftest import E2E_COMPANY, new_page, screenshot
from tests.e2e.test_accessibility import violations_on
from tests.e2e.test_events_without_ui import handler, refused, staff_cookie

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
    page.context.close()


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
    page.context.close()


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
    page.context.close()

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
