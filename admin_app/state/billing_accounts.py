"""State of the Billing accounts page: the shared list behaviour over account search."""

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db.accounts import search as db
from admin_app.db.lists.spec import ListSpec
from admin_app.db.models import BillingAccount
from admin_app.state.app_state import AppState
from admin_app.state.list_page import DescribedListState


@dataclass
class AccountRow:
    """A billing account as its list shows it: the emails of its Sold To and Bill To."""

    id: str = ""
    name: str = ""
    zuora_account_id: str = ""
    sold_to: str = ""
    bill_to: str = ""
    reseller: str = ""


class BillingAccountsState(DescribedListState[AccountRow], AppState):
    _path: ClassVar[str] = "/billing-accounts"
    _noun: ClassVar[str] = "billing accounts"
    _spec: ClassVar[ListSpec] = db.ACCOUNT_LIST
    _filter_names: ClassVar[tuple[str, ...]] = db.ACCOUNT_LIST.filter_names
    _read_permission: ClassVar[Permission] = Permission.CUSTOMERS_READ
    rows: list[AccountRow] = []

    def _views(self, session: Session, records: list[object]) -> list[AccountRow]:
        accounts = [a for a in records if isinstance(a, BillingAccount)]
        contacts = db.sold_to_and_bill_to(session, accounts)

        def email(contact_id: int | None) -> str:
            return contacts[contact_id].email if contact_id in contacts else ""

        rows = [
            AccountRow(
                id=str(a.id),
                name=a.name,
                zuora_account_id=a.zuora_account_id,
                sold_to=email(a.sold_to_contact_id),
                bill_to="same as Sold To"
                if a.bill_to_contact_id == a.sold_to_contact_id
                else email(a.bill_to_contact_id),
                reseller=a.reseller or "",
            )
            for a in accounts
        ]
        return rows
