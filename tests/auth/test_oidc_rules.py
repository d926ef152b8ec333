"""The rules applied to what the identity provider sends, each on its own: which audience names this app,
when the ID token is too thin and userinfo is asked, and where the browser may return after sign-in."""

import pytest

from admin_app.auth.oidc import lacks_identity_claims, names_this_client, roles_from_claims, safe_next
from admin_app.settings import Settings


@pytest.mark.parametrize(
    ("aud", "names_us"),
    [
        ("customer-admin", True),
        (["other-app", "customer-admin"], True),
        ("customer-admin-other", False),
        (["other-app"], False),
        # Only a string or a list is an audience; anything else containing the id is not.
        (("customer-admin",), False),
        ({"customer-admin": True}, False),
        (None, False),
        (42, False),
    ],
)
def test_only_a_string_or_list_audience_naming_the_client_id_names_this_app(aud, names_us):
    assert names_this_client({"aud": aud}, Settings(OIDC_CLIENT_ID="customer-admin")) is names_us


FULL = {"sub": "u1", "email": "sam@example.com", "name": "Sam", "roles": ["customer-admin-sales"]}


@pytest.mark.parametrize(
    ("missing", "thin"),
    [(None, False), ("email", True), ("name", True), ("roles", True), ("sub", False)],
)
def test_a_token_is_thin_when_email_name_or_the_configured_groups_claim_is_missing(missing, thin):
    claims = {name: value for name, value in FULL.items() if name != missing}
    assert lacks_identity_claims(claims, Settings(OIDC_GROUPS_CLAIM="roles")) is thin


def test_an_empty_identity_claim_makes_a_token_thin_as_a_missing_one_does():
    settings = Settings(OIDC_GROUPS_CLAIM="roles")
    assert lacks_identity_claims({**FULL, "name": ""}, settings) is True
    assert lacks_identity_claims({**FULL, "roles": []}, settings) is True


@pytest.mark.parametrize(
    ("asked", "returned"),
    [
        ("/customers/7?tab=emails", "/customers/7?tab=emails"),
        ("/", "/"),
        ("/customers?q=a b", "/customers?q=a b"),
        (None, "/"),
        ("", "/"),
        ("licenses", "/"),
        ("//evil.example/x", "/"),
        # Browsers read three slashes as two: another host.
        ("///evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("/ok\x00", "/"),
        ("/ok\nLocation: https://evil.example", "/"),
    ],
)
def test_only_a_path_on_this_app_is_returned_to_after_sign_in(asked, returned):
    assert safe_next(asked) == returned


@pytest.mark.parametrize(
    ("groups", "roles"),
    [
        (["staff-support", "Everyone", "staff-admin"], ("support", "admin")),
        # A provider that sends a single group as a string.
        ("staff-sales", ("sales",)),
        ([], ()),
        (None, ()),
        ([42], ("manager",)),
        # A claim that is neither a group nor a list of them grants nothing.
        (42, ()),
        ({"staff-admin": True}, ()),
    ],
)
def test_roles_are_read_from_the_configured_groups_claim(groups, roles):
    settings = Settings(
        OIDC_GROUPS_CLAIM="roles",
        ROLE_GROUPS="sales:staff-sales,support:staff-support,admin:staff-admin,manager:42",
    )
    claims = {"groups": ["staff-admin"], "roles": groups}
    assert roles_from_claims(claims, settings) == roles
