"""The Reflex app: pages, extra HTTP routes, theme."""

import sys

import reflex as rx

from admin_app.auth.gate import AuthGate, refusals_written_at_shutdown
from admin_app.background.active_marks import keep_active_license_marks
from admin_app.background.mailer import send_outbox_forever
from admin_app.background.session_ends import follow_session_ends
from admin_app.components.keyboard import KEYBOARD_SCRIPT, RETURN_FOCUS_SCRIPT
from admin_app.components.layout import SIDEBAR_CHOICE_SCRIPT
from admin_app.devtools.event_timing import install_from_environment
from admin_app.pages.table import PAGES, full_title
from admin_app.state.user import UserState
from admin_app.web.api import api
from admin_app.web.security_headers import with_security_headers

# A worker runs its event loop and its database threads under one GIL. A thread back from the
# database waited for it up to CPython's 5 ms switch interval, at each of a query's round trips,
# whenever the event loop was busy: at 100 sessions the slowest events waited 321 ms for a database
# thread to start, and 71 ms at 0.5 ms (make load: p95 1,128 -> 910 ms, the same CPU per event).
GIL_SWITCH_INTERVAL_S = 0.0005

app = rx.App(
    head_components=[
        rx.script(SIDEBAR_CHOICE_SCRIPT),
        rx.script(RETURN_FOCUS_SCRIPT),
        rx.script(KEYBOARD_SCRIPT),
    ],
    # Our routes first (Reflex mounts itself inside `api`), then headers on every response.
    api_transformer=[api, with_security_headers],
    html_lang="en",
    stylesheets=["/contrast.css", "/tables.css", "/keyboard.css", "/layout.css"],
)
app.add_middleware(AuthGate())
app.register_lifespan_task(send_outbox_forever)
app.register_lifespan_task(keep_active_license_marks)
app.register_lifespan_task(refusals_written_at_shutdown)
app.register_lifespan_task(follow_session_ends)
install_from_environment()
sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)

for page in PAGES:
    app.add_page(
        page.layout,
        route=page.route,
        on_load=[UserState.load, *page.loads],
        title=full_title(page),
    )
