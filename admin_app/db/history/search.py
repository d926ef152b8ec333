"""The change history across records: by time, newest first (or oldest first), filtered, keyset-paged
(no COUNT(*) over a million rows).

Free text is looked for in the reason, the staff member and the changed values; it has no index,
so like a short license search it reads a bounded window of the newest rows and says so.
"""

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from admin_app.db.history.audit import ITEM_LABELS
from admin_app.db.lists.paging import Match
from admin_app.db.lists.query_params import parse_id
from admin_app.db.lists.spec import (
    ChoiceFilter,
    Condition,
    CsvColumn,
    DateRangeFilter,
    ListSpec,
    TextFilter,
    csv_date,
    csv_field,
    equal_to,
)
from admin_app.db.lists.text_search import like_pattern
from admin_app.db.models import Version
from admin_app.db.validation import MAX_EMAIL

FIELD_NAME_LENGTH = 60
REQUEST_ID = re.compile(r"[0-9a-f]{32}")


class _names_field(FunctionElement[bool]):
    """A history row's changes name a field (`changes`, then the field's name): the JSON syntax
    differs between the databases."""

    type = sa.Boolean()
    inherit_cache = True


@compiles(_names_field, "postgresql")
def _names_field_postgresql(element: _names_field, compiler: SQLCompiler, **kw: Any) -> str:
    changes, name = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({changes} -> {name}) IS NOT NULL"


@compiles(_names_field)
def _names_field_sqlite(element: _names_field, compiler: SQLCompiler, **kw: Any) -> str:
    changes, name = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"json_type({changes}, '$.\"' || {name} || '\"') IS NOT NULL"


def _names_field_typed(field: str) -> Condition:
    """Rows whose changes name the field as typed ("login activated" is `login_activated`)."""
    return _names_field(col(Version.changes), sa.literal(field.replace(" ", "_").lower()))


def _record(record: str) -> Condition:
    """Rows of a record id, of any kind: each kind is named so the (item_type, item_id) index finds the
    id without the kind given."""
    return sa.and_(col(Version.item_type).in_(ITEM_LABELS), col(Version.item_id) == parse_id(record))


def _term_match(_session: Session, term: str, filters: list[Condition]) -> Match:
    """Free text in the reason, the staff member and the changed values (no index: a bounded window)."""
    v = Version
    text = sa.func.lower(
        sa.func.coalesce(col(v.reason), "") + " " + col(v.actor) + " " + sa.cast(col(v.changes), sa.Text)
    )
    return Match(filters=filters, row_match=text.like(like_pattern(term.lower()), escape="\\"))


# Record type and staff member each have an index in the list's time order (created_at, id); the
# rarer one given counts the windows (see Match.in_order), so a staff member with five changes among a
# million rows is found without walking the million.
HISTORY_LIST = ListSpec(
    entity=Version,
    id_column=col(Version.id),
    search=None,
    filters=(
        TextFilter(
            "actor",
            "Staff member (email)",
            MAX_EMAIL,
            lambda actor: sa.func.lower(col(Version.actor)) == actor.lower(),
            in_order=2,
        ),
        ChoiceFilter(
            "type",
            "Record type",
            "record type",
            equal_to(lambda: col(Version.item_type), ITEM_LABELS),
            in_order=1,
        ),
        TextFilter(
            "record",
            "Record id",
            12,
            _record,
            check=lambda record: parse_id(record) is not None,
            noun="record",
            expected="an id",
        ),
        TextFilter("field", "Field", FIELD_NAME_LENGTH, _names_field_typed),
        DateRangeFilter(("from", "to"), "Date", ("From", "To"), lambda: col(Version.created_at)),
        # One staff action: every row it wrote (rule 12).
        TextFilter(
            "request",
            "Request",
            64,
            lambda request: col(Version.request_id) == request,
            check=lambda request: REQUEST_ID.fullmatch(request) is not None,
            noun="request",
            expected="a request id",
            in_bar=False,
        ),
    ),
    # By when each change was made, newest first unless asked otherwise: demo data and imports wrote
    # old changes late, so the id is not the time order (index ix_version_created_at_id).
    sort_columns={"when": (Version.created_at, datetime)},
    default_sort="-when",
    term_match=_term_match,
    export_columns=(
        csv_field("id"),
        csv_date("created_at"),
        csv_field("actor"),
        csv_field("event"),
        csv_field("item_type"),
        csv_field("item_id"),
        CsvColumn("changes", lambda row: json.dumps(row.changes)),
        csv_field("reason"),
        csv_field("request_id"),
    ),
)


def fold_by_request(versions: Sequence[Version]) -> list[list[Version]]:
    """Rule 12 on a page of history: neighbouring rows of one staff action (one request id) as one
    change, its main row first (the first it wrote), then its consequences in the order it wrote them;
    rows without a request id stand alone. An action cut by a page boundary folds on each page;
    `?request=` shows it whole."""
    changes: list[list[Version]] = []
    for version in versions:
        if changes and version.request_id and changes[-1][0].request_id == version.request_id:
            changes[-1].append(version)
        else:
            changes.append([version])
    return [sorted(change, key=_written) for change in changes]


def _written(version: Version) -> int:
    """When a row was written among its action's rows: ids are given in the order rows are written."""
    return version.id or 0
