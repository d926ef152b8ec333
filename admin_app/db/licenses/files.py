"""License files: a license's fields signed by the app's license key (a JWS, Ed25519), and reading one
back ("Validate license"): is the signature ours, what does it say, and does the database agree.

The file is the compact JWS between two armour lines, wrapped at 64 characters, so it survives being
pasted into a ticket; whitespace anywhere is ignored when it is read back.
"""

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey
from sqlmodel import Session

from admin_app.db.lists.query_params import record_id
from admin_app.db.models import License

ALGORITHM = "Ed25519"
BEGIN = "-----BEGIN CUSTOMER ADMIN LICENSE-----"
END = "-----END CUSTOMER ADMIN LICENSE-----"
# A license file is under 2 KB; anything much longer is not one, and is not decoded.
MAX_TEXT_LENGTH = 20_000
_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")

# (claim, label): what a license file holds, in the order the page shows it.
FIELDS = (
    ("license_id", "License id"),
    ("licensee", "Licensee"),
    ("company", "Company"),
    ("email", "Email"),
    ("plan", "Plan"),
    ("users", "Users"),
    ("starts", "Starts"),
    ("expires", "Expires"),
    ("trial", "Trial"),
    ("type", "Type"),
    ("issued", "Issued"),
)


def license_claims(license: License) -> dict[str, object]:
    """The fields a license file carries, as JSON values."""
    return {
        "license_id": license.id,
        "licensee": license.licensee_name,
        "company": license.company,
        "email": license.email,
        "plan": license.plan,
        "users": license.user_count,
        "starts": license.starts_at.isoformat(),
        "expires": license.expires_at.isoformat(),
        "trial": license.trial,
        "type": license.license_type,
        "issued": license.issued_at.isoformat(),
    }


def license_file_text(license: License, key: OKPKey) -> str:
    """The license as a file: its claims signed with `key`, armoured and wrapped."""
    payload = json.dumps(license_claims(license), separators=(",", ":"), ensure_ascii=False).encode()
    token = jws.serialize_compact(
        {"alg": ALGORITHM, "kid": key.thumbprint()}, payload, key, algorithms=[ALGORITHM]
    )
    lines = [token[i : i + 64] for i in range(0, len(token), 64)]
    return "\n".join([BEGIN, *lines, END]) + "\n"


@dataclass(frozen=True)
class LicenseFileCheck:
    """What a pasted text turned out to be. `verdict`: valid, tampered (readable, but not signed by our
    key as it reads now), unknown_key (signed, by a key this app does not hold), unreadable, too_long
    or empty. `claims` are what the file says, shown even when its signature fails, never trusted then;
    `key_id` is the thumbprint of the key whose signature held (valid files only)."""

    verdict: str
    message: str
    claims: dict[str, object] = field(default_factory=dict)
    key_id: str = ""

    @property
    def valid(self) -> bool:
        return self.verdict == "valid"


def _token_of(text: str) -> str:
    body = text.strip()
    if body.startswith(BEGIN):
        body = body[len(BEGIN) :]
        body = body[: body.index(END)] if END in body else body
    return "".join(body.split())


def _unverified(token: str) -> tuple[dict[str, object], dict[str, object]] | None:
    """(header, claims) read without checking the signature, or None when they are not JSON objects."""
    try:
        header, claims = (json.loads(_b64decode(part)) for part in token.split(".")[:2])
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: JSON nested a few thousand deep, which fits well within MAX_TEXT_LENGTH.
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def check_license_file(text: object, keys: Sequence[OKPKey]) -> LicenseFileCheck:
    """Read a pasted license file and check its signature against `keys` (the current key first)."""
    if not isinstance(text, str) or not text.strip():
        return LicenseFileCheck("empty", "Paste the text of a license file first.")
    if len(text) > MAX_TEXT_LENGTH:
        return LicenseFileCheck(
            "too_long",
            f"That is more than {MAX_TEXT_LENGTH:,} characters; a license file has under 2,000. "
            "Paste only the license file's text.",
        )
    token = _token_of(text)
    unverified = _unverified(token) if _COMPACT_JWS.match(token) else None
    if unverified is None:
        return LicenseFileCheck(
            "unreadable",
            "This is not a license file: it should be the text between the BEGIN and END lines, "
            "in three parts separated by dots. Check that it was copied whole.",
        )
    header, claims = unverified
    key = next((k for k in keys if k.thumbprint() == header.get("kid")), None)
    if key is None:
        return LicenseFileCheck(
            "unknown_key",
            "This file was signed with a key this app does not hold: it was not issued here, or by a "
            "key that has been replaced. Its fields cannot be trusted.",
            claims,
        )
    try:
        jws.deserialize_compact(token, key, algorithms=[ALGORITHM])
    except (JoseError, ValueError):
        return LicenseFileCheck(
            "tampered",
            "The signature does not match the contents: the file was changed after it was issued, or "
            "damaged when copied. Its fields cannot be trusted.",
            claims,
        )
    return LicenseFileCheck(
        "valid", "The signature is valid: this license file was issued by this app.", claims, key.thumbprint()
    )


@dataclass(frozen=True)
class FieldComparison:
    label: str
    in_file: str
    in_database: str

    @property
    def differs(self) -> bool:
        return self.in_file != self.in_database


@dataclass(frozen=True)
class DatabaseMatch:
    """The license the file names, if the database has it, and each field side by side."""

    license_id: int | None
    message: str
    fields: list[FieldComparison]


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    return str(value)


def license_named(*, session: Session, claims: dict[str, object]) -> License | None:
    """The license of the id a file names, if the database has it."""
    license_id = record_id(claims.get("license_id"))
    return None if license_id is None else session.get(License, license_id)


def match_in_database(*, session: Session, claims: dict[str, object]) -> DatabaseMatch:
    """Compare what a file says with the license of the id it names."""
    found = license_named(session=session, claims=claims)
    stored = license_claims(found) if found else {}
    fields = [
        FieldComparison(label, _shown(claims.get(name)), _shown(stored.get(name))) for name, label in FIELDS
    ]
    if found is None:
        return DatabaseMatch(None, "No license in the database has the id this file names.", fields)
    differing = [f.label.lower() for f in fields if f.differs]
    if differing:
        message = (
            "The database has this license, but its " + ", ".join(differing) + " differ from the file's."
        )
    else:
        message = "The database has this license with the same fields."
    return DatabaseMatch(found.id, message, fields)
