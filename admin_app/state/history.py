"""State of the History page: every change across records, newest first, through the shared list behaviour."""

from collections.abc import Mapping
from typing import ClassVar

from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db import history_list as db
from admin_app.db.paging import Page, ResultCount
from admin_app.state.app_state import AppState
from admin_app.state.list_page import ListPageState
from admin_app.state.views import version_view

RECORD_PAGES = {"customer": "/customers/", "billing_account": "/billing-accounts/"}


def history_row(line: dict[str, str]) -> dict[str, str]:
    """A history line with the link to its record, where the record has a page."""
    prefix = RECORD_PAGES.get(line["item_type"], "")
    return {**line, "href": prefix + line["item_id"] if prefix and line["item"] else ""}


class HistoryState(ListPageState, AppState):
    _path: ClassVar[str] = "/history"
    _noun: ClassVar[str] = "changes"
    _filter_names: ClassVar[tuple[str, ...]] = ("actor", "type", "record", "field", "from", "to")
    _read_permission: ClassVar[Permission] = Permission.CUSTOMERS_READ

    def _parse(self, params: Mapping[str, object]) -> tuple[db.HistoryQuery, list[str]]:
        parsed = db.parse_history_query(params)
        return parsed.query, parsed.errors

    def _to_params(self, query: db.HistoryQuery) -> dict[str, str]:
        return query.to_params()

    def _with_sort(self, query: db.HistoryQuery, key: str) -> db.HistoryQuery:
        return query

    def _fetch_rows(
        self, session: Session, query: db.HistoryQuery, after: str | None, before: str | None
    ) -> tuple[Page, list[dict[str, str]]]:
        result = db.search_history(session=session, query=query, after=after, before=before)
        return result, [history_row(line) for version in result.rows for line in version_view(version)]

    def _count(self, session: Session, query: db.HistoryQuery) -> ResultCount:
        return db.count_history(session=session, query=query)
