"""License files: signed by the app's key, read back whole, and every kind of wrong text answered
plainly: garbage, truncation, a changed field, another key, a huge paste."""

import base64
import json
import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from joserfc import jws
from joserfc.jwk import OKPKey

from admin_app.db.licenses.files import (
    BEGIN,
    END,
    MAX_TEXT_LENGTH,
    check_license_file,
    license_file_text,
    match_in_database,
)
from admin_app.db.models import License
from tests.factories import add_licenses, license_fields

KEY = OKPKey.generate_key("Ed25519")
OTHER_KEY = OKPKey.generate_key("Ed25519")


@pytest.fixture
def license(session):
    [made] = add_licenses(
        session, [license_fields(company="Numbat Labs", email="ops@numbat.test", trial=True)]
    )
    return made


def token_of(text: str) -> str:
    return "".join(text.strip().removeprefix(BEGIN).removesuffix(END).split())


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_file_reads_back_valid_with_every_field(session, license):
    text = license_file_text(license, KEY)
    assert text.startswith(BEGIN + "\n") and text.endswith(END + "\n")
    assert all(len(line) <= 64 for line in text.splitlines()[1:-1])
    check = check_license_file(text, [KEY])
    assert check.verdict == "valid"
    assert check.claims == {
        "license_id": license.id,
        "licensee": license.licensee_name,
        "company": "Numbat Labs",
        "email": "ops@numbat.test",
        "plan": license.plan,
        "users": license.user_count,
        "starts": license.starts_at.isoformat(),
        "expires": license.expires_at.isoformat(),
        "trial": True,
        "type": license.license_type,
        "issued": license.issued_at.isoformat(),
    }
    match = match_in_database(session=session, claims=check.claims)
    assert match.license_id == license.id
    assert match.message == "The database has this license with the same fields."
    assert not any(f.differs for f in match.fields)


def test_pasted_without_armour_or_with_extra_whitespace_it_still_reads(license):
    text = license_file_text(license, KEY)
    assert check_license_file(token_of(text), [KEY]).valid
    assert check_license_file("\r\n  " + text.replace("\n", "\r\n   ") + "\n\n", [KEY]).valid


def test_a_changed_field_breaks_the_signature_but_shows_what_the_file_claims(license):
    header, _, signature = token_of(license_file_text(license, KEY)).split(".")
    claims = check_license_file(license_file_text(license, KEY), [KEY]).claims
    forged = f"{header}.{b64({**claims, 'users': 5000})}.{signature}"
    check = check_license_file(forged, [KEY])
    assert check.verdict == "tampered"
    assert "changed after it was issued" in check.message
    assert check.claims["users"] == 5000


def test_a_file_signed_by_another_key_is_not_ours(license):
    check = check_license_file(license_file_text(license, OTHER_KEY), [KEY])
    assert check.verdict == "unknown_key"
    assert (check.claims["license_id"], check.key_id) == (license.id, ""), "shown, never trusted"
    # An earlier key the app still verifies with accepts it.
    assert check_license_file(license_file_text(license, OTHER_KEY), [KEY, OTHER_KEY]).valid


def test_a_header_claiming_our_key_with_alg_none_or_another_algorithm_is_refused(license):
    _, payload, signature = token_of(license_file_text(license, KEY)).split(".")
    for alg in ("none", "HS256", "EdDSA", "ES256"):
        header = b64({"alg": alg, "kid": KEY.thumbprint()})
        assert check_license_file(f"{header}.{payload}.{signature}", [KEY]).verdict == "tampered"


def test_each_verdict_tells_the_reader_what_the_file_is_and_whether_to_trust_it(license):
    text = license_file_text(license, KEY)
    header, _, signature = token_of(text).split(".")
    pasted = [
        text,
        license_file_text(license, OTHER_KEY),
        f"{header}.{b64({'users': 1})}.{signature}",
        "hello",
    ]
    assert {check.verdict: check.message for check in (check_license_file(t, [KEY]) for t in pasted)} == {
        "valid": "The signature is valid: this license file was issued by this app.",
        "unknown_key": "This file was signed with a key this app does not hold: it was not issued here, "
        "or by a key that has been replaced. Its fields cannot be trusted.",
        "tampered": "The signature does not match the contents: the file was changed after it was issued, or "
        "damaged when copied. Its fields cannot be trusted.",
        "unreadable": "This is not a license file: it should be the text between the BEGIN and END lines, "
        "in three parts separated by dots. Check that it was copied whole.",
    }


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        (None, "empty"),
        (b"bytes", "empty"),
        ("hello world", "unreadable"),
        ("a.b.c", "unreadable"),
        ("%%%.%%%.%%%", "unreadable"),
        (f"{b64([1, 2])}.{b64({'a': 1})}.AAAA", "unreadable"),
        ("🚀" * 100, "unreadable"),
        (f"{BEGIN}\n{END}", "unreadable"),
        ("x" * (MAX_TEXT_LENGTH + 1), "too_long"),
        ("x" * 1_000_000, "too_long"),
    ],
    ids=[
        "empty",
        "blank",
        "none",
        "bytes",
        "words",
        "dots",
        "symbols",
        "array",
        "emoji",
        "armour",
        "long",
        "1MB",
    ],
)
def test_garbage_is_answered_plainly(text, verdict):
    check = check_license_file(text, [KEY])
    assert check.verdict == verdict
    assert check.message and not check.valid


