"""Field checks shared by every form that edits a person: names, email, country.

Addresses are checked and normalised by email-validator, with no DNS lookup: the domain as IDNA
(UTS 46: case, fullwidth and compatibility forms mapped to the letters they stand for, as DNS
resolves them; a look-alike letter from another script is another domain), the local part as typed.
The relay path (smtplib without SMTPUTF8, and a relay that does not announce it) carries only ASCII
local parts, so an address with other characters before the @ is refused here, with a message
saying so, rather than queued for a send that cannot succeed. The reserved `.test` names (RFC 6761)
are accepted: the demo data and tests use them, and mail to them goes nowhere.
"""

import string
from dataclasses import dataclass

from email_validator import EmailNotValidError, ValidatedEmail, validate_email

MAX_NAME = 100
MAX_EMAIL = 254
MAX_COMPANY = 200
MAX_REASON = 2000
NOT_AN_ADDRESS = "Email is not a valid address (name@example.com)."
ASCII_LOCAL_PART = (
    "Email can only have plain ASCII characters before the @ (such as a-z, 0-9, . _ + -): "
    "our mail relay cannot deliver to other characters there."
)
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# ISO 3166-1 alpha-2, the officially assigned codes.
ISO_3166_ALPHA_2 = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRIES = frozenset(ISO_3166_ALPHA_2.split())


def text_error(label: str, value: object, *, max_length: int, required: bool = True) -> str | None:
    """A message when a text field is missing, too long or holds control characters."""
    if not isinstance(value, str):
        return f"{label} must be text."
    if required and not value.strip():
        return f"{label} can't be blank."
    if len(value) > max_length:
        return f"{label} is too long (at most {max_length} characters)."
    if any(ord(ch) < 32 for ch in value):
        return f"{label} can't contain control characters."
    return None


@dataclass(frozen=True)
class CheckedEmail:
    """An address as checked: its normal form (what is kept and shown), the ASCII form the mail relay
    is given, or why it was refused (then both are empty)."""

    address: str = ""
    relay_address: str = ""
    problem: str | None = None


def _validated(text: str, *, allow_smtputf8: bool) -> ValidatedEmail:
    return validate_email(
        text, allow_smtputf8=allow_smtputf8, check_deliverability=False, test_environment=True
    )


def check_email(value: object) -> CheckedEmail:
    """Any value in; the normalised address or a message out, never an exception."""
    problem = text_error("Email", value, max_length=MAX_EMAIL)
    if problem:
        return CheckedEmail(problem=problem)
    text = str(value).strip()
    try:
        checked = _validated(text, allow_smtputf8=False)
    except EmailNotValidError:
        return CheckedEmail(problem=ASCII_LOCAL_PART if _valid_with_smtputf8(text) else NOT_AN_ADDRESS)
    return CheckedEmail(address=checked.normalized, relay_address=checked.ascii_email or "")


def _valid_with_smtputf8(text: str) -> bool:
    try:
        _validated(text, allow_smtputf8=True)
    except EmailNotValidError:
        return False
    return True


def email_error(value: object) -> str | None:
    """A message when `value` is not an address we can send to."""
    return check_email(value).problem


def normal_email(text: str) -> str:
    """The normal form of a valid address (as it is stored); anything else as given, for
    `email_error` to refuse."""
    checked = check_email(text)
    return text if checked.problem else checked.address


def country_error(value: object) -> str | None:
    """A message unless `value` is an ISO 3166 alpha-2 country code."""
    if isinstance(value, str) and value.strip().upper() in COUNTRIES:
        return None
    return "Country must be a two-letter ISO 3166 code, such as US, DE or JP."


def reason_error(value: object, *, required: bool) -> str | None:
    """A message when a required reason is missing, or any reason is too long."""
    return text_error("Reason", value if value is not None else "", max_length=MAX_REASON, required=required)


def address_key(email: str | None) -> str:
    """What "the same address" means (rules 3, 4 and 13, and the address on record): the normal form
    with the ASCII letters of the local part lower-cased. Never `casefold` or `lower`: `casefold` turns
    a long s into s and both turn a Kelvin sign into k, so a look-alike would pass for the address on
    record.
    Text that is not a valid address (older rows) compares as stored, ASCII letters lower-cased."""
    text = (email or "").strip()
    checked = check_email(text)
    if checked.problem:
        return text.translate(ASCII_LOWER)
    local, _, domain = checked.address.rpartition("@")
    return f"{local.translate(ASCII_LOWER)}@{domain}"


def same_email(a: str | None, b: str | None) -> bool:
    """Two addresses are the same mailbox by `address_key`."""
    return address_key(a) == address_key(b)


def email_domain(email: str | None) -> str:
    """The domain of an address, as `address_key` compares it."""
    return address_key(email).rpartition("@")[2]
