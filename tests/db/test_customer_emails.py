"""Emails to a customer: a one-time sign-in link (24 hours, once) and a confirmation email (only for an
address not yet confirmed); each queued with its history row. A link's token is made when its email is
sent, kept only as a hash, and dies with the reason it was sent: a disabled login, a corrected address,
a newer link."""

import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlmodel import Session, select

from admin_app.db import migrate
from admin_app.db.customers.edit import CustomerEdit, save_customer_edit
from admin_app.db.customers.emails import send_confirmation, send_sign_in_link
from admin_app.db.customers.login_status import set_login_activated
from admin_app.db.customers.tokens import NO_LONGER_VALID, TOKEN_MARK, redeem_token
from admin_app.db.history.audit import Actor
from admin_app.db.mail.outbox import SendResult, claim_due, record_send_result
from admin_app.db.models import Customer, CustomerToken, OutboxMessage, Version
from admin_app.db.session import engine_for
from alembic import command
from tests.conftest import fresh_postgres_database
from tests.factories import NOW, add_customer

ACTOR = Actor("support@example.com")
PORTAL = "https://portal.test/"


def sign_in_link(session: Session, customer_id: int, now=NOW):
    outcome = send_sign_in_link(
        session=session, customer_id=customer_id, actor=ACTOR, now=now, portal_url=PORTAL, domain="admin.test"
    )
    session.commit()
    return outcome


def confirmation(session: Session, customer_id: int, now=NOW):
    outcome = send_confirmation(
        session=session, customer_id=customer_id, actor=ACTOR, now=now, portal_url=PORTAL, domain="admin.test"
    )
    session.commit()
    return outcome


def sent_token(session: Session, message: OutboxMessage, path: str, now=NOW) -> str:
    """The token in the email as a sender hands it to the mail server (which takes it)."""
    [claimed] = [c for c in claim_due(session=session, now=now) if c.id == message.id]
    record_send_result(session=session, message_id=message.id, result=SendResult(250, "250 ok"), now=now)
    session.commit()
    return re.search(rf"{re.escape(PORTAL)}{path}/(\S+)", claimed.body).group(1)


def sign_in_token(session: Session, customer_id: int, now=NOW) -> str:
    return sent_token(session, sign_in_link(session, customer_id, now).value, "sign-in", now)


def redeem(session: Session, token: str, purpose: str = "sign_in", now=NOW + timedelta(hours=1)):
    outcome = redeem_token(session=session, token=token, purpose=purpose, now=now)
    session.commit()
    return outcome


def test_a_sign_in_link_is_queued_without_its_token_and_the_sent_one_is_kept_as_a_hash(session):
    customer = add_customer(session, email="ann@numbat.test")
    outcome = sign_in_link(session, customer.id)
    assert outcome.ok
    message = outcome.value
    assert (message.kind, message.to_address, message.item_type, message.item_id) == (
        "sign_in_link",
        "ann@numbat.test",
        "customer",
        customer.id,
    )
    assert f"{PORTAL}sign-in/{TOKEN_MARK}" in message.body
    [stored] = session.exec(select(CustomerToken)).all()
    assert (stored.token_hash, stored.outbox_message_id, stored.sent_to) == (
        None,
        message.id,
        "ann@numbat.test",
    )
    token = sent_token(session, message, "sign-in")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token), "32 random bytes (256 bits), URL-safe"
    session.refresh(stored)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    session.expire_all()
    assert token not in session.get(OutboxMessage, message.id).body
    assert stored.expires_at == NOW + timedelta(hours=24)
    [version] = session.exec(select(Version)).all()
    assert (version.item_type, version.customer_id) == ("outbox_message", customer.id)


def test_each_sending_attempt_makes_a_new_token_and_the_earlier_one_stops_working(session):
    customer = add_customer(session)
    message = sign_in_link(session, customer.id).value
    [first] = claim_due(session=session, now=NOW)
    record_send_result(session=session, message_id=message.id, result=SendResult(421, "421 busy"), now=NOW)
    session.commit()
    second = sent_token(session, message, "sign-in", now=NOW + timedelta(minutes=2))
    earlier = re.search(r"/sign-in/(\S+)", first.body).group(1)
    assert earlier != second
    assert redeem(session, earlier).message == "This link is not valid."
    assert redeem(session, second).value.id == customer.id


