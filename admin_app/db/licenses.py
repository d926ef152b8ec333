"""Licenses: search, filters, keyset pages, the active-license rule (DESIGN.md rule 11)."""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from admin_app.db import paging
from admin_app.db.models import License
from admin_app.db.paging import Match, decode_cursor, encode_cursor, fetch_keyset_page
from admin_app.db.text_search import (
    SearchSpec,
    normalize_term,
    search_match,
    term_can_match,
)

PLANS = ("starter", "premium", "ultimate")
LICENSE_TYPES = ("legacy", "offline", "cloud")
STATUSES = {"active": "Active", "expired": "Expired", "not_started": "Not started yet"}
TRIAL_CHOICES = {"trial": True, "paid": False}
SORT_COLUMNS = {
    "issued": (License.issued_at, datetime),
    "starts": (License.starts_at, date),
    "expires": (License.expires_at, date),
    "company": (License.company, str),
    "users": (License.user_count, int),
}
COUNT_CAP = 10_000

LICENSE_SEARCH = SearchSpec(
    id_column=col(License.id),
    columns=(
        col(License.company),
        col(License.licensee_name),
        col(License.email),
        col(License.subscription_name),
    ),
    fts_table="license_fts",
    pg_search_column="license.search_text",
)


@dataclass(frozen=True)
class LicenseQuery:
    """What the Licenses page asks for: search term, filters and sort."""

    q: str = ""
    plan: str | None = None
    trial: str | None = None
    status: str | None = None
    license_type: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    sort: str = "issued"
    descending: bool = True

    def to_params(self) -> dict[str, str]:
        """The query as URL parameters, defaults left out."""
        params = {
            "q": self.q,
            "plan": self.plan or "",
            "trial": self.trial or "",
            "status": self.status or "",
            "type": self.license_type or "",
            "issued_from": self.issued_from.isoformat() if self.issued_from else "",
            "issued_to": self.issued_to.isoformat() if self.issued_to else "",
        }
        sort = ("-" if self.descending else "") + self.sort
        if sort != "-issued":
            params["sort"] = sort
        return {key: value for key, value in params.items() if value}


@dataclass(frozen=True)
class ParsedLicenseQuery:
    """A query read from the URL, with a message for every value that was ignored."""

    query: LicenseQuery
    errors: list[str] = field(default_factory=list)


def _choice(params: Mapping[str, object], key: str, allowed: Iterable[str], label: str, errors: list[str]):
    value = params.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, str) and value in allowed:
        return value
    errors.append(f"Unknown {label} {str(value)[:40]!r} was ignored.")
    return None


def _date(params: Mapping[str, object], key: str, label: str, errors: list[str]) -> date | None:
    value = params.get(key)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.append(f"{label} {str(value)[:40]!r} is not a date (YYYY-MM-DD) and was ignored.")
        return None


def parse_license_query(params: Mapping[str, object]) -> ParsedLicenseQuery:
    """Read a LicenseQuery from URL parameters; unknown values are dropped with a message."""
    errors: list[str] = []
    sort_param = params.get("sort") or "-issued"
    sort_param = sort_param if isinstance(sort_param, str) else ""
    descending = sort_param.startswith("-")
    sort = sort_param.removeprefix("-")
    if sort not in SORT_COLUMNS:
        errors.append(f"Unknown sort {sort_param[:40]!r} was ignored.")
        sort, descending = "issued", True
    issued_from = _date(params, "issued_from", "Issued from", errors)
    issued_to = _date(params, "issued_to", "Issued to", errors)
    if issued_from and issued_to and issued_from > issued_to:
        errors.append("The issued-date range was reversed; it has been swapped.")
        issued_from, issued_to = issued_to, issued_from
    query = LicenseQuery(
        q=normalize_term(params.get("q")),
        plan=_choice(params, "plan", PLANS, "plan", errors),
        trial=_choice(params, "trial", TRIAL_CHOICES, "trial choice", errors),
        status=_choice(params, "status", STATUSES, "status", errors),
        license_type=_choice(params, "type", LICENSE_TYPES, "license type", errors),
        issued_from=issued_from,
        issued_to=issued_to,
        sort=sort,
        descending=descending,
    )
    return ParsedLicenseQuery(query=query, errors=errors)


