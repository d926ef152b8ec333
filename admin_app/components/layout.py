"""The shell every page lives in: sidebar navigation, header, light/dark toggle."""

from dataclasses import dataclass

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars import Var, VarData

from admin_app.auth.permissions import Permission
from admin_app.components.access import may
from admin_app.components.palette import open_palette_button, palette
from admin_app.components.saved_views import saved_view_dialogs, saved_view_links
from admin_app.state.user import UserState


@dataclass(frozen=True)
class NavItem:
    """One area of the app in the sidebar; only areas that exist are listed."""

    label: str
    href: str
    icon: str
    permission: Permission
    # `g` then this key goes there (components/keyboard.py).
    key: str


NAV_ITEMS = (
    NavItem("Licenses", "/licenses", "key-round", Permission.LICENSES_READ, "l"),
    NavItem("Validate license", "/licenses/validate", "file-check", Permission.LICENSE_FILES, "v"),
    NavItem("Subscriptions", "/subscriptions", "repeat", Permission.LICENSES_READ, "s"),
    NavItem("Reconciliations", "/reconciliations", "receipt", Permission.RECONCILIATIONS_READ, "r"),
    NavItem("Charts", "/reconciliations/charts", "chart-column", Permission.RECONCILIATIONS_READ, "t"),
    NavItem(
        "Failed reconciliations", "/reconciliations/failures", "triangle-alert", Permission.FAILURES_READ, "f"
    ),
    NavItem("Customers", "/customers", "contact", Permission.CUSTOMERS_READ, "c"),
    NavItem("Billing accounts", "/billing-accounts", "building-2", Permission.CUSTOMERS_READ, "b"),
    NavItem("Memberships", "/memberships", "link", Permission.CUSTOMERS_READ, "m"),
    NavItem("Login status", "/login-status", "user-x", Permission.CUSTOMERS_READ, "i"),
    NavItem("History", "/history", "history", Permission.CUSTOMERS_READ, "h"),
    NavItem("Sign-in audit", "/audit", "scroll-text", Permission.AUDIT_READ, "a"),
    NavItem("Staff sessions", "/admin/sessions", "users", Permission.SESSIONS_ADMIN, "e"),
)


# The page's path as the browser's router has it. The server's `router` state would do as well, but it
# changes with every search (the query string is part of it), and the whole sidebar was drawn again
# for each one; this changes only when the page does.
PAGE_PATH = Var(
    _js_expr="page_path",
    _var_type=str,
    _var_data=VarData(
        imports={"react-router": [ImportVar(tag="useLocation")]},
        hooks={"const page_path = useLocation().pathname": None},
    ),
).guess_type()


def _nav_link(item: NavItem) -> rx.Component:
    active = PAGE_PATH.startswith(item.href)
    # The longest matching item wins: /reconciliations/charts is not the Reconciliations table.
    for other in NAV_ITEMS:
        if other.href.startswith(item.href + "/"):
            active = active & ~PAGE_PATH.startswith(other.href)
    link = rx.link(
        rx.hstack(
            rx.icon(item.icon, size=16, flex_shrink="0"),
            rx.text(item.label, size="2", class_name="nav-label"),
            align="center",
            spacing="2",
        ),
        href=item.href,
        title=item.label,
        underline="none",
        padding_x="0.75rem",
        padding_y="0.5rem",
        border_radius="var(--radius-2)",
        width="100%",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("gray", 3)},
        aria_current=rx.cond(active, "page", "false"),
    )
    # Shown to roles that may use it; the server refuses everyone else either way.
    return rx.cond(
        may(item.permission),
        rx.vstack(
            link, rx.box(saved_view_links(item.href), class_name="nav-extra"), spacing="0", width="100%"
        ),
    )


# The sidebar folds to its icons (assets/layout.css): as the person chose with its button, remembered in
# this browser, else folded on a screen narrower than 1100 px. The page's root element carries it, set
# before the page is drawn, so a folded sidebar never flashes open.
SIDEBAR_CHOICE_SCRIPT = """
(() => {
  let chosen = null;
  try { chosen = window.localStorage.getItem("sidebar"); } catch (e) {}
  const narrow = window.matchMedia("(max-width: 1100px)").matches;
  document.documentElement.dataset.sidebar =
    chosen === "folded" || chosen === "unfolded" ? chosen : narrow ? "folded" : "unfolded";
})()
"""
TOGGLE_SIDEBAR_SCRIPT = """
(() => {
  const root = document.documentElement;
  root.dataset.sidebar = root.dataset.sidebar === "folded" ? "unfolded" : "folded";
  try { window.localStorage.setItem("sidebar", root.dataset.sidebar); } catch (e) {}
})()
"""