@pytest.mark.parametrize("text", ["", " \n\t ", None])
def test_an_empty_paste_asks_for_the_file(text):
    check = check_license_file(text, [KEY])
    assert (check.verdict, check.message) == ("empty", "Paste the text of a license file first.")


def test_a_paste_of_exactly_the_longest_length_is_read_and_one_character_more_is_not(license):
    text = license_file_text(license, KEY)
    longest = text + " " * (MAX_TEXT_LENGTH - len(text))
    assert len(longest) == MAX_TEXT_LENGTH
    assert check_license_file(longest, [KEY]).verdict == "valid"
    check = check_license_file(longest + " ", [KEY])
    assert (check.verdict, check.message) == (
        "too_long",
        "That is more than 20,000 characters; a license file has under 2,000. "
        "Paste only the license file's text.",
    )


def test_a_file_pasted_twice_reads_as_the_first_copy(license):
    text = license_file_text(license, KEY)
    check = check_license_file(text + "\n" + text, [KEY])
    assert check.verdict == "valid"
    assert check.claims["license_id"] == license.id


def test_a_truncated_file_is_unreadable_or_tampered_never_valid(license):
    text = license_file_text(license, KEY)
    for cut in (20, len(text) // 2, len(text) - 30):
        assert check_license_file(text[:cut], [KEY]).verdict in {"unreadable", "tampered", "unknown_key"}


def test_the_database_is_compared_field_by_field(session, license):
    claims = check_license_file(license_file_text(license, KEY), [KEY]).claims
    license.email = "ops@numbat-corrected.test"
    license.user_count = 99
    session.add(license)
    session.commit()
    match = match_in_database(session=session, claims=claims)
    assert match.license_id == license.id
    assert match.message == "The database has this license, but its email, users differ from the file's."
    differing = {f.label: (f.in_file, f.in_database) for f in match.fields if f.differs}
    assert differing == {"Email": ("ops@numbat.test", "ops@numbat-corrected.test"), "Users": ("10", "99")}


@pytest.mark.parametrize("license_id", [10**9, -1, "7", True, None, 2**70])
def test_a_file_naming_no_license_of_ours_says_so(session, license, license_id):
    match = match_in_database(session=session, claims={"license_id": license_id, "company": "X"})
    assert match.license_id is None
    assert match.message == "No license in the database has the id this file names."


# Properties: whatever is pasted, only a file this app's key signed reads back "valid".
GENUINE = token_of(license_file_text(License(id=7, **license_fields(company="Numbat Labs")), KEY))
BASE64URL = string.ascii_letters + string.digits + "-_"
CLAIM_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=40))
CLAIMS = st.dictionaries(st.text(max_size=20), CLAIM_VALUES, max_size=12)


def decoded(token: str) -> list[bytes]:
    return [base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in token.split(".")]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
@example(f"{b64({'alg': 'Ed25519', 'kid': KEY.thumbprint()})}.{'W1tb' * 2500}.AAAA")
def test_property_arbitrary_text_is_never_a_valid_license_file(text):
    assert not check_license_file(text, [KEY]).valid


@settings(max_examples=300, deadline=None)
@given(*(st.text(alphabet=BASE64URL, min_size=1, max_size=300) for _ in range(3)))
def test_property_three_parts_of_base64_are_never_a_valid_license_file(header, payload, signature):
    assert not check_license_file(f"{BEGIN}\n{header}.{payload}.{signature}\n{END}", [KEY]).valid


