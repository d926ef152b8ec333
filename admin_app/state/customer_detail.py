"""State of the customer page: the customer, their billing account, history, and support's edits.

An edit is reviewed before it is saved: the server plans it (rules 3, 4, 5) and the page lists
exactly what will change; the save then writes that plan or refuses (rules 9, 10).
"""

import asyncio
from datetime import UTC, datetime
from functools import partial

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.gate import requires
from admin_app.auth.permissions import Permission
from admin_app.db.accounts.contact_fields import ADDRESS_FIELDS, LABELS
from admin_app.db.customers import edit as db
from admin_app.db.customers.detail import CustomerDetail, customer_detail
from admin_app.db.customers.login_status import set_login_activated
from admin_app.db.licenses.recipients import licenses_sent_to
from admin_app.db.licenses.search import today_utc
from admin_app.db.lists.query_params import parse_id
from admin_app.db.memberships.ownership import PlannedChange
from admin_app.db.models import Customer, License
from admin_app.db.outcomes import Outcome
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.state.app_state import AppState
from admin_app.state.events import Payload, Replies
from admin_app.state.form_errors import CustomerFormErrors, ReasonErrors, form_errors
from admin_app.state.history import record_history
from admin_app.state.license_detail import path_tail
from admin_app.state.loading import done_within
from admin_app.state.views import (
    AccountView,
    ContactView,
    CustomerView,
    HistoryLine,
    LicenseView,
    billing_account_view,
    contact_view,
    customer_view,
    license_view,
)
from admin_app.state.writes import acting_staff, attempt, audited, form_text

FIELD_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "company": "Company",
    "country": "Country",
    "confirmed_at": "Email confirmed",
}


def _shown(name: str, value: object) -> str:
    """A planned value as the review shows it: when the address was confirmed, or that it is not."""
    if name == "confirmed_at":
        return (
            datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M UTC")
            if isinstance(value, str)
            else "Not confirmed"
        )
    return str(value or "—")


ADDRESS_DECISION_FIELDS = {"sold_to_address", *(f"sold_to_{name}" for name in ADDRESS_FIELDS)}

Read = tuple[CustomerDetail, list[License], list[HistoryLine]] | None


def contact_lines(change: db.ContactChange) -> list[PlannedChange]:
    """Every field of the contact being replaced: the person's change, and the address still to decide."""
    person = [
        PlannedChange(LABELS[name], change.before[name] or "—", change.after[name] or "—")
        for name in change.before
    ]
    address = [
        PlannedChange(LABELS[name], value or "—", "as decided below")
        for name, value in change.address_before.items()
    ]
    return person + address


