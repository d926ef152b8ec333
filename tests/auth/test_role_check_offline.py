"""The role check's decisions that need no answer from the identity provider: when it is not asked at
all, when it cannot be asked, and when nothing is left to ask it with."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from admin_app.auth.identity import session_policy
from admin_app.auth.role_check import current_roles
from admin_app.auth.sealed import seal
from admin_app.db.models import AuthEvent, StaffSession
from admin_app.db.staff.sessions import ProviderTokens, StaffIdentity, hash_token, start_session
from admin_app.devtools.reflex_server import free_port
from admin_app.settings import get_settings


@pytest.fixture
def store(session, db_url, monkeypatch):
    """The store, and an identity provider that does not answer."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("OIDC_ISSUER", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("ROLE_RECHECK_MINUTES", "5")
    get_settings.cache_clear()
    yield session
    get_settings.cache_clear()


def signed_in(store, provider: ProviderTokens, checked_ago: timedelta) -> StaffIdentity:
    now = datetime.now(UTC)
    token = start_session(
        session=store,
        subject="sub-7",
        email="sam@example.com",
        name="Sam",
        roles=("support",),
        id_token=None,
        client_address="",
        now=now - checked_ago,
        policy=session_policy(get_settings()),
        provider=provider,
    )
    store.commit()
    return StaffIdentity(
        hash_token(token), "sub-7", "sam@example.com", "Sam", ("support",), now - checked_ago
    )


def stored(store) -> StaffSession:
    store.expire_all()
    return store.exec(select(StaffSession)).one()


def audit(store) -> list[tuple]:
    store.expire_all()
    return [(e.kind, e.email, e.subject, e.client_address, e.detail) for e in store.exec(select(AuthEvent))]


def test_before_the_interval_has_passed_nothing_is_asked_or_written(store):
    identity = signed_in(store, ProviderTokens(access_token=seal("at")), timedelta(minutes=4))
    before = stored(store).roles_checked_at
    assert asyncio.run(current_roles(identity, "198.51.100.7")) is identity
    assert stored(store).roles_checked_at == before


def test_a_provider_that_does_not_answer_leaves_the_roles_until_the_next_check(store):
    identity = signed_in(store, ProviderTokens(access_token=seal("at")), timedelta(minutes=6))
    assert asyncio.run(current_roles(identity, "198.51.100.7")) is identity
    row = stored(store)
    assert (row.roles, row.revoked_at) == ("support", None)
    assert datetime.now(UTC) - row.roles_checked_at.replace(tzinfo=UTC) < timedelta(minutes=1), "turn taken"
    assert audit(store) == []


def test_a_session_with_no_provider_tokens_keeps_its_roles(store):
    identity = signed_in(store, ProviderTokens(), timedelta(minutes=6))
    assert asyncio.run(current_roles(identity, "198.51.100.7")) is identity
    assert stored(store).revoked_at is None


def test_a_check_another_worker_has_just_made_is_not_made_again(store):
    identity = signed_in(store, ProviderTokens(access_token="unreadable"), timedelta(minutes=6))
    row = stored(store)
    row.roles_checked_at = datetime.now(UTC)
    store.add(row)
    store.commit()
    assert asyncio.run(current_roles(identity, "198.51.100.7")) is identity
    assert stored(store).revoked_at is None


def test_tokens_that_cannot_be_unsealed_end_the_session_with_the_reason_in_the_audit(store):
    # Sealed under an earlier SESSION_SECRET: nothing is left to ask the provider with.
    identity = signed_in(store, ProviderTokens(access_token="unreadable"), timedelta(minutes=6))
    assert asyncio.run(current_roles(identity, "198.51.100.7")) is None
    assert stored(store).revoked_at is not None
    assert audit(store) == [
        (
            "session_ended",
            "sam@example.com",
            "sub-7",
            "198.51.100.7",
            "identity provider: no token to ask with",
        )
    ]


def test_a_session_ended_by_the_check_records_the_address_of_the_request_that_found_out(store):
    from admin_app.auth.identity import identity_for_cookie_header

    token = start_session(
        session=store,
        subject="sub-7",
        email="sam@example.com",
        name="Sam",
        roles=("support",),
        id_token=None,
        client_address="",
        now=datetime.now(UTC) - timedelta(minutes=6),
        policy=session_policy(get_settings()),
        provider=ProviderTokens(access_token="unreadable"),
    )
    store.commit()

    async def look_up():
        return await identity_for_cookie_header(f"ca_session={token}", "198.51.100.9")

    assert asyncio.run(look_up()) is None
    assert [address for _, _, _, address, _ in audit(store)] == ["198.51.100.9"]
