"""Addresses: checked and normalised by email-validator (IDNA domains, ASCII-only local parts, since the
relay path has no SMTPUTF8); "the same address" is the normal form with only ASCII letters of the
local part in any case, so no look-alike letter passes for the address on record."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from admin_app.db.validation import (
    ASCII_LOCAL_PART,
    MAX_EMAIL,
    NOT_AN_ADDRESS,
    CheckedEmail,
    address_key,
    check_email,
    country_error,
    email_domain,
    email_error,
    normal_email,
    reason_error,
    same_email,
    text_error,
)

LONG_S = "\u017f"  # long s, which casefold() turns into s
KELVIN = "\u212a"  # Kelvin sign, which casefold() turns into k
FULLWIDTH_KODAK = "\uff2b\uff2f\uff24\uff21\uff2b"  # KODAK in fullwidth letters
CYRILLIC_O = "\u043e"


@pytest.mark.parametrize(
    ("typed", "address", "relay_address"),
    [
        ("ops@kodak.test", "ops@kodak.test", "ops@kodak.test"),
        ("  Ops@Kodak.TEST ", "Ops@kodak.test", "Ops@kodak.test"),
        ("ops@Bücher.test", "ops@bücher.test", "ops@xn--bcher-kva.test"),
        ("ops@xn--bcher-kva.test", "ops@bücher.test", "ops@xn--bcher-kva.test"),
        # A domain is what DNS resolves: IDNA maps the Kelvin sign, the long s and fullwidth letters.
        (f"ops@{KELVIN}odak.test", "ops@kodak.test", "ops@kodak.test"),
        (f"ops@ko{LONG_S}ak.test", "ops@kosak.test", "ops@kosak.test"),
        (f"ops@{FULLWIDTH_KODAK}.test", "ops@kodak.test", "ops@kodak.test"),
        # A letter from another script is another domain.
        (f"ops@k{CYRILLIC_O}dak.test", f"ops@k{CYRILLIC_O}dak.test", "ops@xn--kdak-55d.test"),
    ],
    ids=["plain", "mixed case", "IDNA", "IDNA as ASCII", "Kelvin sign", "long s", "fullwidth", "Cyrillic o"],
)
def test_an_address_is_kept_in_its_normal_form_and_sent_in_its_ascii_form(typed, address, relay_address):
    assert check_email(typed) == CheckedEmail(address=address, relay_address=relay_address)


@pytest.mark.parametrize(
    "typed",
    [f"op{LONG_S}@kodak.test", f"{KELVIN}im@kodak.test", "\uff4f\uff50\uff53@kodak.test", "jos\u00e9@x.test"],
    ids=["long s", "Kelvin sign", "fullwidth", "accented"],
)
def test_a_local_part_the_relay_cannot_carry_is_refused_saying_why(typed):
    assert email_error(typed) == ASCII_LOCAL_PART


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("not-an-email", NOT_AN_ADDRESS),
        ("a@b", NOT_AN_ADDRESS),
        ("two@@kodak.test", NOT_AN_ADDRESS),
        ("ops@kodak..test", NOT_AN_ADDRESS),
        ("ops@-kodak.test", NOT_AN_ADDRESS),
        ("x" * 250 + "@a.test", f"Email is too long (at most {MAX_EMAIL} characters)."),
        ("ops@kodak.test\n", "Email can't contain control characters."),
        ("", "Email can't be blank."),
        (None, "Email must be text."),
    ],
)
def test_what_is_not_an_address_is_refused_with_a_message(typed, message):
    assert check_email(typed) == CheckedEmail(problem=message)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("ops@kodak.test", "OPS@KODAK.TEST", True),
        ("ops@kodak.test", f"ops@{FULLWIDTH_KODAK}.test", True),
        ("ops@kodak.test", f"ops@{KELVIN}odak.test", True),
        ("ops@kodak.test", f"op{LONG_S}@kodak.test", False),
        ("kim@kodak.test", f"{KELVIN}im@kodak.test", False),
        ("ops@kodak.test", "\uff4f\uff50\uff53@kodak.test", False),
        ("ops@kodak.test", f"ops@k{CYRILLIC_O}dak.test", False),
        # Another domain under IDNA 2008, though `casefold` would make both "strasse".
        ("ops@strasse.test", "ops@stra\u00dfe.test", False),
        # Rows written before the check (not valid addresses now) compare as stored.
        (f"op{LONG_S}@kodak.test", f"OP{LONG_S}@kodak.test", True),
        (f"op{LONG_S}@kodak.test", "ops@kodak.test", False),
        (None, "", True),
    ],
)
def test_the_same_address_ignores_only_ascii_case_and_the_domains_normal_form(a, b, same):
    assert same_email(a, b) is same
    assert same_email(b, a) is same


def test_a_domain_compares_in_its_normal_form():
    assert email_domain(f"a@{FULLWIDTH_KODAK}.TEST") == email_domain("b@kodak.test") == "kodak.test"
    assert email_domain(f"a@k{CYRILLIC_O}dak.test") != "kodak.test"
    # A row written before the check, with an @ quoted before the last one: the domain follows the last @.
    assert email_domain('"a@b"@Kodak.TEST') == "kodak.test"


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.from_regex(r"\A[^@]{0,70}@[^@]{0,70}\Z"), st.none(), st.integers()))
def test_any_text_gives_a_normal_address_or_a_message_never_an_exception(typed):
    checked = check_email(typed)
    if checked.problem is None:
        assert checked.address and checked.relay_address.isascii()
        assert check_email(checked.address) == checked
        assert same_email(typed, checked.address)
    else:
        assert checked.problem.startswith("Email ") and checked == CheckedEmail(problem=checked.problem)
    assert isinstance(same_email(typed if isinstance(typed, str) else None, "ops@kodak.test"), bool)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [(" Ops@Kodak.TEST ", "Ops@kodak.test"), ("not-an-email", "not-an-email"), (" a@b ", " a@b ")],
)
def test_a_valid_address_is_kept_in_its_normal_form_and_anything_else_as_given(typed, kept):
    assert normal_email(typed) == kept


@pytest.mark.parametrize(
    ("value", "required", "message"),
    [
        (None, False, None),
        (None, True, "Reason can't be blank."),
        ("  ", True, "Reason can't be blank."),
        ("  ", False, None),
        ("x" * 2000, True, None),
        ("x" * 2001, False, "Reason is too long (at most 2000 characters)."),
        ("Line\nbreak", False, "Reason can't contain control characters."),
        (42, False, "Reason must be text."),
    ],
)
def test_a_reason_is_optional_or_required_and_never_too_long_or_control_characters(value, required, message):
    assert reason_error(value, required=required) == message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Ann", None),
        ("", "Name can't be blank."),
        ("x" * 5, None),
        ("x" * 6, "Name is too long (at most 5 characters)."),
        ("a\tb", "Name can't contain control characters."),
        ("a\x1fb", "Name can't contain control characters."),
        ("a b", None),
        (None, "Name must be text."),
    ],
)
def test_a_text_field_is_checked_for_blank_length_and_control_characters(value, message):
    assert text_error("Name", value, max_length=5) == message


@pytest.mark.parametrize(
    ("value", "valid"),
    [("US", True), (" de ", True), ("jp", True), ("XX", False), ("USA", False), (None, False)],
)
def test_a_country_is_an_iso_3166_code_in_any_case(value, valid):
    expected = None if valid else "Country must be a two-letter ISO 3166 code, such as US, DE or JP."
    assert country_error(value) == expected


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_no_address_is_the_empty_key_and_the_same_as_no_other_text(missing):
    assert address_key(missing) == ""
    assert same_email(missing, "xxxx") is False
