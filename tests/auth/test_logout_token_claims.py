"""The claims of a logout token, checked on their own (OpenID Connect Back-Channel Logout 1.0, 2.6):
which sessions a valid one names, and the exact reason each invalid one is refused (the provider reads
it in the 400 answer)."""

from datetime import UTC, datetime, timedelta

import pytest

from admin_app.auth.back_channel import (
    BACK_CHANNEL_EVENT,
    InvalidLogoutToken,
    KeyRefetches,
    check_logout_claims,
)

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
T = int(NOW.timestamp())
ISSUER = "https://idp.example.com"
CLAIMS = {
    "iss": ISSUER,
    "aud": "customer-admin",
    "iat": T,
    "jti": "jti-1",
    "sub": "sam@example.com",
    "sid": "provider-session-1",
    "events": {BACK_CHANNEL_EVENT: {}},
}


def check(**changes):
    claims = {name: value for name, value in {**CLAIMS, **changes}.items() if value is not None}
    return check_logout_claims(claims, issuer=ISSUER, client_id="customer-admin", now=NOW)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({}, ("sam@example.com", "provider-session-1", "jti-1")),
        ({"sid": None}, ("sam@example.com", None, "jti-1")),
        ({"sub": None}, (None, "provider-session-1", "jti-1")),
        ({"sub": ""}, (None, "provider-session-1", "jti-1")),
        ({"sid": ""}, ("sam@example.com", None, "jti-1")),
        ({"aud": ["another-app", "customer-admin"]}, ("sam@example.com", "provider-session-1", "jti-1")),
        # Issued up to ten minutes ago; clocks may differ by a minute either way.
        ({"iat": T - 600}, ("sam@example.com", "provider-session-1", "jti-1")),
        ({"iat": T + 59}, ("sam@example.com", "provider-session-1", "jti-1")),
        ({"exp": T - 59}, ("sam@example.com", "provider-session-1", "jti-1")),
        ({"jti": "j" * 255}, ("sam@example.com", "provider-session-1", "j" * 255)),
        ({"iat": float(T)}, ("sam@example.com", "provider-session-1", "jti-1")),
    ],
)
def test_a_valid_logout_token_names_its_subject_and_provider_session(changes, named):
    assert check(**changes) == named


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://evil.example"}, "invalid_claim: Invalid claim: 'iss'"),
        ({"iss": None}, "missing_claim: Missing claim: 'iss'"),
        ({"aud": "another-app"}, "invalid_claim: Invalid claim: 'aud'"),
        ({"aud": None}, "missing_claim: Missing claim: 'aud'"),
        ({"iat": None}, "missing_claim: Missing claim: 'iat'"),
        ({"jti": None}, "missing_claim: Missing claim: 'jti'"),
        ({"exp": T - 61}, "expired_token: The token is expired"),
        ({"iat": T + 61}, "invalid_claim: The token was issued in the future"),
        ({"events": None}, "no back-channel logout event"),
        ({"events": ["not", "a", "mapping"]}, "no back-channel logout event"),
        ({"events": {"http://example.com/other": {}}}, "no back-channel logout event"),
        ({"events": {BACK_CHANNEL_EVENT: "yes"}}, "no back-channel logout event"),
        ({"nonce": "n-0S6_WzA2Mj"}, "a logout token must not carry a nonce"),
        ({"nonce": ""}, "a logout token must not carry a nonce"),
        ({"sub": None, "sid": None}, "neither sub nor sid"),
        ({"sub": "", "sid": ""}, "neither sub nor sid"),
        ({"sub": 42, "sid": None}, "invalid_claim: Claim 'sub' must be a StringOrURI value"),
        ({"jti": 12345}, "invalid_claim: Claim 'jti' must be a string"),
        ({"jti": ""}, "invalid_claim: Invalid claim: 'jti'"),
        ({"sub": None, "sid": ["provider-session-1"]}, "neither sub nor sid"),
        ({"iat": T - 601}, "issued too long ago"),
        ({"jti": "j" * 256}, "unusable jti"),
    ],
)
def test_an_invalid_logout_token_is_refused_with_the_check_it_failed(changes, reason):
    with pytest.raises(InvalidLogoutToken) as refused:
        check(**changes)
    assert str(refused.value) == reason


def test_the_age_limit_is_counted_from_the_time_of_the_check():
    later = NOW + timedelta(minutes=10)
    claims = {**CLAIMS, "exp": T + 3600}
    assert check_logout_claims(claims, issuer=ISSUER, client_id="customer-admin", now=later)[2] == "jti-1"
    with pytest.raises(InvalidLogoutToken, match=r"^issued too long ago$"):
        check_logout_claims(
            claims, issuer=ISSUER, client_id="customer-admin", now=later + timedelta(seconds=1)
        )


def test_the_keys_are_fetched_again_at_most_once_per_interval():
    clock = [1000.0]
    refetches = KeyRefetches(every_s=60.0, clock=lambda: clock[0])
    assert [refetches.allowed(), refetches.allowed()] == [True, False]
    clock[0] += 59.9
    assert refetches.allowed() is False
    clock[0] += 0.1
    assert refetches.allowed() is True, "exactly an interval after the last fetch"
    assert refetches.allowed() is False
    clock[0] += 30
    assert refetches.allowed() is False, "counted from the last fetch, not the first refusal"


def test_by_default_the_interval_is_a_minute_of_the_monotonic_clock():
    import time

    refetches = KeyRefetches()
    assert (refetches.every_s, refetches.clock, refetches.last) == (60.0, time.monotonic, None)
    before = time.monotonic()
    assert refetches.allowed() is True
    assert before <= refetches.last <= time.monotonic()
