"""Roles follow the identity provider during a session: a real provider process changes a user's
groups and revokes their tokens; the app's next check takes the role away or ends the session."""

import asyncio
import uuid
from collections.abc import Iterator

import httpx2
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from admin_app.auth.identity import forget, identity_for_cookie_header
from admin_app.auth.sealed import unseal
from admin_app.db.models import AuthEvent, StaffSession
from admin_app.db.staff.sessions import StaffIdentity
from admin_app.settings import get_settings
from tests.auth.conftest import app_routes, sign_in, sign_in_through
from tests.auth.fake_issuer import Issuer, fake_issuer


@pytest.fixture
def every_event_checks(monkeypatch):
    monkeypatch.setenv("ROLE_RECHECK_MINUTES", "0")
    get_settings.cache_clear()


def provider_user(issuer: str, groups: list[str]) -> str:
    """A user of the provider process made for one test (the demo users are shared by all tests)."""
    sub = f"temp-{uuid.uuid4().hex[:8]}@example.com"
    set_groups(issuer, sub, groups)
    return sub


def set_groups(issuer: str, sub: str, groups: list[str]) -> None:
    claims = {"email": sub, "name": "Temp Staff", "groups": groups}
    assert httpx2.put(f"{issuer}/users/{sub}", json=claims).status_code == 204


def who(cookie: str) -> StaffIdentity | None:
    forget(cookie.split("=", 1)[1])
    return asyncio.run(identity_for_cookie_header(cookie, "198.51.100.7"))


def audit(session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(e.kind, e.detail) for e in session.exec(select(AuthEvent).order_by(AuthEvent.id))]


def test_the_provider_tokens_are_kept_sealed(app_client, session, issuer):
    sign_in(app_client, provider_user(issuer, ["customer-admin-support"]))
    [stored] = session.exec(select(StaffSession)).all()
    assert stored.access_token and stored.refresh_token
    assert unseal(stored.access_token) and unseal(stored.access_token) != stored.access_token
    assert stored.roles_checked_at is not None


def test_a_group_removed_at_the_provider_takes_the_role_away_at_the_next_event(
    app_client, session, issuer, every_event_checks
):
    sub = provider_user(issuer, ["customer-admin-support"])
    cookie = sign_in(app_client, sub).headers["set-cookie"].split(";")[0]
    assert who(cookie).roles == ("support",)

    set_groups(issuer, sub, ["customer-admin-sales"])
    assert who(cookie).roles == ("sales",)
    set_groups(issuer, sub, [])
    assert who(cookie).roles == ()

    session.expire_all()
    assert session.exec(select(StaffSession)).one().roles == ""
    assert audit(session)[1:] == [
        ("roles_changed", "support → sales (identity provider)"),
        ("roles_changed", "sales → no role (identity provider)"),
    ]
    changes = session.exec(select(AuthEvent).where(AuthEvent.kind == "roles_changed"))
    assert {(e.email, e.subject, e.client_address) for e in changes} == {(sub, sub, "198.51.100.7")}


def test_a_role_check_keeps_the_access_token_the_provider_issued_with_it(
    app_client, session, issuer, every_event_checks
):
    cookie = sign_in(app_client, provider_user(issuer, ["customer-admin-support"])).headers["set-cookie"]
    first = unseal(session.exec(select(StaffSession)).one().access_token)
    assert who(cookie.split(";")[0]) is not None

    session.expire_all()
    kept = unseal(session.exec(select(StaffSession)).one().access_token)
    assert kept != first, "the refresh spent the access token issued at sign-in"
    assert httpx2.get(f"{issuer}/userinfo", headers={"authorization": f"Bearer {kept}"}).status_code == 200


def test_tokens_revoked_at_the_provider_end_the_session(app_client, session, issuer, every_event_checks):
    sub = provider_user(issuer, ["customer-admin-support"])
    cookie = sign_in(app_client, sub).headers["set-cookie"].split(";")[0]
    assert who(cookie) is not None

    assert httpx2.post(f"{issuer}/users/{sub}/revoke-tokens").status_code == 204
    assert who(cookie) is None
    assert who(cookie) is None

    session.expire_all()
    assert session.exec(select(StaffSession)).one().revoked_at is not None
    [(kind, detail)] = audit(session)[1:]
    assert kind == "session_ended" and detail.startswith("identity provider: refresh refused")
    assert (
        session.exec(select(AuthEvent).where(AuthEvent.kind == kind)).one().client_address == "198.51.100.7"
    )


def test_between_checks_the_provider_is_not_asked(app_client, session, issuer):
    sub = provider_user(issuer, ["customer-admin-support"])
    cookie = sign_in(app_client, sub).headers["set-cookie"].split(";")[0]
    set_groups(issuer, sub, [])
    # The default interval (minutes) has not passed since sign-in: the roles stand until it does.
    assert who(cookie).roles == ("support",)
    assert [kind for kind, _ in audit(session)] == ["sign_in"]


