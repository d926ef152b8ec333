"""State of the Login status page: customers who cannot sign in, and whether that was on purpose (rule 6)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db.customers import login_status as db
from admin_app.db.lists.paging import Page, ResultCount
from admin_app.state.app_state import AppState
from admin_app.state.list_page import ListPageState


@dataclass
class NotActivatedRow:
    """A customer whose login is not active: never activated, or disabled (by whom, when, why)."""

    id: str = ""
    name: str = ""
    email: str = ""
    company: str = ""
    kind: str = ""
    disabled_by: str = ""
    disabled_at: str = ""
    reason: str = ""


class LoginStatusState(ListPageState[db.LoginStatusQuery, NotActivatedRow], AppState):
    _path: ClassVar[str] = "/login-status"
    _noun: ClassVar[str] = "customers"
    _filter_names: ClassVar[tuple[str, ...]] = ("kind",)
    _read_permission: ClassVar[Permission] = Permission.CUSTOMERS_READ
    rows: list[NotActivatedRow] = []

    def _parse(self, params: Mapping[str, object]) -> tuple[db.LoginStatusQuery, list[str]]:
        return db.parse_login_status_query(params)

    def _to_params(self, query: db.LoginStatusQuery) -> dict[str, str]:
        return query.to_params()

    def _with_sort(self, query: db.LoginStatusQuery, key: str) -> db.LoginStatusQuery:
        return (
            db.LoginStatusQuery(q=query.q, kind=query.kind, descending=not query.descending)
            if key == "name"
            else query
        )

    def _fetch_rows(
        self, session: Session, query: db.LoginStatusQuery, after: str | None, before: str | None
    ) -> tuple[Page, list[NotActivatedRow]]:
        page, disabled = db.search_not_activated(session=session, query=query, after=after, before=before)
        rows = []
        for c in page.rows:
            why = disabled.get(c.id)
            rows.append(
                NotActivatedRow(
                    id=str(c.id),
                    name=f"{c.first_name} {c.last_name}",
                    email=c.email,
                    company=c.company,
                    kind=db.KINDS["disabled" if why else "never"],
                    disabled_by=why.actor if why else "",
                    disabled_at=why.at.strftime("%Y-%m-%d %H:%M UTC") if why else "",
                    reason=why.reason if why else "",
                )
            )
        return page, rows

    def _count(self, session: Session, query: db.LoginStatusQuery) -> ResultCount:
        return db.count_not_activated(session=session, query=query)
