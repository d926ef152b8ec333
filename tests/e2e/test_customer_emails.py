"""Emails from the customer page in Chromium: support sends a one-time sign-in link and a confirmation
email, sees them delivered by the local mail server; only the link's hash is stored; sales gets no
buttons."""

import hashlib
import re
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default
from uuid import uuid4

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from admin_app.db.models import CustomerToken, OutboxMessage, StaffSession
from admin_app.db.session import engine_for
from tests.e2e.conftest import MAILDIR, close_page, new_page, screenshot, sign_in_through_provider
from tests.e2e.test_accessibility import violations_on
from tests.factories import add_customer
from tests.waiting import wait_until

pytestmark = pytest.mark.e2e


def mail_to(address: str) -> list[str]:
    """The bodies of the messages the local mail server delivered to `address`."""
    messages = [message_from_bytes(path.read_bytes(), policy=default) for path in MAILDIR.glob("*.eml")]
    return [m.get_content() for m in messages if m["To"] == address]


def test_support_sends_a_sign_in_link_and_a_confirmation_and_sees_them_delivered(
    browser, app_server, signed_in_state, e2e_database
):
    url, _ = e2e_database
    address = f"kim.{uuid4().hex[:6]}@numbat-e2e.test"
    with Session(engine_for(url)) as session:
        customer_id = add_customer(session, email=address, confirmed_at=None).id

    support = new_page(browser, signed_in_state("support@example.com"))
    support.goto(f"{app_server}/customers/{customer_id}")
    support.get_by_role("tab", name="Emails").click()
    expect(support.get_by_text("Nothing has been sent to this customer")).to_be_visible()
    support.get_by_role("button", name="Send one-time sign-in link").click()
    expect(support.get_by_text("Sign-in link queued.")).to_be_visible()
    support.get_by_role("button", name="Send confirmation email").click()
    expect(support.get_by_text("Confirmation email queued.")).to_be_visible()
    rows = support.get_by_test_id("email-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="One-time sign-in link")).to_contain_text("delivered", timeout=20_000)
    expect(rows.filter(has_text="Confirmation email")).to_contain_text("delivered", timeout=20_000)
    assert violations_on(support) == []
    screenshot(support, "customer-emails")
    close_page(support)

    [link_mail] = [text for text in mail_to(address) if "sign-in" in text]
    token = re.search(r"/sign-in/(\S+)", link_mail).group(1)
    with Session(engine_for(url)) as session:
        stored = session.exec(select(CustomerToken).where(CustomerToken.customer_id == customer_id)).all()
    assert hashlib.sha256(token.encode()).hexdigest() in {t.token_hash for t in stored}
    assert all(token not in t.token_hash for t in stored)


def test_sales_see_the_emails_but_no_way_to_send_one(page, app_server, e2e_database):
    url, _ = e2e_database
    with Session(engine_for(url)) as session:
        customer_id = add_customer(
            session, email=f"lee.{uuid4().hex[:6]}@numbat-e2e.test", confirmed_at=None
        ).id
    page.goto(f"{app_server}/customers/{customer_id}")
    expect(page.get_by_text("Sam Sales")).to_be_visible()
    page.get_by_role("tab", name="Emails").click()
    expect(page.get_by_text("Nothing has been sent to this customer")).to_be_visible()
    expect(page.get_by_role("button", name="Send one-time sign-in link")).to_have_count(0)
    expect(page.get_by_role("button", name="Send confirmation email")).to_have_count(0)


def email_shown_as_requested_by(url: str, message_id: str, requested_by: str) -> None:
    with Session(engine_for(url)) as session:
        [message] = session.exec(select(OutboxMessage).where(OutboxMessage.message_id == message_id)).all()
        message.requested_by = requested_by
        session.add(message)
        session.commit()


def test_following_the_emails_stops_within_seconds_of_the_session_ending(browser, app_server, e2e_database):
    url, _ = e2e_database
    address = f"noor.{uuid4().hex[:6]}@numbat-e2e.test"
    earlier = f"<{uuid4().hex}@e2e.test>"
    with Session(engine_for(url)) as session:
        customer_id = add_customer(session, email=address, confirmed_at=None).id
        # An earlier email the mail server took and has not reported on: the page follows it for 20 s.
        session.add(
            OutboxMessage(
                kind="confirmation",
                to_address=address,
                subject="Confirm your email",
                body="(sent)",
                item_type="customer",
                item_id=customer_id,
                requested_by="support@example.com",
                requested_at=datetime.now(UTC),
                status="sent",
                message_id=earlier,
            )
        )
        session.commit()
    support = new_page(browser)
    received: list[str] = []
    support.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(str(payload))))
    support.goto(f"{app_server}/customers/{customer_id}")
    sign_in_through_provider(support, "support@example.com")
    support.get_by_role("tab", name="Emails").click()
    support.get_by_role("button", name="Send one-time sign-in link").click()
    expect(support.get_by_text("Sign-in link queued.")).to_be_visible()
    email_shown_as_requested_by(url, earlier, "followed-while-signed-in@example.com")
    # Playwright hands over frames only while it is called: wait through it.
    wait_until(
        lambda: support.wait_for_timeout(200) or any("followed-while-signed-in" in f for f in received)
    )

    with Session(engine_for(url)) as session:
        for row in session.exec(select(StaffSession).where(StaffSession.email == "support@example.com")):
            row.revoked_at = datetime.now(UTC)
            session.add(row)
        session.commit()
    # The page's follow asks the session store every second: two seconds on, it has stopped.
    support.wait_for_timeout(2_000)
    email_shown_as_requested_by(url, earlier, "changed-after-the-end@example.com")
    support.wait_for_timeout(3_000)
    assert [frame for frame in received if "changed-after-the-end" in frame] == []
    close_page(support)