@pytest.fixture
def thin_issuer(session, db_url, monkeypatch, every_event_checks) -> Iterator[tuple[Issuer, TestClient]]:
    """A provider that issues no refresh token, so each check asks userinfo with the access token."""
    with fake_issuer() as running, app_routes(db_url, running.url, monkeypatch) as client:
        yield running, client


def signed_in_cookie(client: TestClient) -> str:
    return sign_in_through(client).headers["set-cookie"].split(";")[0]


def test_without_a_refresh_token_a_refused_access_token_ends_the_session(session, thin_issuer):
    issuer, client = thin_issuer
    cookie = signed_in_cookie(client)
    issuer.userinfo = {"groups": ["customer-admin-sales"]}
    assert who(cookie).roles == ("sales",)

    issuer.userinfo_status = 401
    assert who(cookie) is None, "a 401 is the provider's answer, not silence: the session must end"
    session.expire_all()
    assert session.exec(select(StaffSession)).one().revoked_at is not None
    assert audit(session)[-1] == ("session_ended", "identity provider: userinfo answered 401")


@pytest.mark.parametrize("status", [500, 503])
def test_a_provider_that_fails_keeps_the_roles_until_the_next_check(session, thin_issuer, status):
    issuer, client = thin_issuer
    cookie = signed_in_cookie(client)
    issuer.userinfo = {"groups": ["customer-admin-sales"]}
    issuer.userinfo_status = status
    assert who(cookie).roles == ("sales",)
    session.expire_all()
    assert session.exec(select(StaffSession)).one().revoked_at is None


def test_userinfo_about_another_subject_ends_the_session(session, thin_issuer):
    issuer, client = thin_issuer
    cookie = signed_in_cookie(client)
    issuer.userinfo = {"sub": "admin@example.com", "groups": ["customer-admin-admins"]}
    assert who(cookie) is None
    session.expire_all()
    assert session.exec(select(StaffSession)).one().revoked_at is not None
    assert audit(session)[-1] == ("session_ended", "identity provider: userinfo is about another subject")


def test_a_role_check_is_due_when_never_made_or_once_the_interval_has_passed():
    from datetime import UTC, datetime, timedelta

    from admin_app.auth.role_check import is_due
    from admin_app.settings import Settings

    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    settings = Settings(ROLE_RECHECK_MINUTES=5)

    def checked(ago: timedelta | None) -> StaffIdentity:
        at = None if ago is None else now - ago
        return StaffIdentity("id", "sub", "s@example.com", "S", ("sales",), roles_checked_at=at)

    assert is_due(checked(None), now, settings) is True
    assert is_due(checked(timedelta(minutes=5)), now, settings) is True
    assert is_due(checked(timedelta(minutes=5) - timedelta(microseconds=1)), now, settings) is False
    assert is_due(checked(timedelta(0)), now, Settings(ROLE_RECHECK_MINUTES=0)) is True


def test_a_check_keeps_the_rotated_refresh_token_and_records_the_change_of_roles(session, thin_issuer):
    from datetime import UTC, datetime, timedelta

    from admin_app.auth.identity import session_policy
    from admin_app.auth.role_check import current_roles
    from admin_app.auth.sealed import seal
    from admin_app.db.staff.sessions import ProviderTokens, hash_token, start_session

    issuer, _ = thin_issuer
    issuer.refresh_token = "rt-1"
    issuer.userinfo = {"groups": ["customer-admin-sales", "customer-admin-support"]}
    signed_in_at = datetime.now(UTC) - timedelta(minutes=1)
    token = start_session(
        session=session,
        subject="sales@example.com",
        email="sam@example.com",
        name="Sam",
        roles=(),
        id_token=None,
        client_address="",
        now=signed_in_at,
        policy=session_policy(get_settings()),
        provider=ProviderTokens(access_token=seal("at"), refresh_token=seal("rt-1")),
    )
    session.commit()
    identity = StaffIdentity(
        hash_token(token), "sales@example.com", "sam@example.com", "Sam", (), signed_in_at
    )

    checked = asyncio.run(current_roles(identity))
    assert checked.roles == ("sales", "support") and checked.roles_checked_at > signed_in_at
    session.expire_all()
    [change] = session.exec(select(AuthEvent)).all()
    assert (change.kind, change.email, change.subject, change.client_address, change.detail) == (
        "roles_changed",
        "sam@example.com",
        "sales@example.com",
        "",
        "no role → sales,support (identity provider)",
    )
    assert unseal(session.exec(select(StaffSession)).one().refresh_token) == issuer.refresh_token
    assert asyncio.run(current_roles(checked)) is not None, "the next check refreshes with the new token"
