"""State of the Billing accounts page: the shared list behaviour over account search."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db import billing_accounts as db
from admin_app.db.paging import Page, ResultCount
from admin_app.state.app_state import AppState
from admin_app.state.list_page import ListPageState


@dataclass
class AccountRow:
    """A billing account as its list shows it: the emails of its Sold To and Bill To."""

    id: str = ""
    name: str = ""
    zuora_account_id: str = ""
    sold_to: str = ""
    bill_to: str = ""
    reseller: str = ""


class BillingAccountsState(ListPageState[db.AccountQuery, AccountRow], AppState):
    _path: ClassVar[str] = "/billing-accounts"
    _noun: ClassVar[str] = "billing accounts"
    _filter_names: ClassVar[tuple[str, ...]] = ()
    _read_permission: ClassVar[Permission] = Permission.CUSTOMERS_READ
    rows: list[AccountRow] = []

    def _parse(self, params: Mapping[str, object]) -> tuple[db.AccountQuery, list[str]]:
        parsed = db.parse_account_query(params)
        return parsed.query, parsed.errors

    def _to_params(self, query: db.AccountQuery) -> dict[str, str]:
        return query.to_params()

    def _with_sort(self, query: db.AccountQuery, key: str) -> db.AccountQuery:
        return db.AccountQuery(q=query.q, descending=not query.descending) if key == "name" else query

    def _fetch_rows(
        self, session: Session, query: db.AccountQuery, after: str | None, before: str | None
    ) -> tuple[Page, list[AccountRow]]:
        result = db.search_accounts(session=session, query=query, after=after, before=before)
        contacts = db.sold_to_and_bill_to(session, result.rows)

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
            for a in result.rows
        ]
        return result, rows

    def _count(self, session: Session, query: db.AccountQuery) -> ResultCount:
        return db.count_accounts(session=session, query=query)
