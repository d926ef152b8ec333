"""State of a billing account's page: its contacts (rule 8 banner when editing), members, history."""

import asyncio
import dataclasses
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.gate import requires
from admin_app.auth.permissions import Permission
from admin_app.db.accounts import contact_choice as choice_db
from admin_app.db.accounts import contacts as contact_db
from admin_app.db.accounts.contact_choice import RoleChoice
from admin_app.db.accounts.search import AccountDetail, Member, account_detail
from admin_app.db.customers.edit import SoldToAddress
from admin_app.db.licenses.search import today_utc
from admin_app.db.lists.query_params import parse_id
from admin_app.db.memberships.ownership import PlannedChange
from admin_app.db.outcomes import Outcome
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.state.app_state import AppState
from admin_app.state.events import Payload, Replies
from admin_app.state.form_errors import ContactFormErrors, form_errors
from admin_app.state.history import record_history
from admin_app.state.license_detail import path_tail
from admin_app.state.loading import done_within
from admin_app.state.views import (
    AccountView,
    ContactView,
    HistoryLine,
    LicenseView,
    MemberView,
    ReconciliationView,
    SubscriptionRow,
    billing_account_view,
    contact_view,
    license_view,
    member_view,
    reconciliation_view,
    subscription_row,
)
from admin_app.state.writes import acting_staff, attempt, audited

T = TypeVar("T")


@dataclasses.dataclass
class AccountMemberView(MemberView):
    """A member as the account's page lists them: also whether they can sign in, and why not."""

    can_sign_in: bool = False
    login_off: str = ""


def account_member_view(member: Member) -> AccountMemberView:
    return AccountMemberView(
        **dataclasses.asdict(member_view(member.membership, member.customer)),
        can_sign_in=member.can_sign_in,
        login_off=member.login_off,
    )


Read = tuple[AccountDetail, list[HistoryLine]] | None


