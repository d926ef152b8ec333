"""The key license files are signed with (Ed25519), from the settings.

In production LICENSE_SIGNING_KEY_FILE names a PEM file holding the private key (the settings refuse
to start without it). In development a key is generated on first use into data/ (git-ignored), so
files signed today still validate after a restart. LICENSE_VERIFY_KEY_FILES lists the public keys of
earlier signing keys, so files issued before a key was replaced still validate.
"""

import os
from functools import lru_cache
from pathlib import Path

from joserfc.jwk import OKPKey

from admin_app.settings import PROJECT_ROOT, get_settings

DEVELOPMENT_KEY = PROJECT_ROOT / "data" / "license_signing_key.pem"


def _generated(path: Path) -> OKPKey:
    key = OKPKey.generate_key("Ed25519")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created readable by its owner only, and never overwritten: two processes starting at once keep one.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return OKPKey.import_key(path.read_bytes())
    with os.fdopen(descriptor, "wb") as out:
        out.write(key.as_pem(private=True))
    return key


@lru_cache(maxsize=1)
def signing_key() -> OKPKey:
    """The private key new license files are signed with."""
    configured = get_settings().LICENSE_SIGNING_KEY_FILE
    if configured:
        return OKPKey.import_key(Path(configured).read_bytes())
    if DEVELOPMENT_KEY.exists():
        return OKPKey.import_key(DEVELOPMENT_KEY.read_bytes())
    return _generated(DEVELOPMENT_KEY)


@lru_cache(maxsize=1)
def verification_keys() -> tuple[OKPKey, ...]:
    """Every key a license file may have been signed with: the current one, then earlier ones."""
    earlier = [
        OKPKey.import_key(Path(path).read_bytes())
        for path in get_settings().LICENSE_VERIFY_KEY_FILES.split(",")
        if path.strip()
    ]
    return (signing_key(), *earlier)
