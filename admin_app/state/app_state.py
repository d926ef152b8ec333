"""The parent of every page's state: what the tab holds was loaded for one staff session.

Reflex keys a page's state by the browser tab, not by the person signed in. The gate compares
`_staff_session` with the session behind each event and empties every app state when they differ
(sign-out, another person signing in in the same tab, a revoked or expired session).
"""

import reflex as rx


class AppState(rx.State):
    """Holds only the binding; the pages' states are its substates."""

    # Hash of the staff session the tab's data was loaded under ("" when none); never sent to the browser.
    _staff_session: str = ""
