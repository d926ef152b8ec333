"""Licenses: the list, described once (search, filters, sorts, pages, counts, the export), and the
active-license rule (DESIGN.md rule 11)."""

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from admin_app.db.licenses.hostnames import host_term, host_term_searchable, license_ids_on_host
from admin_app.db.licenses.usage import MAX_HOSTNAME_LENGTH
from admin_app.db.lists.listing import SEARCH_COUNT_CAP
from admin_app.db.lists.spec import (
    Choice,
    ChoiceFilter,
    Condition,
    CsvColumn,
    DateRangeFilter,
    ListSpec,
    Query,
    Reading,
    RuleChoice,
    TextFilter,
    csv_date,
    csv_field,
    equal_to,
)
from admin_app.db.lists.spec import today_utc as today_utc  # the calendar licenses are valid in
from admin_app.db.lists.text_search import SearchSpec
from admin_app.db.models import ActiveLicenseMarks, License, stored_id
from admin_app.db.session import row_count
from admin_app.glossary import (
    ACTIVE_LICENSE,
    LICENSE_CURRENT,
    LICENSE_EXPIRED,
    LICENSE_NOT_STARTED,
    ONLY_ACTIVE_LICENSES,
)

PLANS = ("starter", "premium", "ultimate")
LICENSE_TYPES = ("legacy", "offline", "cloud")
STATUSES = {"active": LICENSE_CURRENT, "expired": LICENSE_EXPIRED, "not_started": LICENSE_NOT_STARTED}

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
# Each company's active license, as its mark says (migration 0016). The "active only" filter keeps to
# these very conditions, which is how the list knows to look a term up in the marked licenses' index
# (ListSpec.scoped_searches).
MARKED_ACTIVE: tuple[Condition, ...] = (sa.inspect(License).c.active_mark,)
# The same text, indexed for the licenses marked active alone (migration 0016).
ACTIVE_LICENSE_SEARCH = replace(LICENSE_SEARCH, fts_table="license_active_fts", index_scope=MARKED_ACTIVE)


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


def _valid_on(today: date, license: type[License] = License) -> list[Condition]:
    """Started and not yet expired on `today` (a license expires on its expiry date).

    Nearly every license has started, few are unexpired: the expiry index is the one to read (at a
    million licenses SQLite otherwise walked the start-date index from the oldest, 1.4 s to count)."""
    return [_mostly_true(col(license.starts_at) <= today), col(license.expires_at) > today]


def _is_active_license(today: date) -> list[Condition]:
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


def _trial_is(trial: bool) -> Condition:
    return col(License.trial) == trial


def _active_only(reading: Reading) -> list[Condition]:
    """Rule 11 through the marks when they are current on the day (the marked licenses have a search
    index of their own), else row by row."""
    if active_marks_current(reading.session, reading.today):
        return list(MARKED_ACTIVE)
    return _is_active_license(reading.today)


def _counted(query: Query, cap: int) -> tuple[int, Sequence[ColumnElement[Any]] | None]:
    """Each "active only" match costs a look at its company's later licenses, so those are counted to
    the search cap, newest first: a company's active license is its latest, so the newest valid
    licenses are mostly active, and the soonest to expire, which PostgreSQL otherwise read first,
    mostly are not (active licenses of one plan 115 -> 11 ms)."""
    if not query.value("active"):
        return cap, None
    return min(cap, SEARCH_COUNT_CAP), None if query.q else [col(License.issued_at).desc()]


def _capitalized(values: Iterable[str]) -> dict[str, str]:
    return {value: value.capitalize() for value in values}


# The plan and the type each have an index in issue order, (plan | license_type, issued_at, id): the
# plan's counts the windows when both are given.
LICENSE_LIST = ListSpec(
    entity=License,
    id_column=col(License.id),
    search=LICENSE_SEARCH,
    filters=(
        ChoiceFilter(
            "plan",
            "Plan",
            "plan",
            equal_to(lambda: col(License.plan), _capitalized(PLANS)),
            in_order=2,
            facet="plan_facet",
        ),
        ChoiceFilter(
            "trial",
            "Trial or paid",
            "trial choice",
            {
                "trial": Choice("Trial", lambda: _trial_is(True)),
                "paid": Choice("Paid", lambda: _trial_is(False)),
            },
        ),
        # A license's status on the day the list is read (see license_status).
        ChoiceFilter(
            "status",
            "Status",
            "status",
            {
                "active": RuleChoice(STATUSES["active"], lambda r: _valid_on(r.today)),
                "expired": RuleChoice(STATUSES["expired"], lambda r: [col(License.expires_at) <= r.today]),
                "not_started": RuleChoice(
                    STATUSES["not_started"], lambda r: [col(License.starts_at) > r.today]
                ),
            },
        ),
        ChoiceFilter(
            "type",
            "Type",
            "license type",
            equal_to(lambda: col(License.license_type), _capitalized(LICENSE_TYPES)),
            in_order=1,
            facet="type_facet",
        ),
        ChoiceFilter(
            "active",
            ACTIVE_LICENSE,
            "active-license choice",
            {"only": RuleChoice(ONLY_ACTIVE_LICENSES, _active_only)},
        ),
        DateRangeFilter(
            ("issued_from", "issued_to"),
            "Issued-date",
            ("Issued from", "Issued to"),
            lambda: col(License.issued_at),
        ),
        # The licenses with a server whose host name holds the value (hostnames.licenses_on_host).
        TextFilter(
            "host",
            "Host name",
            MAX_HOSTNAME_LENGTH,
            lambda host: col(License.id).in_(license_ids_on_host(host_term(host))),
            check=lambda host: host_term_searchable(host_term(host)),
            noun="host name",
            expected="long enough to look up (3 characters or more)",
        ),
    ),
    sort_columns={
        "issued": (License.issued_at, datetime),
        "starts": (License.starts_at, date),
        "expires": (License.expires_at, date),
        "company": (License.company, str),
        "users": (License.user_count, int),
    },
    default_sort="-issued",
    ascending_first=("company",),
    in_order_sort="issued",
    scoped_searches=(ACTIVE_LICENSE_SEARCH,),
    counting=_counted,
    export_columns=(
        csv_field("id"),
        csv_field("company"),
        csv_field("licensee_name"),
        csv_field("email"),
        csv_date("issued_at"),
        csv_date("starts_at"),
        csv_date("expires_at"),
        CsvColumn("trial", lambda row: "trial" if row.trial else "paid"),
        csv_field("plan"),
        csv_field("user_count"),
        csv_field("subscription_name"),
        csv_field("license_type"),
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


def license_status(license: License, today: date | None = None) -> str:
    """active, expired or not_started, by the same dates the status filter uses."""
    today = today or today_utc()
    if license.starts_at > today:
        return "not_started"
    if license.expires_at <= today:
        return "expired"
    return "active"