def test_a_link_signs_in_once_within_24_hours(session):
    customer = add_customer(session)
    token = sign_in_token(session, customer.id)
    first = redeem(session, token, now=NOW + timedelta(hours=23))
    assert first.value.id == customer.id
    again = redeem(session, token, now=NOW + timedelta(hours=23, minutes=1))
    assert again.message == "This link was used already; ask for a new one."


def test_an_expired_or_unknown_or_misused_link_signs_nobody_in(session):
    customer = add_customer(session)
    token = sign_in_token(session, customer.id)
    assert redeem(session, token, now=NOW + timedelta(hours=24)).message == (
        "This link has expired; ask for a new one."
    )
    for bad in ("", None, "x" * 500, token[:-1], token + "x", TOKEN_MARK):
        assert redeem(session, bad).message == "This link is not valid."
    # A sign-in token does not confirm an address, and the other way round.
    assert redeem(session, token, purpose="confirmation").message == "This link is not valid."
    assert session.exec(select(CustomerToken)).one().used_at is None


def test_a_link_is_refused_once_the_login_was_disabled_and_the_revocation_is_in_the_history(session):
    customer = add_customer(session)
    token = sign_in_token(session, customer.id)
    disabling = Actor("support@example.com")
    outcome = set_login_activated(
        session,
        customer_id=customer.id,
        activated=False,
        lock_version=customer.lock_version,
        confirmed=False,
        actor=disabling,
        reason="Left the company",
        now=NOW + timedelta(minutes=5),
    )
    assert outcome.ok
    session.commit()
    [link] = session.exec(select(CustomerToken)).all()
    assert link.revoked_at == NOW + timedelta(minutes=5)
    [revoked] = [v for v in session.exec(select(Version)) if f"sign_in_link_{link.id}" in v.changes]
    assert (revoked.item_type, revoked.item_id, revoked.request_id, revoked.reason) == (
        "customer",
        customer.id,
        disabling.request_id,
        "The login was disabled",
    )
    assert revoked.changes == {f"sign_in_link_{link.id}": ["outstanding", "revoked"]}
    assert redeem(session, token).message == NO_LONGER_VALID
    # Switching the login on again does not bring the link back.
    session.refresh(customer)
    assert set_login_activated(
        session,
        customer_id=customer.id,
        activated=True,
        lock_version=customer.lock_version,
        confirmed=True,
        actor=ACTOR,
        reason="Back again",
        now=NOW + timedelta(minutes=6),
    ).ok
    session.commit()
    assert redeem(session, token).message == NO_LONGER_VALID


def test_a_link_to_a_mistyped_address_is_refused_once_the_email_was_corrected(session):
    customer = add_customer(session, email="ann@numbat.tset", confirmed_at=None)
    sign_in = sign_in_token(session, customer.id)
    confirm = sent_token(session, confirmation(session, customer.id).value, "confirm")
    edit = CustomerEdit(
        first_name=customer.first_name,
        last_name=customer.last_name,
        email="ann@numbat.test",
        company=customer.company,
        country=customer.country,
    )
    fixing = Actor("support@example.com")
    outcome = save_customer_edit(
        session,
        customer_id=customer.id,
        edit=edit,
        lock_version=customer.lock_version,
        reviewed_contact=None,
        actor=fixing,
        reason="Typo in the domain",
        now=NOW + timedelta(minutes=5),
    )
    assert outcome.ok, outcome.message
    session.commit()
    assert redeem(session, sign_in).message == NO_LONGER_VALID
    assert redeem(session, confirm, purpose="confirmation").message == NO_LONGER_VALID
    links = {link.purpose: link.id for link in session.exec(select(CustomerToken))}
    revocations = session.exec(select(Version).where(Version.request_id == fixing.request_id)).all()
    assert {
        "changes": {
            f"sign_in_link_{links['sign_in']}": ["outstanding", "revoked"],
            f"confirmation_link_{links['confirmation']}": ["outstanding", "revoked"],
        },
        "reason": "The email address changed; the links went to the previous one",
    } in [{"changes": v.changes, "reason": v.reason} for v in revocations]


