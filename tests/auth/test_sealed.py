"""Provider tokens are stored sealed with a key derived from SESSION_SECRET."""

import pytest

from admin_app.auth.sealed import seal, unseal
from admin_app.settings import get_settings


@pytest.fixture
def secret(monkeypatch):
    def use(value: str) -> None:
        monkeypatch.setenv("SESSION_SECRET", value)
        get_settings.cache_clear()

    use("the first secret")
    yield use
    get_settings.cache_clear()


def test_a_sealed_token_is_not_the_token_and_unseals_to_it(secret):
    sealed = seal("an-access-token")
    assert sealed and "an-access-token" not in sealed
    assert seal("an-access-token") != sealed, "sealed afresh each time"
    assert unseal(sealed) == "an-access-token"


@pytest.mark.parametrize("nothing", [None, ""])
def test_no_token_stays_no_token(secret, nothing):
    assert seal(nothing) is None
    assert unseal(nothing) is None


def test_a_token_sealed_under_another_secret_or_not_sealed_at_all_unseals_to_none(secret):
    sealed = seal("an-access-token")
    secret("a new secret")
    assert unseal(sealed) is None
    assert unseal("an-access-token") is None
    secret("the first secret")
    assert unseal(sealed) == "an-access-token"
