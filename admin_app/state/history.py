"""State of the History page: every change across records, newest first, through the shared list behaviour."""

from collections.abc import Mapping
from typing import ClassVar

from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db import history_list as db
from admin_app.db.models import Version
from admin_app.db.paging import Page, ResultCount
from admin_app.state.app_state import AppState
from admin_app.state.list_page import ListPageState
from admin_app.state.views import version_view


def record_href(version: Version, accounts_of_contacts: Mapping[int, int]) -> str:
    """The page a history row's record is shown on: a customer or an account directly, a contact on its
    account's page, a membership on its customer's page."""
    if version.item_type == "customer":
        return f"/customers/{version.item_id}"
    if version.item_type == "billing_account":
        return f"/billing-accounts/{version.item_id}"
    if version.item_type == "billing_account_contact" and version.item_id in accounts_of_contacts:
        return f"/billing-accounts/{accounts_of_contacts[version.item_id]}"
    if version.item_type == "billing_account_membership":
        customer = (version.changes or {}).get("customer_id")
        ids = [value for value in customer if isinstance(value, int)] if isinstance(customer, list) else []
        return f"/customers/{ids[0]}" if ids else ""
    return ""


def history_rows(versions: list[Version], accounts_of_contacts: Mapping[int, int]) -> list[dict[str, str]]:
    """History lines with the link to each row's record (on the row's first line)."""
    return [
        {**line, "href": record_href(version, accounts_of_contacts) if line["item"] else ""}
        for version in versions
        for line in version_view(version)
    ]


class HistoryState(ListPageState, AppState):
    _path: ClassVar[str] = "/history"
    _noun: ClassVar[str] = "changes"
    _filter_names: ClassVar[tuple[str, ...]] = ("actor", "type", "record", "field", "from", "to", "request")
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
        contacts = {v.item_id for v in result.rows if v.item_type == "billing_account_contact"}
        return result, history_rows(result.rows, db.accounts_of_contacts(session, contacts))

    def _count(self, session: Session, query: db.HistoryQuery) -> ResultCount:
        return db.count_history(session=session, query=query)
