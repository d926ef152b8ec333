"""State of the Customers page: the shared list behaviour over the customer list's description."""

from typing import ClassVar

from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db.customers.search import CUSTOMER_LIST
from admin_app.db.lists.spec import ListSpec
from admin_app.db.models import Customer
from admin_app.state.app_state import AppState
from admin_app.state.list_page import DescribedListState
from admin_app.state.views import CustomerView, customer_view


class CustomersState(DescribedListState[CustomerView], AppState):
    """Search, filters, sort and one page of customers."""

    _path: ClassVar[str] = "/customers"
    _noun: ClassVar[str] = "customers"
    _spec: ClassVar[ListSpec] = CUSTOMER_LIST
    _filter_names: ClassVar[tuple[str, ...]] = CUSTOMER_LIST.filter_names
    _read_permission: ClassVar[Permission] = Permission.CUSTOMERS_READ
    rows: list[CustomerView] = []

    def _views(self, session: Session, records: list[object]) -> list[CustomerView]:
        return [customer_view(c) for c in records if isinstance(c, Customer)]
