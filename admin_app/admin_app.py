"""The Reflex app: pages, extra HTTP routes, theme."""

import sys

import reflex as rx

from admin_app.active_marks import keep_active_license_marks
from admin_app.api import api
from admin_app.auth.gate import AuthGate, refusals_written_at_shutdown
from admin_app.components.keyboard import KEYBOARD_SCRIPT, RETURN_FOCUS_SCRIPT
from admin_app.devtools.event_timing import install_from_environment
from admin_app.mailer import send_outbox_forever
from admin_app.pages.billing_accounts import billing_account_detail_page, billing_accounts_page
from admin_app.pages.customer_detail import customer_detail_page
from admin_app.pages.customers import customers_page
from admin_app.pages.history import history_page
from admin_app.pages.license_detail import license_detail_page
from admin_app.pages.license_validation import license_validation_page
from admin_app.pages.licenses import licenses_page
from admin_app.pages.login_status import login_status_page
from admin_app.pages.memberships import memberships_page
from admin_app.pages.no_access import no_access_page
from admin_app.pages.ownership import ownership_page
from admin_app.pages.reconciliation_charts import reconciliation_charts_page
from admin_app.pages.reconciliation_detail import reconciliation_detail_page
from admin_app.pages.reconciliations import reconciliations_page
from admin_app.pages.staff_admin import audit_page, sessions_page
from admin_app.pages.subscription import subscription_page
from admin_app.pages.subscriptions import subscriptions_page
from admin_app.security_headers import with_security_headers
from admin_app.session_ends import follow_session_ends
from admin_app.state.billing_account_detail import BillingAccountDetailState
from admin_app.state.billing_accounts import BillingAccountsState
from admin_app.state.customer_detail import CustomerDetailState
from admin_app.state.customer_emails import CustomerEmailsState
from admin_app.state.customers import CustomersState
from admin_app.state.history import HistoryState
from admin_app.state.license_detail import LicenseDetailState
from admin_app.state.license_sending import LicenseSendingState
from admin_app.state.licenses import LicensesState
from admin_app.state.login_status import LoginStatusState
from admin_app.state.memberships import MembershipsState
from admin_app.state.ownership import OwnershipState
from admin_app.state.reconciliation_charts import ReconciliationChartsState
from admin_app.state.reconciliation_detail import ReconciliationDetailState
from admin_app.state.reconciliations import ReconciliationsState
from admin_app.state.staff_admin import AuditState, SessionsState
from admin_app.state.subscription import SubscriptionState
from admin_app.state.subscriptions import SubscriptionsState
from admin_app.state.user import UserState

# A worker runs its event loop and its database threads under one GIL. A thread back from the
# database waited for it up to CPython's 5 ms switch interval, at each of a query's round trips,
# whenever the event loop was busy: at 100 sessions the slowest events waited 321 ms for a database
# thread to start, and 71 ms at 0.5 ms (make load: p95 1,128 -> 910 ms, the same CPU per event).
GIL_SWITCH_INTERVAL_S = 0.0005

app = rx.App(
    head_components=[rx.script(RETURN_FOCUS_SCRIPT), rx.script(KEYBOARD_SCRIPT)],
    # Our routes first (Reflex mounts itself inside `api`), then headers on every response.
    api_transformer=[api, with_security_headers],
    html_lang="en",
    stylesheets=["/contrast.css", "/tables.css", "/keyboard.css"],
)
app.add_middleware(AuthGate())
app.register_lifespan_task(send_outbox_forever)
app.register_lifespan_task(keep_active_license_marks)
app.register_lifespan_task(refusals_written_at_shutdown)
app.register_lifespan_task(follow_session_ends)
install_from_environment()
sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)


def index_page() -> rx.Component:
    return rx.fragment()


app.add_page(index_page, route="/", on_load=rx.redirect("/licenses", replace=True), title="Customer Admin")
app.add_page(
    licenses_page,
    route="/licenses",
    on_load=[UserState.load, LicensesState.load],
    title="Licenses · Customer Admin",
)
app.add_page(
    license_validation_page,
    route="/licenses/validate",
    on_load=UserState.load,
    title="Validate a license file · Customer Admin",
)
app.add_page(
    license_detail_page,
    route="/licenses/[license_id]",
    on_load=[UserState.load, LicenseDetailState.load, LicenseSendingState.load],
    title="License · Customer Admin",
)
app.add_page(
    subscriptions_page,
    route="/subscriptions",
    on_load=[UserState.load, SubscriptionsState.load],
    title="Subscriptions · Customer Admin",
)
app.add_page(
    subscription_page,
    route="/subscriptions/[subscription_name]",
    on_load=[UserState.load, SubscriptionState.load],
    title="Subscription · Customer Admin",
)
app.add_page(
    reconciliations_page,
    route="/reconciliations",
    on_load=[UserState.load, ReconciliationsState.load],
    title="Reconciliations · Customer Admin",
)
app.add_page(
    reconciliation_charts_page,
    route="/reconciliations/charts",
    on_load=[UserState.load, ReconciliationChartsState.load],
    title="Reconciliation charts · Customer Admin",
)
app.add_page(
    reconciliation_detail_page,
    route="/reconciliations/[reconciliation_id]",
    on_load=[UserState.load, ReconciliationDetailState.load],
    title="Reconciliation · Customer Admin",
)
app.add_page(
    customers_page,
    route="/customers",
    on_load=[UserState.load, CustomersState.load],
    title="Customers · Customer Admin",
)
app.add_page(
    customer_detail_page,
    route="/customers/[customer_id]",
    on_load=[UserState.load, CustomerDetailState.load, CustomerEmailsState.load],
    title="Customer · Customer Admin",
)
app.add_page(
    memberships_page,
    route="/memberships",
    on_load=[UserState.load, MembershipsState.load],
    title="Memberships · Customer Admin",
)
app.add_page(
    history_page,
    route="/history",
    on_load=[UserState.load, HistoryState.load],
    title="History · Customer Admin",
)
app.add_page(
    billing_accounts_page,
    route="/billing-accounts",
    on_load=[UserState.load, BillingAccountsState.load],
    title="Billing accounts · Customer Admin",
)
app.add_page(
    billing_account_detail_page,
    route="/billing-accounts/[billing_account_id]",
    on_load=[UserState.load, BillingAccountDetailState.load],
    title="Billing account · Customer Admin",
)
app.add_page(
    ownership_page,
    route="/billing-accounts/[billing_account_id]/owner",
    on_load=[UserState.load, OwnershipState.load],
    title="Change owner · Customer Admin",
)
app.add_page(
    login_status_page,
    route="/login-status",
    on_load=[UserState.load, LoginStatusState.load],
    title="Login status · Customer Admin",
)
app.add_page(no_access_page, route="/no-access", on_load=UserState.load, title="No access · Customer Admin")
app.add_page(
    sessions_page,
    route="/admin/sessions",
    on_load=[UserState.load, SessionsState.load],
    title="Staff sessions · Customer Admin",
)
app.add_page(
    audit_page,
    route="/audit",
    on_load=[UserState.load, AuditState.load],
    title="Sign-in audit · Customer Admin",
)
