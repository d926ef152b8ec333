"""State of the reconciliation detail page: why it came out as it did, every field, its billing account,
the same subscription's reconciliations before and after it, and the account's history."""

from dataclasses import dataclass, field

import reflex as rx
from sqlmodel import Session

from admin_app.auth.gate import requires
from admin_app.auth.permissions import Permission
from admin_app.db.lists.query_params import parse_id
from admin_app.db.models import Reconciliation
from admin_app.db.reconciliations import search as db
from admin_app.db.reconciliations.explain import SeatArithmetic, explain, money
from admin_app.db.reconciliations.neighbours import next_reconciliation, previous_reconciliation
from admin_app.state.app_state import AppState
from admin_app.state.events import Replies
from admin_app.state.license_detail import path_tail
from admin_app.state.loading import DetailPageState
from admin_app.state.views import AccountView, ReconciliationView, billing_account_view, reconciliation_view


@dataclass
class ArithmeticView:
    """A done reconciliation's seat arithmetic as the page's small table shows it; `shown` is False
    when the reconciliation did not record its inputs (or is not done)."""

    shown: bool = False
    seats_before: str = ""
    users_counted: str = ""
    seats_added: str = ""
    seat_price: str = ""
    billed_months: str = ""
    amount: str = ""
    recorded_amount: str = ""
    matches_recorded: bool = False


def arithmetic_view(arithmetic: SeatArithmetic | None) -> ArithmeticView:
    if arithmetic is None:
        return ArithmeticView()
    recorded = arithmetic.recorded_amount
    return ArithmeticView(
        shown=True,
        seats_before=f"{arithmetic.seats_before:,}",
        users_counted=f"{arithmetic.users_counted:,}",
        seats_added=f"{arithmetic.seats_added:,}",
        seat_price=money(arithmetic.seat_price, arithmetic.currency),
        billed_months=f"{arithmetic.billed_months:,}",
        amount=money(arithmetic.amount, arithmetic.currency),
        recorded_amount=money(recorded, arithmetic.currency) if recorded is not None else "not recorded",
        matches_recorded=arithmetic.matches_recorded,
    )


@dataclass
class NeighbourLink:
    """The same subscription's reconciliation before or after this one; no id when there is none."""

    id: str = ""
    reconciliation_date: str = ""
    status_label: str = ""


def neighbour_link(r: Reconciliation | None) -> NeighbourLink:
    if r is None:
        return NeighbourLink()
    return NeighbourLink(str(r.id), r.reconciliation_date.isoformat(), r.status.capitalize())


@dataclass
class _Read:
    reconciliation: ReconciliationView = field(default_factory=ReconciliationView)
    account: AccountView = field(default_factory=AccountView)
    history: list[ReconciliationView] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    failure_label: str = ""
    arithmetic: ArithmeticView = field(default_factory=ArithmeticView)
    previous_link: NeighbourLink = field(default_factory=NeighbourLink)
    next_link: NeighbourLink = field(default_factory=NeighbourLink)


class ReconciliationDetailState(DetailPageState, AppState):
    """One reconciliation, why it came out as it did, and the other reconciliations of its account."""

    reconciliation: ReconciliationView = ReconciliationView()
    account: AccountView = AccountView()
    history: list[ReconciliationView] = []
    sentences: list[str] = []
    failure_label: str = ""
    arithmetic: ArithmeticView = ArithmeticView()
    previous_link: NeighbourLink = NeighbourLink()
    next_link: NeighbourLink = NeighbourLink()

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    async def load(self) -> Replies:
        tail = path_tail(self.router.url.path)
        reconciliation_id = parse_id(tail)

        def fetch(session: Session) -> _Read:
            if reconciliation_id is None:
                return _Read()
            found = db.get_reconciliation(session=session, reconciliation_id=reconciliation_id)
            if found is None:
                return _Read()
            account = db.get_billing_account(session=session, billing_account_id=found.billing_account_id)
            history = db.reconciliations_of_account(
                session=session, billing_account_id=found.billing_account_id
            )
            explanation = explain(found)
            return _Read(
                reconciliation=reconciliation_view(found),
                account=billing_account_view(account),
                history=[reconciliation_view(r) for r in history],
                sentences=list(explanation.sentences),
                failure_label=explanation.failure.label if explanation.failure else "",
                arithmetic=arithmetic_view(explanation.arithmetic),
                previous_link=neighbour_link(previous_reconciliation(session=session, reconciliation=found)),
                next_link=neighbour_link(next_reconciliation(session=session, reconciliation=found)),
            )

        def show(read: _Read) -> bool:
            self.reconciliation, self.account, self.history = read.reconciliation, read.account, read.history
            self.sentences, self.failure_label = read.sentences, read.failure_label
            self.arithmetic, self.previous_link, self.next_link = (
                read.arithmetic,
                read.previous_link,
                read.next_link,
            )
            return bool(self.reconciliation.id)

        async for update in self._read(fetch, show):
            yield update
