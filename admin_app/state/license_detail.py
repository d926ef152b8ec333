"""State of the license detail page: one license, the company's other licenses, rule 11's mark."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import reflex as rx
from sqlmodel import Session

from admin_app.auth.gate import requires
from admin_app.auth.permissions import Permission
from admin_app.db.licenses import search as db
from admin_app.db.licenses.activations import ActivationStatus, activation_status
from admin_app.db.licenses.recipients import Recipient, license_recipient
from admin_app.db.licenses.usage import ServerUsage, servers_of_license
from admin_app.db.lists.query_params import parse_id
from admin_app.db.models import id_of
from admin_app.settings import get_settings
from admin_app.state.app_state import AppState
from admin_app.state.events import Replies
from admin_app.state.loading import DetailPageState
from admin_app.state.views import LicenseView, license_view


def path_tail(path: str) -> str:
    """The last segment of a URL path: the id or name of a detail page."""
    return path.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class ActivationView:
    """A cloud license's code (its last four characters) and who activated it."""

    code_hint: str = ""
    used: bool = False
    instances: list[list[str]] = field(default_factory=list)


def activation_view(status: ActivationStatus | None) -> ActivationView:
    if status is None:
        return ActivationView()
    instances = [[a.instance_id, a.activated_at.strftime("%Y-%m-%d %H:%M UTC")] for a in status.activations]
    return ActivationView(status.code_hint, status.used, instances)


@dataclass
class RecipientView:
    """The customer a license was delivered to (no id when no customer has its address)."""

    customer_id: str = ""
    name: str = ""
    # The billing account whose Sold To the customer is; empty when they are not one.
    sold_to_of: str = ""


def recipient_view(recipient: Recipient | None) -> RecipientView:
    if recipient is None:
        return RecipientView()
    customer = recipient.customer
    return RecipientView(
        str(customer.id), f"{customer.first_name} {customer.last_name}", recipient.sold_to_of
    )


@dataclass
class ServerRow:
    """A server that reported usage under the license, as its newest ping said."""

    hostname: str = ""
    version: str = ""
    active_users: int = 0
    peak_users: int = 0
    last_ping: str = ""
    stale: bool = False


def server_row(server: ServerUsage) -> ServerRow:
    return ServerRow(
        server.hostname,
        server.version,
        server.active_users,
        server.peak_users,
        server.last_ping_at.strftime("%Y-%m-%d %H:%M UTC"),
        server.stale,
    )


Read = tuple[LicenseView, ActivationView, RecipientView, list[LicenseView], list[ServerRow]]


class LicenseDetailState(DetailPageState, AppState):
    """One license, its activation code's use (cloud licenses), and its company's history of licenses."""

    license: LicenseView = LicenseView()
    activation: ActivationView = ActivationView()
    recipient: RecipientView = RecipientView()
    company_licenses: list[LicenseView] = []
    servers: list[ServerRow] = []
    # A server is stale after this many days without a usage ping (USAGE_STALE_DAYS).
    stale_days: int = 30

    @rx.event
    @requires(Permission.LICENSES_READ)
    async def load(self) -> Replies:
        tail = path_tail(self.router.url.path)
        license_id = parse_id(tail)
        today = db.today_utc()
        stale_days = get_settings().USAGE_STALE_DAYS

        def fetch(session: Session) -> Read:
            found = db.get_license(session=session, license_id=license_id) if license_id else None
            if found is None:
                return LicenseView(), ActivationView(), RecipientView(), [], []
            active = db.active_license_ids(session=session, companies=[found.company], today=today)
            others = db.licenses_of_company(session=session, company=found.company)
            activation = activation_view(activation_status(session=session, license=found))
            recipient = recipient_view(license_recipient(session, email=found.email))
            servers = servers_of_license(
                session=session,
                license_id=id_of(found),
                now=datetime.now(UTC),
                stale_after=timedelta(days=stale_days),
            )
            return (
                license_view(found, active, today),
                activation,
                recipient,
                [license_view(o, active, today) for o in others],
                [server_row(server) for server in servers],
            )

        def show(read: Read) -> bool:
            self.license, self.activation, self.recipient, self.company_licenses, self.servers = read
            self.stale_days = stale_days
            return bool(self.license.id)

        async for update in self._read(fetch, show):
            yield update
