"""The change history across records: newest first, filtered, keyset-paged (no COUNT(*) over a million rows).

Free text is looked for in the reason, the staff member and the changed values; it has no index,
so like a short license search it reads a bounded window of the newest rows and says so.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement, SQLColumnExpression
from sqlmodel import Session, col, select

from admin_app.db.audit import ITEM_LABELS
from admin_app.db.listing import ListSource
from admin_app.db.models import BillingAccountContact, Version, stored_id
from admin_app.db.paging import Match
from admin_app.db.query_params import Parsed, parse_id, quoted, read_choice, read_date_range, read_text
from admin_app.db.text_search import like_pattern, normalize_term
from admin_app.db.validation import MAX_EMAIL

FIELD_NAME_LENGTH = 60
REQUEST_ID = re.compile(r"[0-9a-f]{32}")


# The history reads newest first, always.
SORT_COLUMNS = {"newest": (Version.id, int)}


@dataclass(frozen=True)
class HistoryQuery:
    q: str = ""
    actor: str = ""
    item_type: str | None = None
    item_id: int | None = None
    field: str = ""
    date_from: date | None = None
    date_to: date | None = None
    # One staff action: every row it wrote (rule 12).
    request_id: str = ""
    sort: str = "newest"
    descending: bool = True

    def to_params(self) -> dict[str, str]:
        params = {
            "q": self.q,
            "actor": self.actor,
            "type": self.item_type or "",
            "record": str(self.item_id) if self.item_id is not None else "",
            "field": self.field,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "request": self.request_id,
        }
        return {key: value for key, value in params.items() if value}


def parse_history_query(params: Mapping[str, object]) -> Parsed[HistoryQuery]:
    """Read a HistoryQuery from URL parameters; bad values are dropped with a message."""
    errors: list[str] = []
    record = read_text(params, "record", 12)
    if record and parse_id(record) is None:
        errors.append(f"Record {quoted(record)} is not an id and was ignored.")
    date_from, date_to = read_date_range(params, ("from", "to"), "Date", errors)
    request_id = read_text(params, "request", 64)
    if request_id and not REQUEST_ID.fullmatch(request_id):
        errors.append(f"Request {quoted(request_id)} is not a request id and was ignored.")
        request_id = ""
    query = HistoryQuery(
        q=normalize_term(params.get("q")),
        actor=read_text(params, "actor", MAX_EMAIL),
        item_type=read_choice(params, "type", ITEM_LABELS, "record type", errors),
        item_id=parse_id(record),
        field=read_text(params, "field", FIELD_NAME_LENGTH),
        date_from=date_from,
        date_to=date_to,
        request_id=request_id,
    )
    return Parsed(query=query, errors=errors)


def _has_field(session: Session, name: str) -> ColumnElement[bool]:
    """Rows whose changes name `name`, in the dialect's JSON syntax."""
    changes = col(Version.changes)
    if session.get_bind().dialect.name == "postgresql":
        return changes.op("->")(sa.literal(name)).is_not(None)
    return sa.func.json_type(changes, sa.literal(f'$."{name}"')).is_not(None)


def _match(session: Session, query: HistoryQuery) -> Match:
    v = Version
    filters: list[SQLColumnExpression[bool]] = []
    if query.actor:
        filters.append(sa.func.lower(col(v.actor)) == query.actor.lower())
    if query.item_type:
        filters.append(col(v.item_type) == query.item_type)
    if query.item_id is not None:
        filters.append(col(v.item_id) == query.item_id)
    if query.request_id:
        filters.append(col(v.request_id) == query.request_id)
    if query.field:
        filters.append(_has_field(session, query.field.replace(" ", "_").lower()))
    if query.date_from:
        filters.append(col(v.created_at) >= datetime.combine(query.date_from, time.min, tzinfo=UTC))
    if query.date_to:
        filters.append(
            col(v.created_at) < datetime.combine(query.date_to + timedelta(days=1), time.min, tzinfo=UTC)
        )
    if not query.q:
        return Match(filters=filters)
    pattern = like_pattern(query.q.lower())
    text = sa.func.lower(
        sa.func.coalesce(col(v.reason), "") + " " + col(v.actor) + " " + sa.cast(col(v.changes), sa.Text)
    )
    return Match(filters=filters, row_match=text.like(pattern, escape="\\"))


HISTORY = ListSource(
    entity=Version,
    id_column=col(Version.id),
    sort_columns=SORT_COLUMNS,
    match=_match,
)
search_history = HISTORY.search
count_history = HISTORY.count
iter_history = HISTORY.every


def fold_by_request(versions: Sequence[Version]) -> list[list[Version]]:
    """Rule 12 on a page of history: neighbouring rows of one staff action (one request id) as one
    change, its newest row first; rows without a request id stand alone. An action cut by a page
    boundary folds on each page; `?request=` shows it whole."""
    changes: list[list[Version]] = []
    for version in versions:
        if changes and version.request_id and changes[-1][0].request_id == version.request_id:
            changes[-1].append(version)
        else:
            changes.append([version])
    return changes


def accounts_of_contacts(session: Session, contact_ids: set[int]) -> dict[int, int]:
    """contact id -> its billing account's id, so a contact's history row can link to the account."""
    if not contact_ids:
        return {}
    rows = session.exec(
        select(col(BillingAccountContact.id), col(BillingAccountContact.billing_account_id)).where(
            col(BillingAccountContact.id).in_(sorted(contact_ids))
        )
    )
    return {stored_id(contact_id): account_id for contact_id, account_id in rows}
