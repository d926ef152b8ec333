"""The role table of DESIGN.md, and reading roles from groups."""

import pytest

from admin_app.auth.permissions import Permission, is_allowed, parse_role_groups, roles_for_groups, start_page

CONFIGURED = (
    "sales:customer-admin-sales,support:customer-admin-support,manager:customer-admin-managers,"
    "admin:customer-admin-admins,admin:okta-superusers"
)


@pytest.mark.parametrize(
    ("permission", "allowed_roles"),
    [
        (Permission.LICENSES_READ, {"sales", "support", "manager", "admin"}),
        (Permission.RECONCILIATIONS_READ, {"sales", "support", "manager", "admin"}),
        (Permission.CUSTOMERS_READ, {"sales", "support", "manager", "admin"}),
        (Permission.EXPORT, {"sales", "support", "manager", "admin"}),
        (Permission.CUSTOMERS_EDIT, {"support", "admin"}),
        (Permission.MEMBERSHIPS_EDIT, {"support", "admin"}),
        (Permission.LOGIN_STATUS_EDIT, {"support", "admin"}),
        (Permission.AUDIT_READ, {"support", "admin"}),
        (Permission.SESSIONS_ADMIN, {"admin"}),
        # Managers watch the failed-reconciliation queue; support works it off.
        (Permission.FAILURES_READ, {"support", "manager", "admin"}),
        (Permission.FAILURES_WORK, {"support", "manager", "admin"}),
        (Permission.RECONCILIATIONS_PAUSE, {"support", "admin"}),
        # Sales, support and admin download and validate license files; managers read charts.
        (Permission.LICENSE_FILES, {"sales", "support", "admin"}),
    ],
)
def test_each_permission_goes_to_exactly_the_roles_of_the_design(permission, allowed_roles):
    assert {
        r for r in ("sales", "support", "manager", "admin") if is_allowed([r], permission)
    } == allowed_roles
    assert not is_allowed([], permission)
    assert not is_allowed(["root"], permission)


def test_roles_come_from_the_groups_claim():
    ROLE_GROUPS = parse_role_groups(CONFIGURED)
    assert roles_for_groups(["customer-admin-sales"], ROLE_GROUPS) == ("sales",)
    assert roles_for_groups(["okta-superusers", "customer-admin-support"], ROLE_GROUPS) == (
        "support",
        "admin",
    )
    assert roles_for_groups(["Everyone", "customer-admin-sales-old"], ROLE_GROUPS) == ()
    assert roles_for_groups([], ROLE_GROUPS) == ()


@pytest.mark.parametrize("text", ["root:okta-root", "sales", "sales:", "Sales:x"])
def test_role_groups_with_unknown_roles_are_refused(text):
    with pytest.raises(ValueError, match="ROLE_GROUPS"):
        parse_role_groups(text)


def test_role_groups_are_read_as_role_colon_group_pairs():
    assert parse_role_groups(" sales : a , admin:b,, admin:c ,support:d:e,") == {
        "sales": frozenset({"a"}),
        "admin": frozenset({"b", "c"}),
        "support": frozenset({"d:e"}),
    }
    assert parse_role_groups("") == {}


def test_roles_without_a_configured_group_are_granted_to_no_one():
    assert roles_for_groups(["staff", "admins"], parse_role_groups("sales:staff")) == ("sales",)
    assert roles_for_groups(["staff"], {}) == ()


@pytest.mark.parametrize(
    ("roles", "page"),
    [
        (("sales",), "/licenses"),
        (("support",), "/customers"),
        (("manager",), "/reconciliations/charts"),
        (("admin",), "/customers"),
        # Several roles: the first in the order of ROLES, whatever order they come in.
        (("manager", "sales"), "/licenses"),
        (("admin", "manager"), "/reconciliations/charts"),
        (("unknown-role", "manager"), "/reconciliations/charts"),
        ((), "/no-access"),
        (("unknown-role",), "/no-access"),
    ],
)
def test_each_role_starts_on_the_page_it_uses_most(roles, page):
    assert start_page(roles) == page