class BillingAccountDetailState(AppState):
    account: AccountView = AccountView()
    lock_version: int = 0
    same_person: bool = False
    contacts: list[ContactView] = []
    members: list[AccountMemberView] = []
    subscriptions: list[SubscriptionRow] = []
    licenses: list[LicenseView] = []
    reconciliations: list[ReconciliationView] = []
    history: list[HistoryLine] = []
    not_found: bool = False
    loading: bool = True
    error: str = ""

    # The contact being edited; none (no id) when the dialog is closed or makes a new contact.
    editing: ContactView = ContactView()
    banner: str = ""
    contact_errors: ContactFormErrors = ContactFormErrors()
    contact_message: str = ""
    new_bill_to_open: bool = False
    join_open: bool = False
    join_consequence: str = ""
    sold_to_warning: str = ""
    # Choosing a member as Sold To / Bill To: the choice, then its reviewed plan.
    choice_open: bool = False
    choice_reviewed: bool = False
    choice_changes: list[PlannedChange] = []
    choice_warnings: list[str] = []
    choice_needs_address: bool = False
    _choice: RoleChoice | None = None
    _choice_fingerprint: str = ""
    # The account the page shows, as the server loaded it: the target of every write on this page.
    _loaded_id: int | None = None

    def _account_id(self) -> int | None:
        return parse_id(path_tail(self.router.url.path))

    def _reading(self) -> asyncio.Future[Read]:
        """The account the URL names (or None) and its history's lines, read in a database thread from
        now on."""
        account_id = self._account_id()

        def fetch(session: Session) -> Read:
            detail = account_detail(session, billing_account_id=account_id) if account_id else None
            if detail is None:
                return None
            return detail, record_history(session, detail.history, f"/billing-accounts/{detail.account.id}")

        return asyncio.ensure_future(in_session(fetch))

    async def _refresh(self, reading: asyncio.Future[Read] | None = None) -> None:
        """Show the account the URL names, from `reading` when one is under way."""
        today = today_utc()
        try:
            read = await (reading if reading is not None else self._reading())
        except SQLAlchemyError:
            self.error = DATABASE_UNAVAILABLE
            return
        self.error, self.not_found = "", read is None
        if read is None:
            self._loaded_id = None
            return
        detail, self.history = read
        a = detail.account
        self._loaded_id = a.id
        self.account, self.lock_version = billing_account_view(a), a.lock_version
        self.same_person = a.sold_to_contact_id == a.bill_to_contact_id
        self.sold_to_warning = detail.sold_to_warning
        self.contacts = [contact_view(c, role) for c, role in detail.contacts]
        self.members = [account_member_view(member) for member in detail.members]
        self.subscriptions = [subscription_row(s) for s in detail.subscriptions]
        self.licenses = [license_view(lic, detail.active_license_ids, today) for lic in detail.licenses]
        self.reconciliations = [reconciliation_view(r) for r in detail.reconciliations]

    @rx.event
    @requires(Permission.CUSTOMERS_READ)
    async def load(self) -> Replies:
        self.loading, self.editing, self.new_bill_to_open, self.join_open = True, ContactView(), False, False
        self.choice_open = False
        reading = self._reading()
        if not await done_within(reading):
            yield None
        await self._refresh(reading)
        self.loading = False

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    def edit_contact(self, contact: Payload) -> None:
        """Open the form with rule 8's banner naming the role being edited."""
        found = next(
            (c for c in self.contacts if isinstance(contact, dict) and c.id == contact.get("id")), None
        )
        if found is None:
            return
        self.editing = dataclasses.replace(found)
        self._clear_messages()
        role = found.role
        self.banner = (
            f"You are editing the {role} contact of {self.account.name}." if role != "Contact" else ""
        )

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    def close_contact(self, value: bool = False) -> None:
        if not value:
            self.editing, self.new_bill_to_open = ContactView(), False

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    async def save_contact(self, form: Payload) -> Replies:
        if not self.editing.id or not isinstance(form, dict):
            return
        actor = await acting_staff(self)
        contact_id, lock_version = int(self.editing.id), self.editing.lock_version
        write = partial(
            contact_db.update_contact,
            contact_id=contact_id,
            edit=contact_db.ContactEdit.from_form(form),
            lock_version=lock_version,
            **audited(actor, form),
        )
        async for update in self._write(write, "Contact saved."):
            yield update

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    def open_new_bill_to(self) -> None:
        self.new_bill_to_open = True
        self._clear_messages()
        self.banner = f"You are giving {self.account.name} a Bill To contact of its own."

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    async def save_new_bill_to(self, form: Payload) -> Replies:
        if not isinstance(form, dict):
            return
        actor = await acting_staff(self)
        account_id, lock_version = self._loaded_id, self.lock_version
        if account_id is None:
            return
        write = partial(
            contact_db.give_bill_to_its_own_contact,
            billing_account_id=account_id,
            edit=contact_db.ContactEdit.from_form(form),
            lock_version=lock_version,
            **audited(actor, form),
        )
        async for update in self._write(write, "The Bill To now has its own contact."):
            yield update

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    async def ask_join(self) -> Replies:
        """Review before the Bill To becomes the Sold To: who will receive the invoices instead."""
        account_id = self._loaded_id
        if account_id is None:
            return
        try:
            consequence = await in_session(
                lambda session: contact_db.join_consequence(session, billing_account_id=account_id)
            )
        except SQLAlchemyError:
            yield rx.toast.error(DATABASE_UNAVAILABLE)
            return
        self.join_consequence = consequence
        self._clear_messages()
        self.join_open = consequence != ""

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    def close_join(self, value: bool = False) -> None:
        if not value:
            self.join_open = False

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    async def make_bill_to_the_sold_to(self, form: Payload) -> Replies:
        actor = await acting_staff(self)
        account_id, lock_version = self._loaded_id, self.lock_version
        if account_id is None or not isinstance(form, dict):
            return
        write = partial(
            contact_db.make_bill_to_the_sold_to,
            billing_account_id=account_id,
            lock_version=lock_version,
            **audited(actor, form),
        )
        async for update in self._write(write, "The Bill To is now the Sold To contact."):
            yield update

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    def open_choice(self) -> None:
        self.choice_open, self.choice_reviewed = True, False
        self._clear_messages()

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    def close_choice(self, value: bool = False) -> None:
        if not value:
            self.choice_open = False

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    def back_to_choice(self) -> None:
        self.choice_reviewed = False
        self._clear_messages()

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    async def review_choice(self, form: Payload) -> None:
        """Plan making the chosen member the Sold To, Bill To or both; show it before anything is saved."""
        if self._loaded_id is None or not isinstance(form, dict):
            return
        customer_id = parse_id(form.get("customer_id"))
        if customer_id is None:
            self.contact_errors = ContactFormErrors(customer_id="Choose a member.")
            self.contact_message = ""
            return
        role = form.get("role")
        choice = RoleChoice(
            billing_account_id=self._loaded_id,
            customer_id=customer_id,
            role=role if isinstance(role, str) else "",
        )
        outcome = await attempt(lambda session: choice_db.plan_role_choice(session, choice))
        self._show_refusal(outcome)
        plan = outcome.value
        if not outcome.ok or plan is None:
            return
        self._choice, self._choice_fingerprint = choice, plan.fingerprint
        self.choice_changes = list(plan.changes)
        self.choice_warnings = list(plan.warnings)
        self.choice_needs_address, self.choice_reviewed = plan.needs_address, True

    @rx.event
    @requires(Permission.CUSTOMERS_EDIT)
    async def save_choice(self, form: Payload) -> Replies:
        choice, fingerprint = self._choice, self._choice_fingerprint
        if choice is None or choice.billing_account_id != self._loaded_id or not isinstance(form, dict):
            return
        actor = await acting_staff(self)
        write = partial(
            choice_db.apply_role_choice,
            choice=choice,
            fingerprint=fingerprint,
            address=SoldToAddress.from_form(form),
            **audited(actor, form),
        )
        async for update in self._write(write, "Saved: " + choice_db.ROLES[choice.role] + " changed."):
            yield update

    def _clear_messages(self) -> None:
        self.contact_errors, self.contact_message = ContactFormErrors(), ""

    def _show_refusal(self, outcome: Outcome[T]) -> None:
        """What the server refused in the open form, by field and as a whole (nothing for a write made)."""
        self.contact_errors = form_errors(ContactFormErrors, outcome.field_errors)
        self.contact_message = outcome.message

    async def _write(self, write: Callable[[Session], Outcome[T]], success: str) -> Replies:
        outcome = await attempt(write)
        self._show_refusal(outcome)
        if not outcome.ok:
            if not (self.editing.id or self.new_bill_to_open or self.join_open or self.choice_open):
                yield rx.toast.error(outcome.message)
            return
        self.editing, self.new_bill_to_open, self.join_open, self.choice_open = (
            ContactView(),
            False,
            False,
            False,
        )
        await self._refresh()
        yield rx.toast.success(success)
