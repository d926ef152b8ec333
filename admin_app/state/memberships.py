"""State of the Memberships page: the list, Add (rule 1 checked first), Delete (rule 7 asks again)."""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar, TypeVar

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.gate import requires
from admin_app.auth.permissions import Permission
from admin_app.db.lists.spec import ListSpec
from admin_app.db.memberships import search as db
from admin_app.db.memberships.edit import DELETED, add_membership, delete_membership, existing_membership
from admin_app.db.models import BillingAccount, BillingAccountMembership, Customer
from admin_app.db.outcomes import Outcome
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.state.app_state import AppState
from admin_app.state.events import Payload, Replies
from admin_app.state.form_errors import AddMembershipErrors, ReasonErrors, form_errors
from admin_app.state.list_page import DescribedListState
from admin_app.state.writes import acting_staff, attempt, audited, form_text

MAX_TYPED = 254
# A customer or a billing account the Add form offers.
Found = TypeVar("Found", Customer, BillingAccount)


@dataclass
class MembershipRow:
    """A membership as its list shows it: the customer, the account, who added it and when."""

    id: str = ""
    customer_id: str = ""
    customer: str = ""
    email: str = ""
    company: str = ""
    account_id: str = ""
    account: str = ""
    zuora_account_id: str = ""
    created: str = ""
    created_by: str = ""


def membership_row(
    membership: BillingAccountMembership, customer: Customer, account: BillingAccount
) -> MembershipRow:
    return MembershipRow(
        id=str(membership.id),
        customer_id=str(customer.id),
        customer=f"{customer.first_name} {customer.last_name}",
        email=customer.email,
        company=customer.company,
        account_id=str(account.id),
        account=account.name,
        zuora_account_id=account.zuora_account_id,
        created=membership.created_at.strftime("%Y-%m-%d"),
        created_by=membership.created_by,
    )


@dataclass
class Choice:
    """A customer or a billing account a picker offers: its id, how it reads, the customer's email."""

    id: str = ""
    label: str = ""
    email: str = ""


def chosen_option(options: list[Choice], option: object) -> Choice | None:
    """The offered option the browser names (by id): a choice is only ever one the server offered."""
    picked = option.get("id") if isinstance(option, dict) else None
    return next((dataclasses.replace(o) for o in options if o.id == picked), None)


