"""Licenses: search, filters, keyset pages, the active-license rule (DESIGN.md rule 11)."""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import SQLColumnExpression
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from admin_app.db.lists.listing import SEARCH_COUNT_CAP, count_of, page_of
from admin_app.db.lists.paging import COUNT_CAP, Match, Page, ResultCount, every_page
from admin_app.db.lists.query_params import Parsed, read_choice, read_date_range, read_sort
from admin_app.db.lists.query_params import with_sort as with_query_sort
from admin_app.db.lists.text_search import (
    SearchSpec,
    match_for,
    normalize_term,
)
from admin_app.db.models import ActiveLicenseMarks, License, stored_id
from admin_app.db.session import row_count

PLANS = ("starter", "premium", "ultimate")
LICENSE_TYPES = ("legacy", "offline", "cloud")
STATUSES = {"active": "Active", "expired": "Expired", "not_started": "Not started yet"}
TRIAL_CHOICES = {"trial": True, "paid": False}
ACTIVE_CHOICES = {"only": "Only each company's active license"}
SORT_COLUMNS = {
    "issued": (License.issued_at, datetime),
    "starts": (License.starts_at, date),
    "expires": (License.expires_at, date),
    "company": (License.company, str),
    "users": (License.user_count, int),
}

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
# The same text, indexed for the licenses marked active alone (migration 0016).
ACTIVE_LICENSE_SEARCH = replace(
    LICENSE_SEARCH, fts_table="license_active_fts", index_scope=(col(License.active_mark),)
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
    # "only": each company's active license (rule 11), nothing else.
    active: str | None = None
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
            "active": self.active or "",
        }
        sort = ("-" if self.descending else "") + self.sort
        if sort != "-issued":
            params["sort"] = sort
        return {key: value for key, value in params.items() if value}


def parse_license_query(params: Mapping[str, object]) -> Parsed[LicenseQuery]:
    """Read a LicenseQuery from URL parameters; unknown values are dropped with a message."""
    errors: list[str] = []
    sort, descending = read_sort(params, SORT_COLUMNS, "-issued", errors)
    issued_from, issued_to = read_date_range(params, ("issued_from", "issued_to"), "Issued-date", errors)
    query = LicenseQuery(
        q=normalize_term(params.get("q")),
        plan=read_choice(params, "plan", PLANS, "plan", errors),
        trial=read_choice(params, "trial", TRIAL_CHOICES, "trial choice", errors),
        status=read_choice(params, "status", STATUSES, "status", errors),
        license_type=read_choice(params, "type", LICENSE_TYPES, "license type", errors),
        issued_from=issued_from,
        issued_to=issued_to,
        active=read_choice(params, "active", ACTIVE_CHOICES, "active-license choice", errors),
        sort=sort,
        descending=descending,
    )
    return Parsed(query=query, errors=errors)


def today_utc() -> date:
    """Today's date in UTC, the calendar licenses are valid in."""
    return datetime.now(UTC).date()


class _mostly_true(FunctionElement[bool]):
    """A condition most rows meet. SQLite is told so (`likelihood`), so its planner reads a more
    selective index first; elsewhere the condition is written as it is."""

    type = sa.Boolean()
    inherit_cache = True


@compiles(_mostly_true)
def _condition(element: _mostly_true, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)})"


@compiles(_mostly_true, "sqlite")
def _likely_condition(element: _mostly_true, compiler: SQLCompiler, **kw: Any) -> str:
    return f"likelihood({compiler.process(element.clauses, **kw)}, 0.95)"


def _valid_on(today: date, license: type[License] = License) -> list[SQLColumnExpression[bool]]:
    """Started and not yet expired on `today` (a license expires on its expiry date).

    Nearly every license has started, few are unexpired: the expiry index is the one to read (at a
    million licenses SQLite otherwise walked the start-date index from the oldest, 1.4 s to count)."""
    return [_mostly_true(col(license.starts_at) <= today), col(license.expires_at) > today]


def _is_active_license(today: date) -> list[SQLColumnExpression[bool]]:
    """Rule 11 as a condition: valid today, and no license of the same company valid today was issued
    later (the id breaks a tie). The later one is looked up through (company, issued_at)."""
    later = aliased(License)
    issued_later = sa.or_(
        col(later.issued_at) > col(License.issued_at),
        sa.and_(col(later.issued_at) == col(License.issued_at), col(later.id) > col(License.id)),
    )
    newer = sa.exists().where(
        col(later.company) == col(License.company), issued_later, *_valid_on(today, later)
    )
    return [*_valid_on(today), ~newer]


def active_marks_current(session: Session, today: date) -> bool:
    """True when the licenses' marks say which is each company's active license on `today`."""
    return session.scalar(select(col(ActiveLicenseMarks.marked_on))) == today


def mark_active_licenses(*, session: Session, today: date | None = None) -> int:
    """Mark each company's active license on `today` (rule 11, as the search filter words it) and
    unmark the rest; the number of licenses whose mark changed. Nothing to do when the marks are
    current. Commits.

    The marks row is locked first, so a second worker doing the same waits and then finds them
    current."""
    today = today or today_utc()
    if active_marks_current(session, today):
        return 0
    session.execute(sa.update(ActiveLicenseMarks).values(marked_on=col(ActiveLicenseMarks.marked_on)))
    if active_marks_current(session, today):
        session.commit()
        return 0
    is_active = sa.and_(*_is_active_license(today))
    mark = col(License.active_mark)
    changed = sum(
        row_count(session.execute(sa.update(License).where(*where).values(active_mark=value)))
        for where, value in (((mark, ~is_active), False), ((~mark, is_active), True))
    )
    session.execute(sa.update(ActiveLicenseMarks).values(marked_on=today))
    session.commit()
    return changed


