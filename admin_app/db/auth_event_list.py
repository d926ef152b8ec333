"""The sign-in audit as a list: newest first, filtered by kind, person, address and time, keyset-paged
through every row (a flood of refusals can no longer push older entries out of reach).

Free text is looked for in the detail, the email and the address; like the history's, it has no index,
so it reads a bounded window of the newest rows and says so.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.sql.elements import SQLColumnExpression
from sqlmodel import Session, col

from admin_app.db.auth_events import KINDS
from admin_app.db.listing import ListSource
from admin_app.db.models import AuthEvent
from admin_app.db.paging import Match
from admin_app.db.query_params import Parsed, read_choice, read_date_range, read_text
from admin_app.db.text_search import like_pattern, normalize_term
from admin_app.db.validation import MAX_EMAIL

MAX_ADDRESS = 64
# The audit reads newest first, always.
SORT_COLUMNS = {"newest": (AuthEvent.at, datetime)}
KIND_LABELS = {kind: kind.replace("_", " ").capitalize() for kind in KINDS}


@dataclass(frozen=True)
class AuthEventQuery:
    q: str = ""
    kind: str | None = None
    person: str = ""
    address: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "newest"
    descending: bool = True

    def to_params(self) -> dict[str, str]:
        params = {
            "q": self.q,
            "kind": self.kind or "",
            "person": self.person,
            "address": self.address,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in params.items() if value}


def parse_auth_event_query(params: Mapping[str, object]) -> Parsed[AuthEventQuery]:
    """Read an AuthEventQuery from URL parameters; bad values are dropped with a message."""
    errors: list[str] = []
    date_from, date_to = read_date_range(params, ("from", "to"), "Date", errors)
    query = AuthEventQuery(
        q=normalize_term(params.get("q")),
        kind=read_choice(params, "kind", KINDS, "kind of entry", errors),
        person=read_text(params, "person", MAX_EMAIL),
        address=read_text(params, "address", MAX_ADDRESS),
        date_from=date_from,
        date_to=date_to,
    )
    return Parsed(query=query, errors=errors)


def _match(_session: Session, query: AuthEventQuery) -> Match:
    """The audit's filters (no search index is asked, so the session is not needed)."""
    e = AuthEvent
    # Address, person and kind each have an index in the list's order (at, id); the rarest one given
    # counts the windows (see Match.in_order), so an address with three entries among a million is
    # found without reading the million.
    in_order = [
        condition
        for given, condition in (
            (query.address, col(e.client_address) == query.address),
            (query.person, sa.func.lower(col(e.email)) == query.person.lower()),
            (query.kind, col(e.kind) == query.kind),
        )
        if given
    ]
    filters: list[SQLColumnExpression[bool]] = list(in_order)
    if query.date_from:
        filters.append(col(e.at) >= datetime.combine(query.date_from, time.min, tzinfo=UTC))
    if query.date_to:
        filters.append(col(e.at) < datetime.combine(query.date_to + timedelta(days=1), time.min, tzinfo=UTC))
    rarest = tuple(in_order[:1])
    if not query.q:
        return Match(filters=filters, in_order=rarest)
    text = sa.func.lower(col(e.detail) + " " + col(e.email) + " " + col(e.client_address))
    return Match(
        filters=filters, row_match=text.like(like_pattern(query.q.lower()), escape="\\"), in_order=rarest
    )


AUTH_EVENTS = ListSource(
    entity=AuthEvent,
    id_column=col(AuthEvent.id),
    sort_columns=SORT_COLUMNS,
    match=_match,
)
search_auth_events = AUTH_EVENTS.search
count_auth_events = AUTH_EVENTS.count
