"""State of the subscription page: its billing account, terms, licenses, reconciliations and the pause of
them in force."""

import reflex as rx
from sqlmodel import Session

from admin_app.auth.gate import requires
from admin_app.auth.identity import identity_for_cookie_header
from admin_app.auth.permissions import Permission, is_allowed
from admin_app.db.licenses import search as license_db
from admin_app.db.reconciliations.search import reconciliations_of_account
from admin_app.db.subscriptions import detail as db
from admin_app.db.subscriptions.pauses import active_pause, pause_summary
from admin_app.state.app_state import AppState
from admin_app.state.events import Replies
from admin_app.state.license_detail import path_tail
from admin_app.state.loading import DetailPageState
from admin_app.state.views import (
    AccountView,
    LicenseView,
    ReconciliationView,
    SubscriptionView,
    billing_account_view,
    license_view,
    reconciliation_view,
    subscription_view,
)

Read = tuple[SubscriptionView, AccountView, list[LicenseView], list[ReconciliationView], str]


class SubscriptionState(DetailPageState, AppState):
    """One subscription by name."""

    subscription: SubscriptionView = SubscriptionView()
    account: AccountView = AccountView()
    licenses: list[LicenseView] = []
    reconciliations: list[ReconciliationView] = []
    # The pause of its reconciliations in force, in words; empty when none is.
    reconciliation_pause: str = ""

    @rx.event
    @requires(Permission.LICENSES_READ)
    async def load(self) -> Replies:
        name = path_tail(self.router.url.path)[:20]
        today = license_db.today_utc()
        identity = await identity_for_cookie_header(self.router.headers.cookie)
        # The page needs licenses:read; its reconciliations are shown to roles that may read those too.
        with_reconciliations = bool(identity and is_allowed(identity.roles, Permission.RECONCILIATIONS_READ))

        def fetch(session: Session) -> Read:
            found = db.get_subscription_by_name(session=session, name=name)
            if found is None:
                return SubscriptionView(), AccountView(), [], [], ""
            account = db.get_billing_account(session=session, billing_account_id=found.billing_account_id)
            rows = license_db.licenses_of_subscription(session=session, subscription_name=found.name)
            active = license_db.active_license_ids(
                session=session, companies={r.company for r in rows}, today=today
            )
            reconciliations = (
                reconciliations_of_account(
                    session=session, billing_account_id=found.billing_account_id, subscription_name=found.name
                )
                if with_reconciliations
                else []
            )
            pause = (
                active_pause(session, subscription_name=found.name, today=today)
                if with_reconciliations
                else None
            )
            return (
                subscription_view(found, db.is_read_only(found)),
                billing_account_view(account),
                [license_view(r, active, today) for r in rows],
                [reconciliation_view(r) for r in reconciliations],
                pause_summary(pause) if pause else "",
            )

        def show(read: Read) -> bool:
            (
                self.subscription,
                self.account,
                self.licenses,
                self.reconciliations,
                self.reconciliation_pause,
            ) = read
            return bool(self.subscription.name)

        async for update in self._read(fetch, show):
            yield update