@settings(max_examples=200, deadline=None)
@given(CLAIMS, st.sampled_from(["Ed25519", "EdDSA", "none", "HS256"]))
def test_property_claims_signed_by_another_key_under_our_key_id_are_never_valid(claims, alg):
    header = {"alg": alg, "kid": KEY.thumbprint()}
    payload = json.dumps(claims).encode()
    forged = jws.serialize_compact({**header, "alg": "Ed25519"}, payload, OTHER_KEY, algorithms=["Ed25519"])
    _, _, signature = forged.split(".")
    assert not check_license_file(f"{b64(header)}.{b64(claims)}.{signature}", [KEY]).valid
    assert not check_license_file(forged, [KEY]).valid


@settings(max_examples=200, deadline=None)
@given(CLAIMS)
def test_property_our_signature_moved_onto_other_claims_is_never_valid(claims):
    header, _, signature = GENUINE.split(".")
    check = check_license_file(f"{header}.{b64(claims)}.{signature}", [KEY])
    assert not check.valid


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_property_a_genuine_file_changed_anywhere_is_valid_only_when_it_still_decodes_to_the_same_bytes(data):
    position = data.draw(st.integers(0, len(GENUINE) - 1))
    character = data.draw(st.sampled_from(BASE64URL + ". =+/\n"))
    changed = GENUINE[:position] + character + GENUINE[position + 1 :]
    if check_license_file(changed, [KEY]).valid:
        # Base64 leaves a few spare bits in a part's last character; whitespace is ignored when read.
        assert decoded("".join(changed.split())) == decoded(GENUINE)


def test_the_signed_fields_are_compact_json_with_names_kept_in_utf8(session):
    [license] = add_licenses(session, [license_fields(licensee_name="Zoë Ångström", company="Société Ærø")])
    _, payload, _ = token_of(license_file_text(license, KEY)).split(".")
    expected = (
        f'{{"license_id":{license.id},"licensee":"Zoë Ångström","company":"Société Ærø",'
        f'"email":"{license.email}","plan":"premium","users":10,"starts":"{license.starts_at.isoformat()}",'
        f'"expires":"{license.expires_at.isoformat()}","trial":false,"type":"cloud",'
        f'"issued":"{license.issued_at.isoformat()}"}}'
    )
    assert base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)) == expected.encode()


def test_each_field_is_shown_as_text_side_by_side_with_yes_or_no_for_trial(session, license):
    claims = check_license_file(license_file_text(license, KEY), [KEY]).claims
    license.trial = False
    session.add(license)
    session.commit()
    del claims["plan"]
    match = match_in_database(session=session, claims=claims)
    assert [(f.label, f.in_file, f.in_database) for f in match.fields] == [
        ("License id", str(license.id), str(license.id)),
        ("Licensee", license.licensee_name, license.licensee_name),
        ("Company", "Numbat Labs", "Numbat Labs"),
        ("Email", "ops@numbat.test", "ops@numbat.test"),
        ("Plan", "", "premium"),
        ("Users", "10", "10"),
        ("Starts", license.starts_at.isoformat(), license.starts_at.isoformat()),
        ("Expires", license.expires_at.isoformat(), license.expires_at.isoformat()),
        ("Trial", "yes", "no"),
        ("Type", "cloud", "cloud"),
        ("Issued", license.issued_at.isoformat(), license.issued_at.isoformat()),
    ]
    assert match.message == "The database has this license, but its plan, trial differ from the file's."


def test_a_file_naming_no_license_still_shows_its_fields_against_blanks(session, license):
    match = match_in_database(session=session, claims={"license_id": 10**9, "company": "X", "trial": None})
    assert [(f.label, f.in_file, f.in_database) for f in match.fields] == [
        ("License id", "1000000000", ""),
        ("Licensee", "", ""),
        ("Company", "X", ""),
        ("Email", "", ""),
        ("Plan", "", ""),
        ("Users", "", ""),
        ("Starts", "", ""),
        ("Expires", "", ""),
        ("Trial", "", ""),
        ("Type", "", ""),
        ("Issued", "", ""),
    ]


def test_a_license_with_a_large_id_is_found_by_the_file_naming_it(session):
    add_licenses(session, [license_fields(id=2**31 - 1)])
    assert match_in_database(session=session, claims={"license_id": 2**31 - 1}).license_id == 2**31 - 1


@pytest.mark.parametrize("license_id", [0, 2**31, 2**40, 2**63, 2**64])
def test_an_id_out_of_the_database_range_is_not_looked_up(session, license_id):
    # A row at id 0 exists only when written so on purpose; a file naming it is still not matched.
    add_licenses(session, [license_fields(id=0)])
    match = match_in_database(session=session, claims={"license_id": license_id})
    assert match.license_id is None
    assert match.message == "No license in the database has the id this file names."