def test_an_earlier_link_is_refused_once_a_newer_one_was_sent(session):
    customer = add_customer(session)
    earlier = sign_in_token(session, customer.id)
    newer = sign_in_token(session, customer.id, now=NOW + timedelta(minutes=1))
    assert redeem(session, earlier).message == NO_LONGER_VALID
    assert redeem(session, newer).value.id == customer.id
    first_link = session.exec(select(CustomerToken).order_by(CustomerToken.id)).first()
    [revoked] = session.exec(select(Version).where(Version.item_type == "customer")).all()
    assert (revoked.reason, revoked.changes) == (
        "A newer sign-in link was sent",
        {f"sign_in_link_{first_link.id}": ["outstanding", "revoked"]},
    )


def test_redeeming_checks_the_customer_as_they_are_now(session):
    """However the login, the address or the links came to change, a link that no longer fits is refused."""
    disabled, moved, superseded = (add_customer(session) for _ in range(3))
    tokens = [sign_in_token(session, c.id) for c in (disabled, moved, superseded)]
    session.get(Customer, disabled.id).login_activated = False
    session.get(Customer, moved.id).email = "somebody.else@numbat.test"
    session.add(
        CustomerToken(
            customer_id=superseded.id,
            purpose="sign_in",
            sent_to=superseded.email,
            created_at=NOW,
            expires_at=NOW + timedelta(hours=24),
            requested_by="support@example.com",
        )
    )
    session.commit()
    assert [redeem(session, token).message for token in tokens] == [NO_LONGER_VALID] * 3
    assert all(link.used_at is None for link in session.exec(select(CustomerToken)))


def test_a_disabled_login_gets_no_sign_in_link(session):
    customer = add_customer(session, login_activated=False)
    outcome = sign_in_link(session, customer.id)
    assert outcome.message == (
        "This customer's login is disabled: re-activate it first (with a reason), then send a link."
    )
    assert session.exec(select(OutboxMessage)).all() == [] and session.exec(select(CustomerToken)).all() == []


def test_a_confirmation_goes_only_to_an_address_not_yet_confirmed(session):
    confirmed = add_customer(session, email="done@numbat.test")
    pending = add_customer(session, email="new@numbat.test", confirmed_at=None)
    assert confirmation(session, confirmed.id).message == (
        "done@numbat.test was confirmed on 2025-01-01; there is nothing to confirm."
    )
    outcome = confirmation(session, pending.id)
    assert (outcome.value.kind, outcome.value.to_address) == ("confirmation", "new@numbat.test")
    token = sent_token(session, outcome.value, "confirm")
    assert redeem(session, token, purpose="confirmation", now=NOW + timedelta(days=6)).ok


@pytest.mark.parametrize("send", [sign_in_link, confirmation], ids=["sign-in", "confirmation"])
@pytest.mark.parametrize("customer_id", [10**9, -1])
def test_an_unknown_customer_is_refused(session, send, customer_id):
    outcome = send(session, customer_id)
    assert (outcome.ok, outcome.message) == (False, "There is no customer with this id.")
    assert session.exec(select(OutboxMessage)).all() == [] and session.exec(select(CustomerToken)).all() == []


EMAILS = {
    "sign-in": (
        send_sign_in_link,
        "sign_in_link",
        "Your sign-in link",
        "Hello Ann,\n\nsign in to the customers portal with this link. It works once, within 24 hours:\n\n"
        "    {portal}/sign-in/{mark}\n\nIf you did not ask for it, ignore this email.",
    ),
    "confirmation": (
        send_confirmation,
        "confirmation",
        "Confirm your email address",
        "Hello Ann,\n\nplease confirm your email address for the customers portal:\n\n"
        "    {portal}/confirm/{mark}\n\nThe link works once, within 7 days.",
    ),
}