def today_utc() -> date:
    """Today's date in UTC, the calendar licenses are valid in."""
    return datetime.now(UTC).date()


def _valid_on(today: date) -> list:
    """Started and not yet expired on `today` (a license expires on its expiry date)."""
    return [col(License.starts_at) <= today, col(License.expires_at) > today]


def _filter_conditions(query: LicenseQuery, today: date) -> list:
    conditions: list = []
    if query.plan:
        conditions.append(col(License.plan) == query.plan)
    if query.trial:
        conditions.append(col(License.trial) == TRIAL_CHOICES[query.trial])
    if query.license_type:
        conditions.append(col(License.license_type) == query.license_type)
    if query.status == "active":
        conditions.extend(_valid_on(today))
    elif query.status == "expired":
        conditions.append(col(License.expires_at) <= today)
    elif query.status == "not_started":
        conditions.append(col(License.starts_at) > today)
    if query.issued_from:
        conditions.append(col(License.issued_at) >= datetime.combine(query.issued_from, time.min, UTC))
    if query.issued_to:
        day_after = datetime.combine(query.issued_to, time.min, UTC) + timedelta(days=1)
        conditions.append(col(License.issued_at) < day_after)
    return conditions


def _match(session: Session, query: LicenseQuery, today: date) -> Match:
    filters = _filter_conditions(query, today)
    if not query.q:
        return Match(filters=filters)
    row_match, index_match = search_match(LICENSE_SEARCH, query.q, session.get_bind().dialect.name)
    return Match(filters=filters, row_match=row_match, index_match=index_match)


@dataclass(frozen=True)
class LicensePage:
    """One page of licenses and the cursors to its neighbours.

    `partial` is set when the term was too short for the search index and only the
    first UNINDEXED_SCAN_LIMIT licenses in this order were searched.
    """

    rows: list[License]
    next_cursor: str | None
    prev_cursor: str | None
    partial: bool = False


def search_licenses(
    *,
    session: Session,
    query: LicenseQuery,
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
    today: date | None = None,
) -> LicensePage:
    """A page of licenses matching `query`, after or before a cursor of an earlier page."""
    if query.q and not term_can_match(query.q):
        return LicensePage(rows=[], next_cursor=None, prev_cursor=None)
    today = today or today_utc()
    sort_column, python_type = SORT_COLUMNS[query.sort]
    match = _match(session, query, today)
    backwards = before is not None and after is None
    token = before if backwards else after
    cursor = decode_cursor(token, python_type) if token else None
    fetched = fetch_keyset_page(
        session,
        entity=License,
        sort_column=col(sort_column),
        id_column=col(License.id),
        descending=query.descending != backwards,
        cursor=cursor,
        limit=limit + 1,
        match=match,
    )
    rows = fetched.rows
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    has_next = more if not backwards else cursor is not None
    has_prev = (cursor is not None) if not backwards else more
    key = col(sort_column).key
    return LicensePage(
        rows=rows,
        next_cursor=encode_cursor(getattr(rows[-1], key), rows[-1].id) if has_next and rows else None,
        prev_cursor=encode_cursor(getattr(rows[0], key), rows[0].id) if has_prev and rows else None,
        partial=fetched.partial,
    )


@dataclass(frozen=True)
class ResultCount:
    """How many rows match: exact up to the cap, otherwise "more than cap"."""

    value: int
    exact: bool

    @property
    def label(self) -> str:
        """What the page shows, e.g. "1,234 licenses" or "10,000+ licenses"."""
        if self.exact:
            return f"{self.value:,}"
        return f"{self.value:,}+"