def sidebar() -> rx.Component:
    fold = rx.icon_button(
        rx.icon("panel-left", size=16),
        variant="ghost",
        color_scheme="gray",
        size="1",
        aria_label="Fold or unfold the sidebar",
        title="Fold or unfold the sidebar",
        on_click=rx.call_script(TOGGLE_SIDEBAR_SCRIPT),
        data_testid="fold-sidebar",
    )
    return rx.el.nav(
        rx.hstack(
            rx.icon("shield-check", size=20, color=rx.color("accent", 10), flex_shrink="0"),
            rx.text("Customer Admin", size="3", weight="bold", white_space="nowrap", class_name="nav-label"),
            rx.spacer(class_name="nav-extra"),
            fold,
            align="center",
            spacing="2",
            padding="0.75rem",
            class_name="sidebar-top",
        ),
        rx.vstack(*[_nav_link(item) for item in NAV_ITEMS], spacing="1", width="100%"),
        aria_label="Pages",
        class_name="sidebar",
        display="flex",
        flex_direction="column",
        gap="var(--space-4)",
        width="14rem",
        min_width="14rem",
        height="100vh",
        overflow_y="auto",
        position="sticky",
        top="0",
        padding="0.75rem",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
    )


# A POST from the app's own page (a cross-site link cannot sign anyone out), as a full page load:
# /auth/logout is an HTTP route. Reflex's forms always prevent the browser's own submit.
SIGN_OUT_SCRIPT = (
    "const form = document.createElement('form'); form.method = 'post'; form.action = '/auth/logout';"
    " document.body.appendChild(form); form.submit();"
)


def sign_out_button(**props) -> rx.Component:
    return rx.button(
        rx.icon("log-out", size=14),
        "Sign out",
        variant="soft",
        color_scheme="gray",
        on_click=rx.call_script(SIGN_OUT_SCRIPT),
        **props,
    )


def signed_in_as() -> rx.Component:
    """Who is signed in, their role, and Sign out.

    Nothing shows until the server has named the staff member, so a visitor on the way to
    sign in never sees "No access" or a Sign out button.
    """
    signed_in = rx.hstack(
        rx.vstack(
            rx.text(UserState.name, size="2", weight="medium"),
            rx.text(UserState.email, size="1", color=rx.color("gray", 11)),
            spacing="0",
            align="end",
        ),
        rx.badge(UserState.role_label, variant="soft", data_testid="signed-in-role"),
        sign_out_button(size="1"),
        align="center",
        spacing="3",
        # Stays at the right end when a narrow header wraps it onto a line of its own.
        margin_left="auto",
    )
    return rx.cond(UserState.email != "", signed_in)


def only_for(permission: Permission, *children: rx.Component) -> rx.Component:
    """`children` for roles with `permission`; for others, once the server has named them, a plain word
    in place of an empty table (the server has refused their load either way)."""
    refused = rx.callout(
        rx.text("Your role (", UserState.role_label, ") may not see this page. Ask an admin if you need it."),
        icon="lock",
        color_scheme="gray",
    )
    return rx.cond(
        may(permission),
        rx.fragment(*children),
        rx.cond(UserState.email != "", refused),
    )


def page_shell(
    title: str,
    *children: rx.Component,
    actions: rx.Component | None = None,
    needs: Permission | None = None,
) -> rx.Component:
    """A page with the sidebar, a header with its title, and the colour-mode toggle; a page that `needs` a
    permission not every role has shows the others why it is empty."""
    body = [only_for(needs, *children)] if needs else list(children)
    header = rx.el.header(
        rx.hstack(
            rx.heading(title, size="6", as_="h1"),
            rx.spacer(),
            actions or rx.fragment(),
            rx.cond(UserState.email != "", open_palette_button()),
            rx.color_mode.button(variant="ghost", aria_label="Toggle light and dark mode"),
            signed_in_as(),
            align="center",
            width="100%",
            spacing="3",
            wrap="wrap",
        ),
        width="100%",
    )
    return rx.hstack(
        rx.el.a("Skip to content", href="#main", class_name="skip-link"),
        sidebar(),
        palette(),
        saved_view_dialogs(),
        rx.vstack(
            header,
            rx.el.main(
                rx.vstack(*body, width="100%", spacing="4"),
                id="main",
                tab_index=-1,
                # Busy until the page's own data has loaded; which address that data is for (a page
                # opened inside the app shows the last page's data until its own arrives).
                aria_busy=rx.cond(rx.State.is_hydrated, "false", "true"),
                data_url=rx.State.router.url,
                width="100%",
                outline="none",
            ),
            width="100%",
            min_width="0",
            padding="1.25rem 1.5rem",
            spacing="4",
        ),
        spacing="0",
        align="start",
        width="100%",
        min_height="100vh",
    )
