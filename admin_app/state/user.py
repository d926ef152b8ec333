"""Who is signed in, for the header and the no-access page."""

import reflex as rx

from admin_app.auth.gate import SIGNED_IN, requires
from admin_app.auth.identity import identity_for_cookie_header
from admin_app.auth.permissions import Permission, is_allowed, parse_role_groups, start_page
from admin_app.settings import get_settings
from admin_app.state.app_state import AppState
from admin_app.state.events import Replies, Reply
from admin_app.state.saved_views import SavedViewsState


class UserState(AppState):
    """The signed-in staff member (the gate has checked the session before any handler runs)."""

    email: str = ""
    name: str = ""
    roles: list[str] = []
    permissions: rx.Field[list[str]] = rx.field(default_factory=list)
    granting_groups: list[str] = []

    @rx.var
    def role_label(self) -> str:
        """Roles as the header shows them, e.g. "Support"."""
        return ", ".join(role.capitalize() for role in self.roles) or "No access"

    @rx.event
    @requires(SIGNED_IN)
    async def load(self) -> Replies:
        identity = await identity_for_cookie_header(self.router.headers.cookie)
        if identity is None:
            return
        self.email, self.name, self.roles = identity.email, identity.name, list(identity.roles)
        self.permissions = sorted(p.value for p in Permission if is_allowed(identity.roles, p))
        role_groups = parse_role_groups(get_settings().ROLE_GROUPS)
        self.granting_groups = sorted(group for groups in role_groups.values() for group in groups)
        await (await self.get_state(SavedViewsState))._load_once(identity.subject)
        if not identity.roles and self.router.url.path.rstrip("/") != "/no-access":
            yield rx.redirect("/no-access", replace=True)

    @rx.event
    @requires(SIGNED_IN)
    def go_to_start_page(self) -> Reply:
        """The start page ("/") sends each person on to the page their role uses most (after `load`,
        which sends someone with no role to /no-access)."""
        return rx.redirect(start_page(self.roles), replace=True) if self.roles else None
