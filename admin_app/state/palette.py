"""State of the command palette (Ctrl+K on every page): what one term found, grouped by kind, among
only the kinds the signed-in staff member's role may read."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.gate import SIGNED_IN, requires
from admin_app.auth.identity import identity_for_cookie_header
from admin_app.auth.permissions import Permission, is_allowed
from admin_app.db.find_anything import Found, Kind, find_kind, palette_term
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.state.app_state import AppState
from admin_app.state.events import Replies


def _finder(kind: Kind, term: str) -> Callable[[Session], list[Found]]:
    """The search of one kind, for a pooled connection of its own."""
    return lambda session: find_kind(session=session, kind=kind, term=term)


@dataclass(frozen=True)
class KindPage:
    """Where a kind of record lives in the app, and who may read it."""

    label: str
    list_path: str
    permission: Permission
    # The list's parameter that the palette's term fills, for "all matching".
    list_param: str = "q"


KIND_PAGES = {
    Kind.CUSTOMER: KindPage("Customers", "/customers", Permission.CUSTOMERS_READ),
    Kind.LICENSE: KindPage("Licenses", "/licenses", Permission.LICENSES_READ),
    # A server leads to the license it runs under; all of them, to the licenses on that host.
    Kind.SERVER: KindPage("Servers", "/licenses", Permission.LICENSES_READ, list_param="host"),
    Kind.BILLING_ACCOUNT: KindPage("Billing accounts", "/billing-accounts", Permission.CUSTOMERS_READ),
    Kind.SUBSCRIPTION: KindPage("Subscriptions", "/subscriptions", Permission.LICENSES_READ),
    Kind.RECONCILIATION: KindPage("Reconciliations", "/reconciliations", Permission.RECONCILIATIONS_READ),
}


def readable_kinds(roles: tuple[str, ...]) -> set[Kind]:
    """The kinds of record `roles` may read."""
    return {kind for kind, page in KIND_PAGES.items() if is_allowed(roles, page.permission)}


@dataclass
class PaletteHit:
    title: str = ""
    detail: str = ""
    href: str = ""


@dataclass
class PaletteGroup:
    label: str = ""
    # The kind's own list, searched for the same term.
    all_href: str = ""
    hits: list[PaletteHit] = field(default_factory=list)


def grouped(found: list[Found], term: str) -> list[PaletteGroup]:
    """Hits in Kind's order, one group per kind that found anything."""
    groups: dict[Kind, PaletteGroup] = {}
    for hit in found:
        page = KIND_PAGES[hit.kind]
        group = groups.setdefault(
            hit.kind, PaletteGroup(page.label, f"{page.list_path}?{urlencode({page.list_param: term})}")
        )
        group.hits.append(PaletteHit(hit.title, hit.detail, f"{page.list_path}/{quote(hit.key, safe='')}"))
    return list(groups.values())


class PaletteState(AppState):
    """The palette's term and what it found."""

    term: str = ""
    groups: list[PaletteGroup] = []
    searching: bool = False
    error: str = ""

    @rx.var
    def hint(self) -> str:
        """What the palette says instead of results."""
        if self.error:
            return self.error
        if not palette_term(self.term):
            return (
                "Type three letters or digits in a row of a name, an email, a company, an account "
                "or a host name."
            )
        if self.searching:
            return "Searching…"
        return "" if self.groups else f"Nothing matches “{self.term.strip()}”."

    @rx.event
    @requires(SIGNED_IN)
    async def search(self, term: str) -> Replies:
        """Look for `term` in every kind of record the role may read (the gate has checked the session;
        the role decides the kinds)."""
        self.term, self.error = term[:300], ""
        wanted = palette_term(self.term)
        if not wanted:
            self.groups = []
            return
        identity = await identity_for_cookie_header(self.router.headers.cookie)
        kinds = readable_kinds(identity.roles) if identity else set()
        self.searching = True
        yield None
        # Side by side, each kind on its own pooled connection: the wait is the slowest kind's, not the sum.
        searches = [in_session(_finder(kind, wanted)) for kind in Kind if kind in kinds]
        try:
            found = [hit for hits in await asyncio.gather(*searches) for hit in hits]
            self.groups = grouped(found, wanted)
        except SQLAlchemyError:
            self.groups, self.error = [], DATABASE_UNAVAILABLE
        self.searching = False
