"""Emails to a customer: a one-time sign-in link (24 hours, once, only its hash stored) and a confirmation
email (only for an address not yet confirmed); each queued with its history row."""

import hashlib
import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from admin_app.db.audit import Actor
from admin_app.db.customer_emails import redeem_token, send_confirmation, send_sign_in_link
from admin_app.db.models import CustomerToken, OutboxMessage, Version
from tests.factories import NOW, add_customer

ACTOR = Actor("support@example.com")
PORTAL = "https://portal.test/"


def sign_in_link(session: Session, customer_id: int, now=NOW):
    outcome = send_sign_in_link(
        session=session, customer_id=customer_id, actor=ACTOR, now=now, portal_url=PORTAL, domain="admin.test"
    )
    session.commit()
    return outcome


def token_in(message: OutboxMessage, path: str) -> str:
    return re.search(rf"{re.escape(PORTAL)}{path}/(\S+)", message.body).group(1)


def test_a_sign_in_link_is_sent_and_only_its_hash_is_kept(session):
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
    token = token_in(message, "sign-in")
    [stored] = session.exec(select(CustomerToken)).all()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str([(c.token_hash, c.purpose) for c in session.exec(select(CustomerToken))])
    assert stored.expires_at == NOW + timedelta(hours=24)
    [version] = session.exec(select(Version)).all()
    assert (version.item_type, version.customer_id) == ("outbox_message", customer.id)


def test_a_link_signs_in_once_within_24_hours(session):
    customer = add_customer(session)
    token = token_in(sign_in_link(session, customer.id).value, "sign-in")
    first = redeem_token(session=session, token=token, purpose="sign_in", now=NOW + timedelta(hours=23))
    assert first.value.id == customer.id
    session.commit()
    again = redeem_token(
        session=session, token=token, purpose="sign_in", now=NOW + timedelta(hours=23, minutes=1)
    )
    assert again.message == "This link was used already; ask for a new one."


def test_an_expired_or_unknown_or_misused_link_signs_nobody_in(session):
    customer = add_customer(session)
    token = token_in(sign_in_link(session, customer.id).value, "sign-in")
    assert redeem_token(
        session=session, token=token, purpose="sign_in", now=NOW + timedelta(hours=24)
    ).message == ("This link has expired; ask for a new one.")
    for bad in ("", None, "x" * 500, token[:-1], token + "x"):
        assert (
            redeem_token(session=session, token=bad, purpose="sign_in", now=NOW).message
            == "This link is not valid."
        )
    # A sign-in token does not confirm an address, and the other way round.
    assert (
        redeem_token(session=session, token=token, purpose="confirmation", now=NOW).message
        == "This link is not valid."
    )
    assert session.exec(select(CustomerToken)).one().used_at is None


def test_a_disabled_login_gets_no_sign_in_link(session):
    customer = add_customer(session, login_activated=False)
    outcome = sign_in_link(session, customer.id)
    assert "re-activate it first" in outcome.message
    assert session.exec(select(OutboxMessage)).all() == [] and session.exec(select(CustomerToken)).all() == []


def test_a_confirmation_goes_only_to_an_address_not_yet_confirmed(session):
    confirmed = add_customer(session, email="done@numbat.test")
    pending = add_customer(session, email="new@numbat.test", confirmed_at=None)
    refused = send_confirmation(
        session=session,
        customer_id=confirmed.id,
        actor=ACTOR,
        now=NOW,
        portal_url=PORTAL,
        domain="admin.test",
    )
    assert refused.message == "done@numbat.test was confirmed on 2025-01-01; there is nothing to confirm."
    outcome = send_confirmation(
        session=session, customer_id=pending.id, actor=ACTOR, now=NOW, portal_url=PORTAL, domain="admin.test"
    )
    session.commit()
    assert (outcome.value.kind, outcome.value.to_address) == ("confirmation", "new@numbat.test")
    token = token_in(outcome.value, "confirm")
    assert redeem_token(session=session, token=token, purpose="confirmation", now=NOW + timedelta(days=6)).ok


@pytest.mark.parametrize("customer_id", [10**9, -1])
def test_an_unknown_customer_is_refused(session, customer_id):
    assert sign_in_link(session, customer_id).message == "There is no customer with this id."