def count_licenses(
    *, session: Session, query: LicenseQuery, cap: int = COUNT_CAP, today: date | None = None
) -> ResultCount:
    """Count matches, stopping at `cap` so a huge result never stalls the page."""
    if query.q and not term_can_match(query.q):
        return ResultCount(value=0, exact=True)
    match = _match(session, query, today or today_utc())
    if match.row_match is not None and match.index_match is None:
        return _count_in_newest(session, match, cap)
    conditions = [c for c in (match.index_match, *match.filters) if c is not None]
    capped = sa.select(col(License.id)).where(*conditions).limit(cap + 1).subquery()
    value = session.scalar(sa.select(sa.func.count()).select_from(capped)) or 0
    return ResultCount(value=min(value, cap), exact=value <= cap)


def _count_in_newest(session: Session, match: Match, cap: int) -> ResultCount:
    """A term the index cannot serve is counted among the newest licenses only ("at least N")."""
    edge = session.scalar(
        sa.select(col(License.id))
        .order_by(col(License.id).desc())
        .offset(paging.UNINDEXED_SCAN_LIMIT - 1)
        .limit(1)
    )
    newest = [col(License.id) >= edge] if edge is not None else []
    capped = (
        sa.select(col(License.id)).where(*newest, match.row_match, *match.filters).limit(cap + 1).subquery()
    )
    value = session.scalar(sa.select(sa.func.count()).select_from(capped)) or 0
    return ResultCount(value=min(value, cap), exact=value <= cap and edge is None)


def iter_licenses(
    *, session: Session, query: LicenseQuery, batch_size: int = 2000, today: date | None = None
) -> Iterator[License]:
    """Every license matching `query`, in page order, fetched a batch at a time."""
    after: str | None = None
    while True:
        page = search_licenses(session=session, query=query, after=after, limit=batch_size, today=today)
        yield from page.rows
        session.expunge_all()
        if not page.next_cursor:
            return
        after = page.next_cursor


def get_license(*, session: Session, license_id: int) -> License | None:
    """One license by id."""
    return session.get(License, license_id)


def licenses_of_company(*, session: Session, company: str, limit: int = 200) -> list[License]:
    """A company's licenses, trials included, newest issued first."""
    statement = (
        select(License)
        .where(col(License.company) == company)
        .order_by(col(License.issued_at).desc(), col(License.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def licenses_of_subscription(*, session: Session, subscription_name: str, limit: int = 200) -> list[License]:
    """Licenses issued for one subscription, newest issued first."""
    statement = (
        select(License)
        .where(col(License.subscription_name) == subscription_name)
        .order_by(col(License.issued_at).desc(), col(License.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def active_license_ids(
    *, session: Session, companies: Iterable[str], today: date | None = None
) -> dict[str, int]:
    """Rule 11 for many companies: company -> id of its active license, if it has one.

    The active license is the latest-issued license that has started and not expired.
    """
    names = sorted(set(companies))
    if not names:
        return {}
    statement = select(License.company, License.id, License.issued_at).where(
        col(License.company).in_(names), *_valid_on(today or today_utc())
    )
    best: dict[str, tuple[datetime, int]] = {}
    for company, license_id, issued_at in session.exec(statement):
        if company not in best or (issued_at, license_id) > best[company]:
            best[company] = (issued_at, license_id)
    return {company: license_id for company, (_, license_id) in best.items()}


def active_license_for(*, session: Session, company: str, today: date | None = None) -> License | None:
    """Rule 11 for one company."""
    license_id = active_license_ids(session=session, companies=[company], today=today).get(company)
    return session.get(License, license_id) if license_id is not None else None


def with_sort(query: LicenseQuery, sort: str) -> LicenseQuery:
    """The query sorted by `sort`; choosing the current sort again flips its direction."""
    if sort not in SORT_COLUMNS:
        return query
    if sort == query.sort:
        return replace(query, descending=not query.descending)
    return replace(query, sort=sort, descending=sort != "company")


def license_status(license: License, today: date | None = None) -> str:
    """active, expired or not_started, by the same dates the status filter uses."""
    today = today or today_utc()
    if license.starts_at > today:
        return "not_started"
    if license.expires_at <= today:
        return "expired"
    return "active"
