"""Server-side staff sessions: hashed tokens, idle and absolute timeouts, revocation."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from admin_app.db.models import StaffSession, StaffSessionTab, UsedLogoutToken
from admin_app.db.staff.sessions import (
    SessionPolicy,
    active_sessions,
    claim_role_check,
    end_session,
    end_sessions_of,
    first_use_of_logout_token,
    hash_token,
    identity_for_token,
    is_live,
    lapsed_between,
    purge_sessions,
    register_tab,
    revoke_session,
    start_session,
    tabs_of,
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


def test_ending_all_sessions_of_one_person_leaves_everyone_else_signed_in(session):
    mine = [sign_in(session, "support@example.com") for _ in range(3)]
    theirs = sign_in(session, "sales@example.com")
    end_session(session=session, token=mine[0], now=NOW)
    ended = end_sessions_of(session=session, now=NOW, subject="sub-support@example.com")
    session.commit()
    assert sorted(row.id for row in ended) == sorted(hash_token(token) for token in mine[1:])
    assert [identity(session, token, NOW) for token in mine] == [None, None, None]
    assert identity(session, theirs, NOW).email == "sales@example.com"
    assert end_sessions_of(session=session, now=NOW) == []


def test_ended_and_expired_sessions_are_purged_after_the_retention_period(session):
    ended_long_ago = sign_in(session, "a@example.com", at=NOW - timedelta(days=40))
    end_session(session=session, token=ended_long_ago, now=NOW - timedelta(days=40))
    sign_in(session, "b@example.com", at=NOW - timedelta(days=40))  # expired 12 h later
    ended_recently = sign_in(session, "c@example.com", at=NOW - timedelta(days=2))
    end_session(session=session, token=ended_recently, now=NOW - timedelta(days=2))
    live = sign_in(session, "d@example.com")
    first_use_of_logout_token(session=session, jti="old", keep_until=NOW - timedelta(minutes=1))
    first_use_of_logout_token(session=session, jti="fresh", keep_until=NOW + timedelta(minutes=5))

    assert purge_sessions(session=session, now=NOW, retention=timedelta(days=30)) == 2
    session.commit()
    left = sorted(row.email for row in session.exec(select(StaffSession)))
    assert left == ["c@example.com", "d@example.com"]
    assert identity(session, live, NOW).email == "d@example.com"
    assert [row.jti for row in session.exec(select(UsedLogoutToken))] == ["fresh"]


def test_a_logout_token_id_is_accepted_once(session):
    later = NOW + timedelta(minutes=20)
    assert first_use_of_logout_token(session=session, jti="j-1", keep_until=later) is True
    assert first_use_of_logout_token(session=session, jti="j-1", keep_until=later) is False
    session.commit()
    assert first_use_of_logout_token(session=session, jti="j-1", keep_until=later) is False


def test_only_one_caller_gets_a_due_role_check(session):
    token = sign_in(session)
    session_id = hash_token(token)
    every = timedelta(minutes=5)
    # Sign-in counts as a check: none is due before the interval has passed.
    assert claim_role_check(session=session, session_id=session_id, now=NOW, every=every) is None
    later = NOW + every
    row = session.get(StaffSession, session_id)
    row.access_token = "sealed-access-token"
    session.commit()
    first = claim_role_check(session=session, session_id=session_id, now=later, every=every)
    second = claim_role_check(session=session, session_id=session_id, now=later, every=every)
    assert first.access_token == "sealed-access-token" and second is None


def test_a_tab_is_registered_once_per_session_and_found_by_the_sessions_it_acted_under(session):
    mine, theirs = hash_token(sign_in(session)), hash_token(sign_in(session, email="sales@example.com"))
    for session_id, tab in ((mine, "tab-1"), (mine, "tab-2"), (mine, "tab-1"), (theirs, "tab-1")):
        register_tab(session=session, session_id=session_id, client_token=tab, now=NOW)
    session.commit()
    assert tabs_of(session=session, session_ids=[mine]) == ["tab-1", "tab-2"]
    assert tabs_of(session=session, session_ids=[theirs]) == ["tab-1"]
    assert tabs_of(session=session, session_ids=[]) == []
    assert len(session.exec(select(StaffSessionTab)).all()) == 3


def test_purging_a_session_forgets_its_tabs(session):
    old = sign_in(session, email="old@example.com", at=NOW - timedelta(days=40))
    live = sign_in(session)
    for token in (old, live):
        register_tab(session=session, session_id=hash_token(token), client_token="tab", now=NOW)
    session.commit()
    purge_sessions(session=session, now=NOW, retention=timedelta(days=30))
    session.commit()
    assert [row.session_id for row in session.exec(select(StaffSessionTab))] == [hash_token(live)]


def test_a_session_is_live_until_it_is_ended_goes_idle_or_expires_and_asking_does_not_keep_it_alive(session):
    token = sign_in(session)
    session_id = hash_token(token)
    assert is_live(session=session, session_id=session_id, now=NOW + timedelta(minutes=29), policy=POLICY)
    # Asking is not using: the idle timeout still runs from the last event.
    assert not is_live(session=session, session_id=session_id, now=NOW + timedelta(minutes=30), policy=POLICY)
    assert not is_live(session=session, session_id=session_id, now=NOW + timedelta(hours=12), policy=POLICY)
    assert not is_live(session=session, session_id="no-such-session", now=NOW, policy=POLICY)
    end_session(session=session, token=token, now=NOW + timedelta(minutes=1))
    session.commit()
    assert not is_live(session=session, session_id=session_id, now=NOW + timedelta(minutes=2), policy=POLICY)


def test_sessions_that_lapse_are_found_once_in_the_window_they_lapse_in(session):
    busy = sign_in(session, email="busy@example.com")  # expires 12 h after sign-in
    quiet = sign_in(session, email="quiet@example.com", at=NOW + timedelta(hours=11))  # idle after 30 min
    ended = sign_in(session, email="ended@example.com", at=NOW + timedelta(hours=11))
    end_session(session=session, token=ended, now=NOW + timedelta(hours=11))
    session.commit()

    def lapsed(since: datetime, until: datetime) -> list[str]:
        return sorted(lapsed_between(session=session, since=since, until=until, policy=POLICY))

    eleven = NOW + timedelta(hours=11)
    assert lapsed(eleven, eleven + timedelta(minutes=29)) == []
    assert lapsed(eleven + timedelta(minutes=29), eleven + timedelta(minutes=31)) == [hash_token(quiet)]
    assert lapsed(eleven + timedelta(minutes=31), NOW + timedelta(hours=12)) == [hash_token(busy)]
    assert lapsed(NOW + timedelta(hours=12), NOW + timedelta(hours=13)) == []
