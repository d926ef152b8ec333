"""State of the Subscriptions page: the shared list behaviour over subscription search."""

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from admin_app.auth.permissions import Permission
from admin_app.db.lists.spec import ListSpec
from admin_app.db.models import Subscription
from admin_app.db.subscriptions import search as db
from admin_app.state.app_state import AppState
from admin_app.state.list_page import DescribedListState


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


class SubscriptionsState(DescribedListState[SubscriptionListRow], AppState):
    _path: ClassVar[str] = "/subscriptions"
    _noun: ClassVar[str] = "subscriptions"
    _spec: ClassVar[ListSpec] = db.SUBSCRIPTION_LIST
    _filter_names: ClassVar[tuple[str, ...]] = db.SUBSCRIPTION_LIST.filter_names
    _read_permission: ClassVar[Permission] = Permission.LICENSES_READ
    rows: list[SubscriptionListRow] = []

    def _views(self, session: Session, records: list[object]) -> list[SubscriptionListRow]:
        subscriptions = [s for s in records if isinstance(s, Subscription)]
        names = db.account_names(session, subscriptions)
        return [
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
            for s in subscriptions
        ]
