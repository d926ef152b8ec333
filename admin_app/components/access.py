"""What the signed-in person may do, as a page shows it: controls they may not use are not drawn.
Hiding is for the eye only; the server checks each event's permission itself (auth.gate)."""

from reflex.vars import Var

from admin_app.auth.permissions import Permission
from admin_app.state.user import UserState


def may(permission: Permission) -> Var[bool]:
    """True in the browser when the person's roles grant `permission`."""
    return UserState.permissions.contains(permission.value)
