"""State of the subscription page: its billing account, terms, licenses, reconciliations and the pause of
them in force."""

from datetime import UTC, date, datetime

import reflex as rx
from sqlmodel import Session

from admin_app.auth.gate import requires
from admin_app.auth.identity import identity_for_cookie_header
from admin_app.auth.permissions import Permission, is_allowed
from admin_app.db.licenses import search as license_db
from admin_app.db.outcomes import Outcome
from admin_app.db.reconciliations.search import reconciliations_of_account
from admin_app.db.subscriptions import detail as db
from admin_app.db.subscriptions.pauses import (
    active_pause,
    lift_pause,
    pause_reconciliations,
    pause_summary,
)
from admin_app.state.app_state import AppState
from admin_app.state.events import Payload, Replies
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
from admin_app.state.writes import acting_staff, attempt, form_text

Read = tuple[SubscriptionView, AccountView, list[LicenseView], list[ReconciliationView], str]


class SubscriptionState(DetailPageState, AppState):
    """One subscription by name."""

    subscription: SubscriptionView = SubscriptionView()
    account: AccountView = AccountView()
    licenses: list[LicenseView] = []
    reconciliations: list[ReconciliationView] = []
    # The pause of its reconciliations in force, in words; empty when none is.
    reconciliation_pause: str = ""
    # The pause form ("pause"), the lift form ("lift") or neither (""), and what the server said of it.
    pause_dialog: str = ""
    pause_message: str = ""
    until_error: str = ""
    ticket_error: str = ""
    reason_error: str = ""

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

    @rx.event
    @requires(Permission.RECONCILIATIONS_PAUSE)
    def show_pause_dialog(self, which: str) -> None:
        """Open the pause or the lift form, or close either."""
        self.pause_dialog = which if which in ("pause", "lift") else ""
        self.pause_message = self.until_error = self.ticket_error = self.reason_error = ""

    @rx.event
    @requires(Permission.RECONCILIATIONS_PAUSE)
    async def pause(self, form: Payload) -> Replies:
        """Pause this subscription's reconciliations until the chosen day, with a ticket and a reason."""
        name, actor = self.subscription.name, await acting_staff(self)
        until = _day(form_text(form, "until"))

        def write(session: Session) -> Outcome[str]:
            done = pause_reconciliations(
                session,
                subscription_name=name,
                until=until,
                reason=form_text(form, "reason"),
                ticket=form_text(form, "ticket"),
                actor=actor,
                now=datetime.now(UTC),
            )
            return Outcome(value=pause_summary(done.value)) if done.value else done.passed_on()

        async for reply in self._settle(await attempt(write), "Reconciliations paused"):
            yield reply

    @rx.event
    @requires(Permission.RECONCILIATIONS_PAUSE)
    async def lift(self, form: Payload) -> Replies:
        """Lift the pause in force before its day, saying why."""
        name, actor = self.subscription.name, await acting_staff(self)

        def write(session: Session) -> Outcome[str]:
            done = lift_pause(
                session,
                subscription_name=name,
                reason=form_text(form, "reason"),
                actor=actor,
                now=datetime.now(UTC),
            )
            return Outcome(value="") if done.value else done.passed_on()

        async for reply in self._settle(await attempt(write), "Pause lifted"):
            yield reply

    async def _settle(self, outcome: Outcome[str], done: str) -> Replies:
        errors = outcome.field_errors
        self.until_error, self.ticket_error = errors.get("until", ""), errors.get("ticket", "")
        self.reason_error = errors.get("reason", "")
        if outcome.value is None:
            self.pause_message = "" if errors else outcome.message
            return
        self.reconciliation_pause, self.pause_dialog = outcome.value, ""
        yield rx.toast.success(done)


def _day(text: str) -> date | None:
    """A day from a date box (YYYY-MM-DD), or None."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
