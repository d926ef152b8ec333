"""Field checks shared by every form that edits a person: names, email, country."""

import re

MAX_NAME = 100
MAX_EMAIL = 254
MAX_COMPANY = 200
MAX_REASON = 2000
# Deliberately plain: one @, something before it, a dot in the domain, no spaces.
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
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


def email_error(value: object) -> str | None:
    """A message when `value` is not a plausible email address."""
    problem = text_error("Email", value, max_length=MAX_EMAIL)
    if problem:
        return problem
    return None if EMAIL.match(str(value).strip()) else "Email is not a valid address (name@example.com)."


def country_error(value: object) -> str | None:
    """A message unless `value` is an ISO 3166 alpha-2 country code."""
    if isinstance(value, str) and value.strip().upper() in COUNTRIES:
        return None
    return "Country must be a two-letter ISO 3166 code, such as US, DE or JP."


def reason_error(value: object, *, required: bool) -> str | None:
    """A message when a required reason is missing, or any reason is too long."""
    return text_error("Reason", value if value is not None else "", max_length=MAX_REASON, required=required)


def same_email(a: str | None, b: str | None) -> bool:
    """Emails compare without regard to case (rule 4)."""
    return (a or "").strip().casefold() == (b or "").strip().casefold()
