"""Who may do what (DESIGN.md's role table), decided on the server; no Reflex imports."""

from collections.abc import Iterable
from enum import StrEnum

ROLES = ("sales", "support", "manager", "admin")


class Permission(StrEnum):
    """What an event handler or route may be declared to need."""

    LICENSES_READ = "licenses:read"
    RECONCILIATIONS_READ = "reconciliations:read"
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_EDIT = "customers:edit"
    MEMBERSHIPS_EDIT = "memberships:edit"
    LOGIN_STATUS_EDIT = "login_status:edit"
    EXPORT = "export"
    # Download a license file, and validate one pasted from a ticket.
    LICENSE_FILES = "license_files"
    AUDIT_READ = "audit:read"
    SESSIONS_ADMIN = "sessions:admin"
    # The failed-reconciliation queue: reading it, and taking, noting and closing failures.
    FAILURES_READ = "failures:read"
    FAILURES_WORK = "failures:work"
    # Pausing a subscription's reconciliations until a date, and lifting the pause.
    RECONCILIATIONS_PAUSE = "reconciliations:pause"


EVERYONE = frozenset(
    {
        Permission.LICENSES_READ,
        Permission.RECONCILIATIONS_READ,
        Permission.CUSTOMERS_READ,
        Permission.EXPORT,
    }
)
SUPPORT_WORK = frozenset(
    {
        Permission.CUSTOMERS_EDIT,
        Permission.MEMBERSHIPS_EDIT,
        Permission.LOGIN_STATUS_EDIT,
        Permission.AUDIT_READ,
        Permission.FAILURES_READ,
        Permission.FAILURES_WORK,
        Permission.RECONCILIATIONS_PAUSE,
    }
)
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "sales": EVERYONE | {Permission.LICENSE_FILES},
    "manager": EVERYONE | {Permission.FAILURES_READ, Permission.FAILURES_WORK},
    "support": EVERYONE | SUPPORT_WORK | {Permission.LICENSE_FILES},
    "admin": EVERYONE | SUPPORT_WORK | {Permission.LICENSE_FILES, Permission.SESSIONS_ADMIN},
}


def parse_role_groups(text: str) -> dict[str, frozenset[str]]:
    """`role:group,role:group2` -> role -> groups; unknown roles are a configuration error."""
    mapping: dict[str, set[str]] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        role, _, group = pair.partition(":")
        role, group = role.strip(), group.strip()
        if role not in ROLES or not group:
            raise ValueError(f"ROLE_GROUPS entry {pair!r} must be role:group with a role among {ROLES}")
        mapping.setdefault(role, set()).add(group)
    return {role: frozenset(groups) for role, groups in mapping.items()}


def roles_for_groups(groups: Iterable[str], role_groups: dict[str, frozenset[str]]) -> tuple[str, ...]:
    """The roles a member of `groups` has, in the order of ROLES."""
    member_of = set(groups)
    return tuple(role for role in ROLES if role_groups.get(role, frozenset()) & member_of)


# The page each role uses most, where the start page ("/") sends it: managers read the charts, support
# works on customers, sales look up licenses. Someone with several roles starts where the first of
# them (in the order of ROLES) does.
START_PAGES = {
    "sales": "/licenses",
    "support": "/customers",
    "manager": "/reconciliations/charts",
    "admin": "/customers",
}


def start_page(roles: Iterable[str]) -> str:
    """Where someone with `roles` starts; no role starts nowhere ("/no-access")."""
    held = set(roles)
    return next((START_PAGES[role] for role in ROLES if role in held), "/no-access")


def is_allowed(roles: Iterable[str], permission: Permission) -> bool:
    """True when any of `roles` grants `permission`."""
    return any(permission in ROLE_PERMISSIONS.get(role, frozenset()) for role in roles)
