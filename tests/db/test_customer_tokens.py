"""One-time customer links: which earlier links a newer one revokes (only the customer's own, still
outstanding ones, each once, with an "update" history row), and what a token must look like before it
is even looked up."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from admin_app.db.customers.tokens import (
    NOT_VALID,
    USED,
    issue_token,
    redeem_token,
    token_hash,
)
from admin_app.db.history.audit import Actor
from admin_app.db.models import CustomerToken, Version
from tests.factories import NOW, add_customer

ACTOR = Actor("support@example.com")


def link_with_token(session: Session, customer, token: str, *, purpose: str = "sign_in", now=NOW):
    """A link issued as support issues one, carrying `token` as if its email had been sent with it."""
    link = issue_token(session, customer=customer, purpose=purpose, actor=ACTOR, now=now)
    link.token_hash = token_hash(token)
    session.add(link)
    session.commit()
    return link


def redeem(session: Session, token: object, purpose: str = "sign_in", now=NOW + timedelta(minutes=1)):
    outcome = redeem_token(session=session, token=token, purpose=purpose, now=now)
    session.commit()
    return outcome


def revocations(session: Session) -> list[tuple]:
    return [
        (v.item_type, v.item_id, v.event, v.changes, v.reason)
        for v in session.exec(select(Version).where(Version.item_type == "customer").order_by(Version.id))
    ]


def test_a_newer_link_for_one_customer_leaves_another_customers_link_working(session):
    ann, bob = add_customer(session), add_customer(session)
    link_with_token(session, ann, "ann-token")
    link_with_token(session, bob, "bob-token", now=NOW + timedelta(seconds=1))
    assert revocations(session) == []
    assert redeem(session, "ann-token").value.id == ann.id
    assert redeem(session, "bob-token").value.id == bob.id


def test_a_newer_link_revokes_each_outstanding_link_once_and_records_it_as_an_update(session):
    customer = add_customer(session)
    first = link_with_token(session, customer, "first")
    second = link_with_token(session, customer, "second", now=NOW + timedelta(minutes=1))
    link_with_token(session, customer, "third", now=NOW + timedelta(minutes=2))
    reason = "A newer sign-in link was sent"
    assert revocations(session) == [
        ("customer", customer.id, "update", {f"sign_in_link_{first.id}": ["outstanding", "revoked"]}, reason),
        (
            "customer",
            customer.id,
            "update",
            {f"sign_in_link_{second.id}": ["outstanding", "revoked"]},
            reason,
        ),
    ]
    session.expire_all()
    assert session.get(CustomerToken, first.id).revoked_at == NOW + timedelta(minutes=1)


def test_a_newer_link_does_not_revoke_one_already_used(session):
    customer = add_customer(session)
    used = link_with_token(session, customer, "used")
    assert redeem(session, "used").ok
    link_with_token(session, customer, "newer", now=NOW + timedelta(hours=1))
    assert revocations(session) == []
    session.expire_all()
    assert session.get(CustomerToken, used.id).revoked_at is None


@pytest.mark.parametrize("later", [timedelta(hours=24), timedelta(hours=25)], ids=["at-expiry", "after"])
def test_a_newer_link_does_not_revoke_one_that_has_expired(session, later):
    customer = add_customer(session)
    expired = link_with_token(session, customer, "expired")
    link_with_token(session, customer, "newer", now=NOW + later)
    assert revocations(session) == []
    session.expire_all()
    assert session.get(CustomerToken, expired.id).revoked_at is None


@pytest.mark.parametrize(("length", "works"), [(200, True), (201, False)])
def test_a_token_longer_than_200_characters_is_refused_without_being_looked_up(session, length, works):
    customer = add_customer(session)
    link_with_token(session, customer, "t" * length)
    outcome = redeem(session, "t" * length)
    if works:
        assert outcome.value.id == customer.id
    else:
        assert (outcome.ok, outcome.message) == (False, NOT_VALID)


@pytest.mark.parametrize("token", [12345, ["a-token"], {"token": "a-token"}, 1.5, b"a-token", True])
def test_a_token_that_is_not_a_string_is_refused_as_not_valid(session, token):
    customer = add_customer(session)
    link_with_token(session, customer, "a-token")
    assert redeem(session, token).message == NOT_VALID
    assert redeem(session, "a-token").value.id == customer.id


def test_a_purpose_the_app_does_not_know_redeems_nothing(session):
    customer = add_customer(session)
    link_with_token(session, customer, "a-token")
    assert redeem(session, "a-token", purpose="password_reset").message == NOT_VALID
    assert redeem(session, "a-token", purpose="confirmation").message == NOT_VALID
    assert redeem(session, "a-token").value.id == customer.id


def test_of_two_clicks_at_once_only_the_first_to_claim_the_link_signs_in(session):
    """Another click marks the link used between this one's check and its claim."""
    customer = add_customer(session)
    link = link_with_token(session, customer, "a-token")

    def another_click_claims_it(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE CUSTOMER_TOKEN"):
            cursor.execute("UPDATE customer_token SET used_at = created_at WHERE used_at IS NULL")

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", another_click_claims_it)
    try:
        outcome = redeem(session, "a-token")
    finally:
        sa.event.remove(engine, "before_cursor_execute", another_click_claims_it)
    assert (outcome.ok, outcome.message) == (False, USED)
    session.expire_all()
    assert session.get(CustomerToken, link.id).used_at == NOW
