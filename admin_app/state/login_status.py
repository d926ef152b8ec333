"""State of the Login status page: customers who cannot sign in, and whether that was on purpose (rule 6)."""

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db.customers import login_status as db
from admin_app.db.lists.spec import ListSpec
from admin_app.db.models import Customer
from admin_app.state.app_state import AppState
from admin_app.state.list_page import DescribedListState


@dataclass
class NotActivatedRow:
    """A customer whose login is not active: never enabled, or disabled on purpose (by whom, when, why)."""

    id: str = ""
    name: str = ""
    email: str = ""
    company: str = ""
    kind: str = ""
    disabled_by: str = ""
    disabled_at: str = ""
    reason: str = ""


def not_activated_row(customer: Customer, why: db.DisabledOnPurpose | None) -> NotActivatedRow:
    """How a customer of the list is shown: who disabled the login, when and why, if it was on purpose."""
    return NotActivatedRow(
        id=str(customer.id),
        name=f"{customer.first_name} {customer.last_name}",
        email=customer.email,
        company=customer.company,
        kind=db.login_off_kind(why),
        disabled_by=why.actor if why else "",
        disabled_at=why.at.strftime("%Y-%m-%d %H:%M UTC") if why else "",
        reason=why.reason if why else "",
    )


class LoginStatusState(DescribedListState[NotActivatedRow], AppState):
    _path: ClassVar[str] = "/login-status"
    _noun: ClassVar[str] = "customers"
    _spec: ClassVar[ListSpec] = db.LOGIN_STATUS_LIST
    _filter_names: ClassVar[tuple[str, ...]] = db.LOGIN_STATUS_LIST.filter_names
    _read_permission: ClassVar[Permission] = Permission.CUSTOMERS_READ
    rows: list[NotActivatedRow] = []

    def _views(self, session: Session, records: list[object]) -> list[NotActivatedRow]:
        customers = [c for c in records if isinstance(c, Customer)]
        disabled = db.disabled_on_purpose_of(session, customers)
        return [not_activated_row(c, why) for c, why in zip(customers, disabled, strict=True)]
