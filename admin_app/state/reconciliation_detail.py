"""State of the reconciliation detail page: every field, its billing account, the account's history."""

import reflex as rx
from sqlmodel import Session

from admin_app.auth.gate import requires
from admin_app.auth.permissions import Permission
from admin_app.db.lists.query_params import parse_id
from admin_app.db.reconciliations import search as db
from admin_app.state.app_state import AppState
from admin_app.state.events import Replies
from admin_app.state.license_detail import path_tail
from admin_app.state.loading import DetailPageState
from admin_app.state.views import AccountView, ReconciliationView, billing_account_view, reconciliation_view

Read = tuple[ReconciliationView, AccountView, list[ReconciliationView]]


class ReconciliationDetailState(DetailPageState, AppState):
    """One reconciliation and the other reconciliations of its billing account."""

    reconciliation: ReconciliationView = ReconciliationView()
    account: AccountView = AccountView()
    history: list[ReconciliationView] = []

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    async def load(self) -> Replies:
        tail = path_tail(self.router.url.path)
        reconciliation_id = parse_id(tail)

        def fetch(session: Session) -> Read:
            if reconciliation_id is None:
                return ReconciliationView(), AccountView(), []
            found = db.get_reconciliation(session=session, reconciliation_id=reconciliation_id)
            if found is None:
                return ReconciliationView(), AccountView(), []
            account = db.get_billing_account(session=session, billing_account_id=found.billing_account_id)
            history = db.reconciliations_of_account(
                session=session, billing_account_id=found.billing_account_id
            )
            return (
                reconciliation_view(found),
                billing_account_view(account),
                [reconciliation_view(r) for r in history],
            )

        def show(read: Read) -> bool:
            self.reconciliation, self.account, self.history = read
            return bool(self.reconciliation.id)

        async for update in self._read(fetch, show):
            yield update
