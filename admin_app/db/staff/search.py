"""The sign-in audit as a list: newest first, filtered by kind, person, address and time, keyset-paged
through every row (a flood of refusals can no longer push older entries out of reach).

Free text is looked for in the detail, the email and the address; like the history's, it has no index,
so it reads a bounded window of the newest rows and says so.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from admin_app.db.lists.paging import Match
from admin_app.db.lists.spec import ChoiceFilter, Condition, DateRangeFilter, ListSpec, TextFilter, equal_to
from admin_app.db.lists.text_search import like_pattern
from admin_app.db.models import AuthEvent
from admin_app.db.staff.auth_events import KINDS
from admin_app.db.validation import MAX_EMAIL

MAX_ADDRESS = 64
KIND_LABELS = {kind: kind.replace("_", " ").capitalize() for kind in KINDS}


def _text(term: str) -> Condition:
    """Free text in the detail, the email or the address (no index: a bounded window is read)."""
    e = AuthEvent
    text = sa.func.lower(col(e.detail) + " " + col(e.email) + " " + col(e.client_address))
    return text.like(like_pattern(term.lower()), escape="\\")


def _term_match(_session: Session, term: str, filters: list[Condition]) -> Match:
    return Match(filters=filters, row_match=_text(term))


# Address, person and kind each have an index in the list's order (at, id); the rarest one given
# counts the windows (see Match.in_order), so an address with three entries among a million is found
# without reading the million.
AUTH_EVENT_LIST = ListSpec(
    entity=AuthEvent,
    id_column=col(AuthEvent.id),
    search=None,
    filters=(
        ChoiceFilter(
            "kind",
            "What",
            "kind of entry",
            equal_to(lambda: col(AuthEvent.kind), KIND_LABELS),
            in_order=1,
        ),
        TextFilter(
            "person",
            "Staff member (email)",
            MAX_EMAIL,
            lambda email: sa.func.lower(col(AuthEvent.email)) == email.lower(),
            in_order=2,
        ),
        TextFilter(
            "address",
            "Address",
            MAX_ADDRESS,
            lambda address: col(AuthEvent.client_address) == address,
            in_order=3,
        ),
        DateRangeFilter(("from", "to"), "Date", ("From", "To"), lambda: col(AuthEvent.at)),
    ),
    # The audit reads newest first, always.
    sort_columns={"newest": (AuthEvent.at, datetime)},
    default_sort="-newest",
    term_match=_term_match,
)
