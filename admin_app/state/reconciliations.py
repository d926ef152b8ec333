"""State of the Reconciliations page: the shared list behaviour over the reconciliation data layer."""

from collections.abc import Mapping
from typing import ClassVar

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db.lists.paging import Page, ResultCount
from admin_app.db.reconciliations import search as db
from admin_app.db.reconciliations.stats import count_for_table
from admin_app.db.session import in_session
from admin_app.state.app_state import AppState
from admin_app.state.list_page import ListPageState
from admin_app.state.views import ReconciliationView, reconciliation_view


class ReconciliationsState(ListPageState[db.ReconciliationQuery, ReconciliationView], AppState):
    """Search, filters, sort and one page of reconciliations."""

    _path: ClassVar[str] = "/reconciliations"
    _noun: ClassVar[str] = "reconciliations"
    _filter_names: ClassVar[tuple[str, ...]] = (
        "status",
        "from",
        "to",
        "skip_reason",
        "error",
        "min",
        "max",
        "plan",
        "channel",
        "currency",
        "account",
    )
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

    def _parse(self, params: Mapping[str, object]) -> tuple[db.ReconciliationQuery, list[str]]:
        parsed = db.parse_reconciliation_query(params)
        return parsed.query, parsed.errors

    def _to_params(self, query: db.ReconciliationQuery) -> dict[str, str]:
        return query.to_params()

    def _with_sort(self, query: db.ReconciliationQuery, key: str) -> db.ReconciliationQuery:
        return db.with_sort(query, key)

    def _fetch_rows(
        self, session: Session, query: db.ReconciliationQuery, after: str | None, before: str | None
    ) -> tuple[Page, list[ReconciliationView]]:
        result = db.search_reconciliations(session=session, query=query, after=after, before=before)
        return result, [reconciliation_view(r) for r in result.rows]

    def _count(self, session: Session, query: db.ReconciliationQuery) -> ResultCount:
        return count_for_table(session=session, query=query)
