"""Provider tokens kept in the session store are encrypted with a key derived from SESSION_SECRET:
a copy of the database alone does not let anyone call the provider as a staff member."""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from admin_app.settings import get_settings


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    digest = hashlib.sha256(b"customer-admin provider tokens:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(value: str | None) -> str | None:
    """The stored form of a token (None stays None)."""
    if not value:
        return None
    return _fernet(get_settings().SESSION_SECRET).encrypt(value.encode()).decode()


def unseal(value: str | None) -> str | None:
    """The token again; None when there is none or the secret has changed since it was sealed."""
    if not value:
        return None
    try:
        return _fernet(get_settings().SESSION_SECRET).decrypt(value.encode()).decode()
    except InvalidToken:
        return None
