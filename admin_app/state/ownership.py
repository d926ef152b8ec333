"""State of the ownership-change page: who asks, what evidence, the server's plan, one confirmation."""

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.gate import requires
from admin_app.auth.permissions import Permission
from admin_app.db.accounts.search import AccountPeople, account_people
from admin_app.db.lists.query_params import parse_id
from admin_app.db.memberships.ownership import (
    OwnershipPlan,
    OwnershipRequest,
    PlannedChange,
    apply_ownership_change,
    plan_ownership_change,
)
from admin_app.db.memberships.ownership_evidence import EVIDENCE_KINDS, Evidence
from admin_app.db.outcomes import Outcome
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.license_key import verification_keys
from admin_app.state.app_state import AppState
from admin_app.state.events import Payload, Replies
from admin_app.state.form_errors import OwnershipFormErrors, form_errors
from admin_app.state.views import (
    AccountView,
    ContactView,
    MemberView,
    billing_account_view,
    contact_view,
    member_view,
)
from admin_app.state.writes import acting_staff, attempt, form_text


def _text(form: Payload, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def request_from_form(account_id: int, form: Payload) -> tuple[OwnershipRequest, dict[str, str]]:
    """The request a submitted form makes, and the form-level problems (an unreadable date)."""
    invoice_text = _text(form, "invoice_date")
    invoice_date = _date(invoice_text)
    problems = (
        {"invoice_date": "Enter the date as YYYY-MM-DD."} if invoice_text and invoice_date is None else {}
    )
    evidence = Evidence(
        kind=_text(form, "evidence"),
        ticket=_text(form, "ticket"),
        note=_text(form, "note"),
        approver_email=_text(form, "approver_email"),
        invoice_date=invoice_date,
        license_text=form_text(form, "license_text"),
        namespace=_text(form, "namespace"),
    )
    request = OwnershipRequest(
        billing_account_id=account_id,
        requester_email=_text(form, "requester_email"),
        evidence=evidence,
        first_name=_text(form, "first_name"),
        last_name=_text(form, "last_name"),
    )
    return request, problems


@dataclass
class PlanSummary:
    """The ownership change the review shows before it is made."""

    process: str = ""
    previous_owner: str = ""
    new_owner: str = ""
    # Why the new owner's other account needs a confirmation; empty when it does not.
    manages_other_account: str = ""
    evidence: str = ""


class OwnershipState(AppState):
    """/billing-accounts/[id]/owner (support, admin)."""

    account: AccountView = AccountView()
    contacts: list[ContactView] = []
    members: list[MemberView] = []
    not_found: bool = False
    loading: bool = True
    error: str = ""

    evidence_kind: str = ""
    errors: OwnershipFormErrors = OwnershipFormErrors()
    message: str = ""
    planning: bool = False
    saving: bool = False

    review_open: bool = False
    plan: PlanSummary = PlanSummary()
    plan_changes: list[PlannedChange] = []
    plan_warnings: list[str] = []
    move_confirmed: bool = False

    # What the server loaded and planned: the only things a confirmation acts on.
    _loaded_id: int | None = None
    _request: OwnershipRequest | None = None
    _fingerprint: str = ""

    async def _refresh(self) -> None:
        segments = self.router.url.path.rstrip("/").split("/")
        account_id = parse_id(segments[-2]) if len(segments) >= 2 else None

        def fetch(session: Session) -> AccountPeople | None:
            return account_people(session, billing_account_id=account_id) if account_id else None

        try:
            detail = await in_session(fetch)
        except SQLAlchemyError:
            self.error = DATABASE_UNAVAILABLE
            return
        self.error, self.not_found = "", detail is None
        self._loaded_id = detail.account.id if detail else None
        if detail is None:
            return
        a = detail.account
        self.account = billing_account_view(a)
        self.contacts = [contact_view(c, role) for c, role in detail.contacts if role != "Contact"]
        self.members = [member_view(m, c) for m, c in detail.members]

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    async def load(self) -> Replies:
        self.loading, self.review_open, self.errors, self.message = True, False, OwnershipFormErrors(), ""
        self.evidence_kind, self._request, self._fingerprint = "", None, ""
        yield None
        await self._refresh()
        self.loading = False

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    def choose_evidence(self, kind: str) -> None:
        """Show the fields the chosen verification option needs."""
        self.evidence_kind = kind if kind in EVIDENCE_KINDS else ""

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    async def review(self, form: Payload) -> Replies:
        """Plan the change on the server and show every consequence before anything is written."""
        if self._loaded_id is None or not isinstance(form, dict) or self.planning:
            return
        request, problems = request_from_form(self._loaded_id, {**form, "evidence": self.evidence_kind})
        self.planning = True
        yield None
        outcome = await attempt(
            lambda session: plan_ownership_change(
                session, request, today=datetime.now(UTC).date(), license_keys=verification_keys()
            )
        )
        self.planning = False
        self.errors = form_errors(OwnershipFormErrors, {**outcome.field_errors, **problems})
        self.message = outcome.message
        plan = outcome.value
        if not outcome.ok or problems or plan is None:
            return
        self._request, self._fingerprint = request, plan.fingerprint
        self.plan = PlanSummary(
            process=plan.process,
            previous_owner=plan.previous_owner,
            new_owner=plan.new_owner,
            manages_other_account=plan.manages_other_account,
            evidence=_sentence(plan.evidence),
        )
        self.plan_changes = list(plan.changes)
        self.plan_warnings = list(plan.warnings)
        self.move_confirmed, self.review_open = False, True

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    def set_move_confirmed(self, value: bool) -> None:
        self.move_confirmed = bool(value)

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    def close_review(self, open_: bool = False) -> None:
        if not open_:
            self.review_open = False

    @rx.event
    @requires(Permission.MEMBERSHIPS_EDIT)
    async def confirm(self) -> Replies:
        """Make exactly the reviewed plan, or say why not (a stale plan is planned again by the user)."""
        if self._request is None or self.saving:
            return
        self.saving = True
        yield None
        actor = await acting_staff(self)
        request = dataclasses.replace(self._request, move_from_other_account=self.move_confirmed)
        fingerprint = self._fingerprint

        def write(session: Session) -> Outcome[OwnershipPlan]:
            return apply_ownership_change(
                session,
                request,
                fingerprint=fingerprint,
                actor=actor,
                now=datetime.now(UTC),
                license_keys=verification_keys(),
            )

        outcome = await attempt(write)
        self.saving = False
        if not outcome.ok:
            self.review_open, self.message = False, outcome.message
            if outcome.field_errors:
                self.errors = form_errors(OwnershipFormErrors, outcome.field_errors)
            return
        self.review_open, self._request = False, None
        made = outcome.made()
        yield rx.toast.success(f"{made.new_owner} now owns {made.account_name}.")
        yield rx.redirect(f"/billing-accounts/{made.account_id}")
