"""State of the Customers page: the shared list behaviour over the customer search."""

from collections.abc import Mapping
from typing import ClassVar

from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db import customer_list as db
from admin_app.db.paging import Page, ResultCount
from admin_app.state.app_state import AppState
from admin_app.state.list_page import ListPageState
from admin_app.state.views import CustomerView, customer_view


class CustomersState(ListPageState[db.CustomerQuery, CustomerView], AppState):
    """Search, filters, sort and one page of customers."""

    _path: ClassVar[str] = "/customers"
    _noun: ClassVar[str] = "customers"
    _filter_names: ClassVar[tuple[str, ...]] = ("login", "confirmed")
    _read_permission: ClassVar[Permission] = Permission.CUSTOMERS_READ
    rows: list[CustomerView] = []

    def _parse(self, params: Mapping[str, object]) -> tuple[db.CustomerQuery, list[str]]:
        parsed = db.parse_customer_query(params)
        return parsed.query, parsed.errors

    def _to_params(self, query: db.CustomerQuery) -> dict[str, str]:
        return query.to_params()

    def _with_sort(self, query: db.CustomerQuery, key: str) -> db.CustomerQuery:
        return db.with_sort(query, key)

    def _fetch_rows(
        self, session: Session, query: db.CustomerQuery, after: str | None, before: str | None
    ) -> tuple[Page, list[CustomerView]]:
        result = db.search_customers(session=session, query=query, after=after, before=before)
        return result, [customer_view(c) for c in result.rows]

    def _count(self, session: Session, query: db.CustomerQuery) -> ResultCount:
        return db.count_customers(session=session, query=query)
