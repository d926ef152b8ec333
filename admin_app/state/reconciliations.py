"""State of the Reconciliations page: the shared list behaviour over the reconciliation list's description."""

from typing import ClassVar

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db.lists.paging import ResultCount
from admin_app.db.lists.spec import ListSpec, Query
from admin_app.db.models import Reconciliation
from admin_app.db.reconciliations import search as db
from admin_app.db.reconciliations.stats import count_for_table
from admin_app.db.session import in_session
from admin_app.state.app_state import AppState
from admin_app.state.list_page import DescribedListState
from admin_app.state.views import ReconciliationView, reconciliation_view


class ReconciliationsState(DescribedListState[ReconciliationView], AppState):
    """Search, filters, sort and one page of reconciliations."""

    _path: ClassVar[str] = "/reconciliations"
    _noun: ClassVar[str] = "reconciliations"
    _spec: ClassVar[ListSpec] = db.RECONCILIATION_LIST
    _filter_names: ClassVar[tuple[str, ...]] = db.RECONCILIATION_LIST.filter_names
    _read_permission: ClassVar[Permission] = Permission.RECONCILIATIONS_READ
    rows: list[ReconciliationView] = []

    skip_reasons: list[str] = []

    async def _load_options(self) -> None:
        if self.skip_reasons:
            return
        try:
            self.skip_reasons = await in_session(lambda session: db.skip_reasons(session=session))
        except SQLAlchemyError:
            self.skip_reasons = []

    def _views(self, session: Session, records: list[object]) -> list[ReconciliationView]:
        return [reconciliation_view(r) for r in records if isinstance(r, Reconciliation)]

    def _count(self, session: Session, query: Query) -> ResultCount:
        """Counted from the charts' roll-up when its filters allow (see count_for_table)."""
        return count_for_table(session=session, query=query)
