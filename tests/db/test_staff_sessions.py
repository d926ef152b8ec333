"""Server-side staff sessions: hashed tokens, idle and absolute timeouts, revocation."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from admin_app.db.auth_events import recent_auth_events, record_auth_event
from admin_app.db.models import StaffSession
from admin_app.db.staff_sessions import (
    SessionPolicy,
    active_sessions,
    end_session,
    identity_for_token,
    revoke_session,
    start_session,
)

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
POLICY = SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


def sign_in(session, email="support@example.com", at=NOW) -> str:
    token = start_session(
        session=session,
        subject=f"sub-{email}",
        email=email,
        name="Sam Support",
        roles=("support",),
        id_token="id.token.jwt",
        client_address="127.0.0.1",
        now=at,
        policy=POLICY,
    )
    session.commit()
    return token


def identity(session, token, at):
    found = identity_for_token(session=session, token=token, now=at, policy=POLICY)
    session.commit()
    return found


def test_only_a_hash_of_the_token_is_stored_and_each_sign_in_gets_a_new_token(session):
    first, second = sign_in(session), sign_in(session)
    stored = [row.id for row in session.exec(select(StaffSession))]
    assert first != second and len(first) >= 43
    assert first not in stored and second not in stored
    assert identity(session, first, NOW).roles == ("support",)


def test_idle_timeout_is_extended_by_use_and_ends_after_quiet(session):
    token = sign_in(session)
    assert identity(session, token, NOW + timedelta(minutes=29))
    assert identity(session, token, NOW + timedelta(minutes=58))
    assert identity(session, token, NOW + timedelta(minutes=58 + 30)) is None


def test_absolute_timeout_ends_even_a_busy_session(session):
    token = sign_in(session)
    for minutes in range(20, 12 * 60, 20):
        assert identity(session, token, NOW + timedelta(minutes=minutes))
    assert identity(session, token, NOW + timedelta(hours=12)) is None


def test_sign_out_and_admin_revocation_end_the_session(session):
    mine, theirs = sign_in(session), sign_in(session, email="sales@example.com")
    ended = end_session(session=session, token=mine, now=NOW)
    session.commit()
    assert ended.id_token == "id.token.jwt"
    assert identity(session, mine, NOW) is None
    assert [s.email for s in active_sessions(session=session, now=NOW, policy=POLICY)] == [
        "sales@example.com"
    ]

    revoked = revoke_session(session=session, session_id=identity(session, theirs, NOW).session_id, now=NOW)
    session.commit()
    assert revoked is not None
    assert identity(session, theirs, NOW) is None
    assert end_session(session=session, token=mine, now=NOW) is None


def test_unknown_or_absurd_tokens_are_no_session(session):
    sign_in(session)
    for token in ("", "x", "a" * 5000, "' OR 1=1 --"):
        assert identity(session, token, NOW) is None


def test_auth_events_are_listed_newest_first(session):
    for minute, kind in enumerate(("sign_in", "refused", "sign_out")):
        record_auth_event(
            session=session, kind=kind, at=NOW + timedelta(minutes=minute), email="a@example.com"
        )
    session.commit()
    assert [e.kind for e in recent_auth_events(session=session)] == ["sign_out", "refused", "sign_in"]
    assert [e.kind for e in recent_auth_events(session=session, kind="refused")] == ["refused"]
