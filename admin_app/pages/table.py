"""Every page of the app, once: its route, layout, title and the states it loads. The app registers
its pages from this table, and the browser tests loop over it (accessibility in both themes), so a page
added here is checked with the others."""

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx
from reflex.event import EventType

from admin_app.pages.billing_accounts import billing_account_detail_page, billing_accounts_page
from admin_app.pages.customer_detail import customer_detail_page
from admin_app.pages.customers import customers_page
from admin_app.pages.failure_queue import failure_queue_page
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
from admin_app.state.billing_account_detail import BillingAccountDetailState
from admin_app.state.billing_accounts import BillingAccountsState
from admin_app.state.customer_detail import CustomerDetailState
from admin_app.state.customer_emails import CustomerEmailsState
from admin_app.state.customers import CustomersState
from admin_app.state.failure_queue import FailureQueueState
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

APP_NAME = "Customer Admin"


@dataclass(frozen=True)
class Page:
    """A page: `loads` run on every visit, after the signed-in person's is read. A route's [segment]
    names the record it shows."""

    route: str
    layout: Callable[[], rx.Component]
    title: str
    loads: tuple[EventType[()], ...] = ()
    # False for the pages staff with a role never stay on: the start page redirects, and /no-access is
    # for people with no role.
    staff_page: bool = True


def _index() -> rx.Component:
    return rx.fragment()


PAGES = (
    Page("/", _index, APP_NAME, (UserState.go_to_start_page,), staff_page=False),
    Page("/licenses", licenses_page, "Licenses", (LicensesState.load,)),
    Page("/licenses/validate", license_validation_page, "Validate a license file"),
    Page(
        "/licenses/[license_id]",
        license_detail_page,
        "License",
        (LicenseDetailState.load, LicenseSendingState.load),
    ),
    Page("/subscriptions", subscriptions_page, "Subscriptions", (SubscriptionsState.load,)),
    Page("/subscriptions/[subscription_name]", subscription_page, "Subscription", (SubscriptionState.load,)),
    Page("/reconciliations", reconciliations_page, "Reconciliations", (ReconciliationsState.load,)),
    Page(
        "/reconciliations/charts",
        reconciliation_charts_page,
        "Reconciliation charts",
        (ReconciliationChartsState.load,),
    ),
    Page(
        "/reconciliations/failures",
        failure_queue_page,
        "Failed reconciliations",
        (FailureQueueState.load,),
    ),
    Page(
        "/reconciliations/[reconciliation_id]",
        reconciliation_detail_page,
        "Reconciliation",
        (ReconciliationDetailState.load,),
    ),
    Page("/customers", customers_page, "Customers", (CustomersState.load,)),
    Page(
        "/customers/[customer_id]",
        customer_detail_page,
        "Customer",
        (CustomerDetailState.load, CustomerEmailsState.load),
    ),
    Page("/memberships", memberships_page, "Memberships", (MembershipsState.load,)),
    Page("/history", history_page, "History", (HistoryState.load,)),
    Page("/billing-accounts", billing_accounts_page, "Billing accounts", (BillingAccountsState.load,)),
    Page(
        "/billing-accounts/[billing_account_id]",
        billing_account_detail_page,
        "Billing account",
        (BillingAccountDetailState.load,),
    ),
    Page(
        "/billing-accounts/[billing_account_id]/owner", ownership_page, "Change owner", (OwnershipState.load,)
    ),
    Page("/login-status", login_status_page, "Login status", (LoginStatusState.load,)),
    Page("/no-access", no_access_page, "No access", staff_page=False),
    Page("/admin/sessions", sessions_page, "Staff sessions", (SessionsState.load,)),
    Page("/audit", audit_page, "Sign-in audit", (AuditState.load,)),
)


def full_title(page: Page) -> str:
    return page.title if page.title == APP_NAME else f"{page.title} · {APP_NAME}"
