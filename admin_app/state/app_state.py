"""The parent of every page's state: what the tab holds was loaded for one staff session.

Reflex keys a page's state by the browser tab, not by the person signed in. The gate compares
`_staff_session` and `_staff_roles` with the session behind each event and its roles, and empties every
app state when they differ (sign-out, another person signing in in the same tab, a revoked or expired
session, roles changed at the identity provider).
"""

import reflex as rx


class AppState(rx.State):
    """Holds only the binding; the pages' states are its substates."""

    # Hash of the staff session the tab's data was loaded under ("" when none); never sent to the browser.
    _staff_session: str = ""
    # The roles it was loaded under: a change of roles empties the tab as a change of session does.
    _staff_roles: tuple[str, ...] = ()
