"""State of the Subscriptions page: the shared list behaviour over subscription search."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db import subscription_list as db
from admin_app.db.paging import Page, ResultCount
from admin_app.state.app_state import AppState
from admin_app.state.list_page import ListPageState


@dataclass
class SubscriptionListRow:
    """A subscription as the Subscriptions list shows it, with its billing account's name."""

    name: str = ""
    account: str = ""
    account_id: str = ""
    plan: str = ""
    deployment: str = ""
    seats: str = ""
    channel: str = ""
    status: str = ""
    term: str = ""


class SubscriptionsState(ListPageState[db.SubscriptionQuery, SubscriptionListRow], AppState):
    _path: ClassVar[str] = "/subscriptions"
    _noun: ClassVar[str] = "subscriptions"
    _filter_names: ClassVar[tuple[str, ...]] = ("plan", "channel", "status", "deployment")
    _read_permission: ClassVar[Permission] = Permission.LICENSES_READ
    rows: list[SubscriptionListRow] = []

    def _parse(self, params: Mapping[str, object]) -> tuple[db.SubscriptionQuery, list[str]]:
        parsed = db.parse_subscription_query(params)
        return parsed.query, parsed.errors

    def _to_params(self, query: db.SubscriptionQuery) -> dict[str, str]:
        return query.to_params()

    def _with_sort(self, query: db.SubscriptionQuery, key: str) -> db.SubscriptionQuery:
        return db.with_sort(query, key)

    def _fetch_rows(
        self, session: Session, query: db.SubscriptionQuery, after: str | None, before: str | None
    ) -> tuple[Page, list[SubscriptionListRow]]:
        result = db.search_subscriptions(session=session, query=query, after=after, before=before)
        names = db.account_names(session, result.rows)
        rows = [
            SubscriptionListRow(
                name=s.name,
                account=names.get(s.billing_account_id, ""),
                account_id=str(s.billing_account_id),
                plan=s.plan.capitalize(),
                deployment=db.DEPLOYMENTS.get(s.deployment, s.deployment),
                seats=f"{s.seats:,}",
                channel=s.channel.capitalize(),
                status=s.status.capitalize(),
                term=f"{s.term_start.isoformat()} → {s.term_end.isoformat()}",
            )
            for s in result.rows
        ]
        return result, rows

    def _count(self, session: Session, query: db.SubscriptionQuery) -> ResultCount:
        return db.count_subscriptions(session=session, query=query)
