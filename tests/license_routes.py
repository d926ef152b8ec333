"""The app's HTTP routes signing license files with a key the test made (shared by the route tests)."""

from collections.abc import Iterator

import pytest
from joserfc.jwk import OKPKey

from admin_app import license_key
from admin_app.settings import get_settings


def _forget_cached_settings_and_keys() -> None:
    for cached in (get_settings, license_key.signing_key, license_key.verification_keys):
        cached.cache_clear()


@pytest.fixture
def key(tmp_path, monkeypatch) -> OKPKey:
    """A fresh Ed25519 signing key, configured as LICENSE_SIGNING_KEY_FILE."""
    made = OKPKey.generate_key("Ed25519")
    path = tmp_path / "signing.pem"
    path.write_bytes(made.as_pem(private=True))
    monkeypatch.setenv("LICENSE_SIGNING_KEY_FILE", str(path))
    return made


@pytest.fixture
def signing_routes(db_url, key, monkeypatch) -> Iterator[None]:
    """Settings and keys read afresh for `db_url` and `key`, and forgotten again afterwards."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    _forget_cached_settings_and_keys()
    yield
    _forget_cached_settings_and_keys()