# A first marking (after migration 0016) changes one license in twelve, all over the table, and
# PostgreSQL's index-only scans read the heap again until a vacuum, which autovacuum does not start
# before a fifth of the rows changed. A day's renewal changes a few hundred.
MARKS_WORTH_A_VACUUM = 10_000


def renew_active_marks(engine: Engine, today: date | None = None) -> int:
    """Renew the marks (mark_active_licenses), and vacuum PostgreSQL's license table when many
    changed; the number of marks changed."""
    with Session(engine) as session:
        changed = mark_active_licenses(session=session, today=today)
    if engine.dialect.name == "postgresql" and changed >= MARKS_WORTH_A_VACUUM:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM (ANALYZE) license"))
    return changed


def _filter_conditions(query: LicenseQuery, today: date, marked: bool) -> list[SQLColumnExpression[bool]]:
    conditions: list[SQLColumnExpression[bool]] = []
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
    if query.active:
        conditions.extend([col(License.active_mark)] if marked else _is_active_license(today))
    if query.issued_from:
        conditions.append(col(License.issued_at) >= datetime.combine(query.issued_from, time.min, UTC))
    if query.issued_to:
        day_after = datetime.combine(query.issued_to, time.min, UTC) + timedelta(days=1)
        conditions.append(col(License.issued_at) < day_after)
    return conditions


def _in_issued_order(query: LicenseQuery) -> tuple[SQLColumnExpression[bool], ...]:
    """The filter an index keeps in issue order, (plan | license_type, issued_at, id), when the list
    is sorted by issue date (see paging.Match)."""
    if query.sort != "issued":
        return ()
    if query.plan:
        return (col(License.plan) == query.plan,)
    if query.license_type:
        return (col(License.license_type) == query.license_type,)
    return ()


def _match(session: Session, query: LicenseQuery, today: date) -> Match:
    marked = bool(query.active) and active_marks_current(session, today)
    spec = ACTIVE_LICENSE_SEARCH if marked else LICENSE_SEARCH
    indexed = (("plan_facet", query.plan), ("type_facet", query.license_type))
    filters = _filter_conditions(query, today, marked)
    return match_for(session, spec, query.q, filters, _in_issued_order(query), indexed)


# A page of licenses; `partial` when a short term searched only part of the table.
LicensePage = Page


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
    return page_of(
        session,
        entity=License,
        query=query,
        sort_columns=SORT_COLUMNS,
        match=lambda: _match(session, query, today or today_utc()),
        after=after,
        before=before,
        limit=limit,
    )


def count_licenses(
    *, session: Session, query: LicenseQuery, cap: int = COUNT_CAP, today: date | None = None
) -> ResultCount:
    """Count matches, stopping at `cap` so a huge result never stalls the page. Each "active only"
    match costs a look at its company's later licenses, so those are counted to the search cap,
    newest first: a company's active license is its latest, so the newest valid licenses are mostly
    active, and the soonest to expire, which PostgreSQL otherwise read first, mostly are not (active
    licenses of one plan 115 -> 11 ms)."""
    densest_first = None
    if query.active:
        cap = min(cap, SEARCH_COUNT_CAP)
        if not query.q:
            densest_first = [col(License.issued_at).desc()]
    match = lambda: _match(session, query, today or today_utc())  # noqa: E731
    return count_of(
        session, id_column=col(License.id), term=query.q, match=match, cap=cap, densest_first=densest_first
    )


def iter_licenses(
    *, session: Session, query: LicenseQuery, batch_size: int = 2000, today: date | None = None
) -> Iterator[License]:
    """Every license matching `query`, in page order, fetched a batch at a time (see every_page)."""
    return every_page(
        session,
        lambda after: search_licenses(
            session=session, query=query, after=after, limit=batch_size, today=today
        ),
    )


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
        candidate = (issued_at, stored_id(license_id))
        if company not in best or candidate > best[company]:
            best[company] = candidate
    return {company: license_id for company, (_, license_id) in best.items()}


def active_license_for(*, session: Session, company: str, today: date | None = None) -> License | None:
    """Rule 11 for one company."""
    license_id = active_license_ids(session=session, companies=[company], today=today).get(company)
    return session.get(License, license_id) if license_id is not None else None


def with_sort(query: LicenseQuery, sort: str) -> LicenseQuery:
    """The query sorted by `sort` (companies A to Z first); the current sort flips direction."""
    sorted_query: LicenseQuery = with_query_sort(query, sort, SORT_COLUMNS, ascending_first=("company",))
    return sorted_query


def license_status(license: License, today: date | None = None) -> str:
    """active, expired or not_started, by the same dates the status filter uses."""
    today = today or today_utc()
    if license.starts_at > today:
        return "not_started"
    if license.expires_at <= today:
        return "expired"
    return "active"