@pytest.mark.parametrize("kind", sorted(EMAILS))
@pytest.mark.parametrize(
    ("portal_url", "portal"),
    [
        ("https://portal.test", "https://portal.test"),
        ("https://portal.test//", "https://portal.test"),
        ("https://portal.test/ACME-BOX/", "https://portal.test/ACME-BOX"),
    ],
    ids=["bare", "slashes", "path"],
)
def test_each_email_is_queued_with_its_exact_subject_and_text_for_the_customer(
    session, kind, portal_url, portal
):
    send, kind_name, subject, body = EMAILS[kind]
    customer = add_customer(session, first_name="Ann", email="ann@numbat.test", confirmed_at=None)
    outcome = send(
        session=session,
        customer_id=customer.id,
        actor=ACTOR,
        now=NOW,
        portal_url=portal_url,
        domain="mx.test",
    )
    session.commit()
    message = session.get(OutboxMessage, outcome.value.id)
    assert (message.kind, message.to_address, message.subject, message.item_type, message.item_id) == (
        kind_name,
        "ann@numbat.test",
        subject,
        "customer",
        customer.id,
    )
    assert message.body == body.format(portal=portal, mark=TOKEN_MARK)
    # The message id names the app's mail domain.
    assert re.fullmatch(r"<[0-9a-f]{32}@mx\.test>", message.message_id)


LINK_MIGRATION = "0017"


def _tokens_in_stored_bodies_are_scrubbed_on_upgrade(url: str) -> None:
    config = migrate._config(url)
    command.downgrade(config, ScriptDirectory.from_config(config).get_revision(LINK_MIGRATION).down_revision)
    token = "kept-in-the-body-before-this-upgrade-0123456789"
    with Session(engine_for(url), expire_on_commit=False) as session:
        customer = add_customer(session, email="ann@numbat.test")
    body = f"Hello,\n\n    {PORTAL}sign-in/{token}\n\nBye"
    message = {
        "kind": "sign_in_link",
        "to_address": customer.email,
        "subject": "Link",
        "body": body,
        "item_type": "customer",
        "item_id": customer.id,
        "requested_by": "support@example.com",
        "requested_at": NOW,
        "status": "delivered",
        "attempts": 1,
        "message_id": "<m@admin.test>",
        "last_answer": "",
    }
    link = {
        "customer_id": customer.id,
        "purpose": "sign_in",
        "token_hash": hashlib.sha256(token.encode()).hexdigest(),
        "created_at": NOW,
        "expires_at": NOW + timedelta(hours=24),
        "requested_by": "support@example.com",
    }
    with engine_for(url).begin() as connection:
        for table, row in (("outbox_message", message), ("customer_token", link)):
            names = ", ".join(row)
            values = ", ".join(f":{name}" for name in row)
            connection.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({values})"), row)
    command.upgrade(config, LINK_MIGRATION)
    with Session(engine_for(url)) as session:
        assert (
            session.exec(select(OutboxMessage.body)).one()
            == f"Hello,\n\n    {PORTAL}sign-in/(link removed)\n\nBye"
        )
        assert session.exec(select(CustomerToken.sent_to)).one() == "ann@numbat.test"
        assert redeem(session, token).message == NO_LONGER_VALID
    migrate.upgrade_to_head(url)
    engine_for(url).dispose()


def test_the_tokens_stored_bodies_held_are_scrubbed_and_their_links_revoked_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'links.db'}"
    migrate.upgrade_to_head(url)
    _tokens_in_stored_bodies_are_scrubbed_on_upgrade(url)


def test_the_tokens_stored_bodies_held_are_scrubbed_and_their_links_revoked_on_postgresql():
    with fresh_postgres_database("customer_admin_links") as url:
        _tokens_in_stored_bodies_are_scrubbed_on_upgrade(url)
