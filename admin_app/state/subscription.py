"""State of the subscription page: its billing account, terms and licenses."""

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from admin_app.db import licenses as license_db
from admin_app.db import subscriptions as db
from admin_app.db.session import session_scope
from admin_app.state.license_detail import path_tail
from admin_app.state.views import (
    DATABASE_UNAVAILABLE,
    billing_account_view,
    license_view,
    subscription_view,
)


class SubscriptionState(rx.State):
    """One subscription by name."""

    subscription: dict[str, str] = {}
    account: dict[str, str] = {}
    licenses: list[dict[str, str]] = []
    not_found: bool = False
    loading: bool = True
    error: str = ""

    @rx.event
    def load(self):
        self.loading, self.error, self.not_found = True, "", False
        yield
        name = path_tail(self.router.url.path)
        today = license_db.today_utc()
        try:
            with session_scope() as session:
                found = db.get_subscription_by_name(session=session, name=name[:20])
                if found is None:
                    self.subscription, self.account, self.licenses, self.not_found = {}, {}, [], True
                else:
                    self.subscription = subscription_view(found, db.is_read_only(found))
                    self.account = billing_account_view(
                        db.get_billing_account(session=session, billing_account_id=found.billing_account_id)
                    )
                    rows = license_db.licenses_of_subscription(session=session, subscription_name=found.name)
                    active = license_db.active_license_ids(
                        session=session, companies={r.company for r in rows}, today=today
                    )
                    self.licenses = [license_view(r, active, today) for r in rows]
        except SQLAlchemyError:
            self.error = DATABASE_UNAVAILABLE
        self.loading = False