class MembershipsState(DescribedListState[MembershipRow], AppState):
    """The list of memberships and the forms that add and delete them."""

    _path: ClassVar[str] = "/memberships"
    _noun: ClassVar[str] = "memberships"
    _spec: ClassVar[ListSpec] = db.MEMBERSHIP_LIST
    _filter_names: ClassVar[tuple[str, ...]] = db.MEMBERSHIP_LIST.filter_names
    _read_permission: ClassVar[Permission] = Permission.CUSTOMERS_READ
    rows: list[MembershipRow] = []

    add_open: bool = False
    customer_options: list[Choice] = []
    account_options: list[Choice] = []
    chosen_customer: Choice = Choice()
    chosen_account: Choice = Choice()
    # Rule 1's refusal for the chosen customer, who already has a membership.
    existing_refusal: str = ""
    add_errors: AddMembershipErrors = AddMembershipErrors()
    add_message: str = ""
    # The customer just added whose login is not active (their id and email), or none.
    not_activated: Choice = Choice()

    delete_target: MembershipRow = MembershipRow()
    delete_open: bool = False
    last_warning: str = ""
    delete_errors: ReasonErrors = ReasonErrors()
    _delete_reason: str = ""

    def _views(self, session: Session, records: list[object]) -> list[MembershipRow]:
        memberships = [m for m in records if isinstance(m, BillingAccountMembership)]
        return [membership_row(*row) for row in db.membership_rows(session, memberships)]

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    def show_add(self, value: bool) -> None:
        self.add_open = bool(value)
        self.customer_options, self.account_options = [], []
        self.chosen_customer, self.chosen_account, self.existing_refusal = Choice(), Choice(), ""
        self.add_errors, self.add_message = AddMembershipErrors(), ""

    async def _suggested(
        self, suggest: Callable[[Session, str], list[Found]], text: object
    ) -> list[Found] | None:
        """What `suggest` offers for the text typed so far (cut to MAX_TYPED); None, said in the Add
        form, when the database is unavailable."""
        term = text[:MAX_TYPED] if isinstance(text, str) else ""
        try:
            return await in_session(lambda session: suggest(session, term))
        except SQLAlchemyError:
            self.add_message = DATABASE_UNAVAILABLE
            return None

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    async def find_customers(self, text: str) -> None:
        """Type-ahead over every customer (name, email or company)."""
        found = await self._suggested(db.suggest_customers, text)
        if found is None:
            return
        self.customer_options = [
            Choice(id=str(c.id), label=f"{c.email} · {c.first_name} {c.last_name}", email=c.email)
            for c in found
        ]

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    async def find_accounts(self, text: str) -> None:
        """Type-ahead over every billing account (zuora id or name)."""
        found = await self._suggested(db.suggest_accounts, text)
        if found is None:
            return
        self.account_options = [Choice(id=str(a.id), label=f"{a.zuora_account_id} · {a.name}") for a in found]

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    async def choose_customer(self, option: Payload) -> None:
        """Pick a customer and check rule 1 at once, before the form is submitted."""
        chosen = chosen_option(self.customer_options, option)
        if chosen is None:
            return
        self.chosen_customer, self.customer_options = chosen, []
        customer_id = int(chosen.id)
        try:
            found = await in_session(lambda session: existing_membership(session, customer_id=customer_id))
        except SQLAlchemyError:
            self.add_message = DATABASE_UNAVAILABLE
            return
        self.existing_refusal = found.refusal(chosen.email) if found else ""

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    def choose_account(self, option: Payload) -> None:
        chosen = chosen_option(self.account_options, option)
        if chosen is not None:
            self.chosen_account, self.account_options = chosen, []

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    async def add(self, form: Payload) -> Replies:
        if not self.chosen_customer.id or not self.chosen_account.id:
            self.add_errors = AddMembershipErrors(
                customer="" if self.chosen_customer.id else "Pick a customer from the list.",
                billing_account="" if self.chosen_account.id else "Pick a billing account from the list.",
            )
            return
        actor = await acting_staff(self)
        customer_id, account_id = int(self.chosen_customer.id), int(self.chosen_account.id)
        who_why_when = audited(actor, form)

        def write(session: Session) -> tuple[Outcome[BillingAccountMembership], bool]:
            outcome = add_membership(
                session, customer_id=customer_id, billing_account_id=account_id, **who_why_when
            )
            customer = session.get(Customer, customer_id)
            return outcome, bool(customer and customer.login_activated)

        try:
            outcome, login_active = await in_session(write)
        except SQLAlchemyError:
            self.add_message = DATABASE_UNAVAILABLE
            return
        self.add_errors = form_errors(AddMembershipErrors, outcome.field_errors)
        self.add_message = outcome.message
        if not outcome.ok:
            return
        self.not_activated = (
            Choice() if login_active else Choice(id=str(customer_id), email=self.chosen_customer.email)
        )
        self.add_open = False
        yield rx.toast.success("Billing account membership added")
        yield type(self).load

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    def ask_delete(self, row: Payload) -> None:
        target = next((r for r in self.rows if isinstance(row, dict) and r.id == row.get("id")), None)
        if target is not None:
            self.delete_target, self.delete_open, self.last_warning = dataclasses.replace(target), True, ""
            self.delete_errors, self._delete_reason = ReasonErrors(), ""

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    def cancel_delete(self) -> None:
        self.delete_open, self.last_warning, self.delete_target = False, "", MembershipRow()

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    async def confirm_delete(self, form: Payload) -> Replies:
        """The first "Yes, I'm sure" with the reason; rule 7 may ask a second time for an account's last
        membership, and the reason given the first time stands."""
        if not self.delete_target.id:
            return
        confirmed_last = self.last_warning != ""
        if not confirmed_last:
            self._delete_reason = form_text(form, "reason")
        reason = self._delete_reason
        actor = await acting_staff(self)
        membership_id = int(self.delete_target.id)

        def write(session: Session) -> Outcome[BillingAccountMembership]:
            return delete_membership(
                session,
                membership_id=membership_id,
                confirmed_last=confirmed_last,
                actor=actor,
                reason=reason,
                now=datetime.now(UTC),
            )

        outcome = await attempt(write)
        self.delete_errors = form_errors(ReasonErrors, outcome.field_errors)
        if outcome.field_errors:
            return
        if outcome.needs_confirmation:
            self.last_warning = outcome.message
            return
        self.delete_open, self.last_warning, self.delete_target = False, "", MembershipRow()
        if not outcome.ok:
            yield rx.toast.error(outcome.message)
            return
        yield rx.toast.success(DELETED)
        yield type(self).load