class CustomerDetailState(AppState):
    """One customer and the dialogs that change them."""

    customer: CustomerView = CustomerView()
    account: AccountView = AccountView()
    membership_id: str = ""
    contacts: list[ContactView] = []
    history: list[HistoryLine] = []
    licenses: list[LicenseView] = []
    disabled_warning: str = ""
    not_found: bool = False
    loading: bool = True
    error: str = ""

    edit_open: bool = False
    field_errors: CustomerFormErrors = CustomerFormErrors()
    form_message: str = ""
    review_open: bool = False
    review_lines: list[PlannedChange] = []
    review_contact: str = ""
    review_consequences: list[str] = []
    # Rule 3 replacing the Sold To: every contact field before → after, and the address to decide on.
    review_contact_lines: list[PlannedChange] = []
    review_replaces: bool = False
    saving: bool = False
    _edit: db.CustomerEdit | None = None
    _planned_lock_version: int = 0
    _reason: str = ""
    _reviewed_contact: db.ContactChange | None = None

    login_open: bool = False
    login_message: str = ""
    login_needs_confirmation: bool = False
    login_errors: ReasonErrors = ReasonErrors()
    _login_reason: str = ""

    unlink_open: bool = False
    unlink_errors: ReasonErrors = ReasonErrors()

    # The customer the page shows, as the server loaded it: every write targets this one, never the
    # URL at the time of the write (a crafted event may carry another page's URL).
    _loaded_id: int | None = None
    _planned_id: int | None = None

    def _customer_id(self) -> int | None:
        return parse_id(path_tail(self.router.url.path))

    def _lock_version(self) -> int:
        return self.customer.lock_version

    def _reading(self) -> asyncio.Future[Read]:
        """The customer the URL names (or None), the licenses sent to their address and their history's
        lines, read in a database thread from now on."""
        customer_id = self._customer_id()

        def fetch(session: Session) -> Read:
            detail = customer_detail(session, customer_id=customer_id) if customer_id else None
            if detail is None:
                return None
            history = record_history(session, detail.history, f"/customers/{detail.customer.id}")
            return detail, licenses_sent_to(session, email=detail.customer.email), history

        return asyncio.ensure_future(in_session(fetch))

    async def _refresh(self, reading: asyncio.Future[Read] | None = None) -> None:
        """Show the customer the URL names, from `reading` when one is under way."""
        try:
            read = await (reading if reading is not None else self._reading())
        except SQLAlchemyError:
            self.error = DATABASE_UNAVAILABLE
            return
        self.error = ""
        self.not_found = read is None
        if read is None:
            self.customer, self.account, self.contacts, self.history = CustomerView(), AccountView(), [], []
            self.licenses = []
            self._loaded_id = None
            return
        detail, licenses, self.history = read
        self._loaded_id = detail.customer.id
        self.customer = customer_view(detail.customer)
        self.account = billing_account_view(detail.account)
        self.membership_id = str(detail.membership.membership_id) if detail.membership else ""
        self.contacts = [contact_view(contact, role) for contact, role in detail.contacts]
        self.disabled_warning = detail.disabled.warning() if detail.disabled else ""
        # The tab shows each license's own status, not rule 11's active mark (no company's licenses read).
        today = today_utc()
        self.licenses = [license_view(license, {}, today) for license in licenses]

    @rx.event
    @requires(Permission.CUSTOMERS_READ)
    async def load(self) -> Replies:
        """Show the customer. Opening another customer closes the dialogs; loading the same one again
        (a reconnect, perhaps to another instance) keeps them and what they hold."""
        self.loading = True
        if self.customer.id != str(self._customer_id()):
            self.edit_open = self.review_open = self.login_open = self.unlink_open = False
            self._edit = None
        reading = self._reading()
        if not await done_within(reading):
            yield None
        await self._refresh(reading)
        self.loading = False

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    def open_edit(self) -> None:
        self.field_errors, self.form_message, self.edit_open = CustomerFormErrors(), "", True

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    def show_edit(self, value: bool) -> None:
        self.edit_open = bool(value)

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    async def review_edit(self, form: Payload) -> None:
        """Plan the edit on the server and show what it will change; nothing is written yet."""
        if not isinstance(form, dict):
            return
        edit = db.CustomerEdit.from_form(form)
        reason = form_text(form, "reason")
        customer_id, lock_version = self._loaded_id, self._lock_version()
        if customer_id is None:
            return

        def plan(session: Session) -> Outcome[db.CustomerEditPlan]:
            return db.plan_customer_edit(
                session, customer_id=customer_id, edit=edit, lock_version=lock_version
            )

        outcome = await attempt(plan)
        self.field_errors = form_errors(CustomerFormErrors, outcome.field_errors)
        self.form_message = outcome.message
        planned = outcome.value
        if not outcome.ok or planned is None:
            return
        self._edit, self._reason, self._reviewed_contact = edit, reason, planned.contact
        self._planned_id, self._planned_lock_version = customer_id, lock_version
        self.review_lines = [
            PlannedChange(FIELD_LABELS.get(name, name), *(_shown(name, value) for value in change))
            for name, change in planned.changes.items()
        ]
        self.review_consequences = list(planned.consequences)
        contact = planned.contact
        self.review_contact = contact.describe() if contact else ""
        self.review_replaces = bool(contact and contact.replaces_sold_to)
        self.review_contact_lines = contact_lines(contact) if contact and self.review_replaces else []
        self.review_open = True

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    def back_to_edit(self) -> None:
        self.review_open = False

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    async def confirm_edit(self, form: Payload) -> Replies:
        """Save exactly the reviewed plan, with the address decided in the review, or say why not."""
        if self._edit is None or self._planned_id is None or self.saving or not isinstance(form, dict):
            return
        sold_to_address = db.SoldToAddress.from_form(form)
        self.saving = True
        yield None
        actor = await acting_staff(self)
        # The version the plan was made from: a change by someone else since then is refused (rule 10).
        customer_id, lock_version = self._planned_id, self._planned_lock_version
        edit, reason, reviewed = self._edit, self._reason, self._reviewed_contact

        def save(session: Session) -> Outcome[db.CustomerEditPlan]:
            return db.save_customer_edit(
                session,
                customer_id=customer_id,
                edit=edit,
                lock_version=lock_version,
                reviewed_contact=reviewed,
                actor=actor,
                reason=reason,
                now=datetime.now(UTC),
                sold_to_address=sold_to_address,
            )

        outcome = await attempt(save)
        self.saving = False
        self.field_errors = form_errors(CustomerFormErrors, outcome.field_errors)
        if set(outcome.field_errors) & ADDRESS_DECISION_FIELDS:
            # The address decision is made in the review: stay there and say what is missing.
            return
        self.review_open = False
        if not outcome.ok:
            self.form_message = outcome.message
            return
        self.edit_open, self._edit = False, None
        await self._refresh()
        yield rx.toast.success("Customer saved" + (" and the billing contact updated." if reviewed else "."))

    @rx.event
    @requires(Permission.LOGIN_STATUS_EDIT)
    def show_login(self, value: bool) -> None:
        self.login_open = bool(value)
        self.login_message, self.login_needs_confirmation, self.login_errors = "", False, ReasonErrors()

    @rx.event
    @requires(Permission.LOGIN_STATUS_EDIT)
    async def change_login(self, form: Payload) -> Replies:
        """Switch the login on or off; rule 6 may hold a re-activation back for a confirmation."""
        reason = form.get("reason", "") if isinstance(form, dict) else ""
        confirmed = self.login_needs_confirmation and reason == self._login_reason
        self._login_reason = reason if isinstance(reason, str) else ""
        actor = await acting_staff(self)
        customer_id, lock_version = self._loaded_id, self._lock_version()
        if customer_id is None:
            return
        activate = not self.customer.login_activated

        def switch(session: Session) -> Outcome[Customer]:
            return set_login_activated(
                session,
                customer_id=customer_id,
                activated=activate,
                lock_version=lock_version,
                confirmed=confirmed,
                actor=actor,
                reason=self._login_reason,
                now=datetime.now(UTC),
            )

        outcome = await attempt(switch)
        self.login_errors = form_errors(ReasonErrors, outcome.field_errors)
        self.login_message = outcome.message
        self.login_needs_confirmation = outcome.needs_confirmation
        if outcome.needs_confirmation:
            # The dialog already shows who disabled it and when; ask for the second click only.
            self.login_message = "This login was disabled on purpose. Re-activate it with the reason above?"
        if outcome.ok:
            self.login_open = False
            await self._refresh()
            yield rx.toast.success("Login " + ("re-activated." if activate else "disabled."))

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    def show_unlink(self, value: bool) -> None:
        self.unlink_open, self.unlink_errors = bool(value), ReasonErrors()

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    async def unlink(self, form: Payload) -> Replies:
        actor = await acting_staff(self)
        customer_id, lock_version = self._loaded_id, self._lock_version()
        if customer_id is None:
            return
        unlink = partial(
            db.unlink_account, customer_id=customer_id, lock_version=lock_version, **audited(actor, form)
        )
        outcome = await attempt(unlink)
        if not outcome.ok:
            self.unlink_errors = form_errors(
                ReasonErrors, outcome.field_errors or {"reason": outcome.message}
            )
            return
        self.unlink_open = False
        await self._refresh()
        yield rx.toast.success("Linked account removed.")
