"""Aggregates for the reconciliation charts, computed in SQL (GROUP BY month), never from raw rows.

Every function takes the same query of the reconciliation list (RECONCILIATION_LIST) as the table,
so a chart and the table it links to always agree. The search term does not apply to charts.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement, SQLColumnExpression
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from admin_app.db.lists.paging import COUNT_CAP, ResultCount
from admin_app.db.lists.query_params import Parsed
from admin_app.db.lists.spec import ChoiceFilter, Query, Reading, today_utc
from admin_app.db.models import (
    Reconciliation,
    ReconciliationAccountTotal,
    ReconciliationRollup,
    ReconciliationRollupVersion,
)
from admin_app.db.reconciliations.failures import FAILURE_CLASSES, failure_class_sql
from admin_app.db.reconciliations.search import RECONCILIATION_LIST, ROLLUP_FILTERS

CENT = Decimal("0.01")
ONE_DAY = timedelta(days=1)
NO_REASON = "(no reason given)"
TOP_BATCH_SIZE = 200
TOP_BATCHES = 4
# A date range with up to this many invoiced rows is summed directly, from an index alone (about a
# microsecond a row); beyond it the threshold algorithm over all-time totals costs less.
DIRECT_TOP_ROWS = 40_000
CHART_FILTERS = tuple(name for f in ROLLUP_FILTERS for name in f.names)
# Each choice the roll-up carries is in its column of the filter's name.
_ROLLUP_CHOICES = tuple(f.name for f in ROLLUP_FILTERS if isinstance(f, ChoiceFilter))
# Amounts in different currencies do not add up, so the top-10 ranks one currency at a time.
DEFAULT_TOP_CURRENCY = "USD"

# One chart's aggregate: its rows, each a tuple of the chart's columns.
ChartRows = list[tuple[Any, ...]]
# A SELECT of key columns, then sums (see _combined).
_Sums = sa.Select[*tuple[Any, ...]]


def parse_chart_query(params: Mapping[str, object]) -> Parsed[Query]:
    """The charts' filters (the roll-up's: date range, status, plan, channel, currency) read from URL
    parameters."""
    return RECONCILIATION_LIST.parse({name: params[name] for name in CHART_FILTERS if name in params})


def chart_params(query: Query) -> dict[str, str]:
    """The chart filters of `query` as URL parameters, defaults left out."""
    params = RECONCILIATION_LIST.to_params(RECONCILIATION_LIST.query(**query.values))
    return {name: value for name, value in params.items() if name in CHART_FILTERS}


def _day(query: Query, name: str) -> date | None:
    """The day a date filter holds, if it is given."""
    value = query.value(name)
    return date.fromisoformat(value) if value else None


def _with(query: Query, **values: str) -> Query:
    """`query` with some filters' values changed."""
    return replace(query, values={**query.values, **values})


def _row_filters(session: Session, query: Query) -> list[SQLColumnExpression[bool]]:
    """The WHERE conditions of every filter but the search term."""
    return list(RECONCILIATION_LIST.conditions(query, Reading(session, today_utc())))


def quarter_range(quarter: str) -> tuple[date, date] | None:
    """The first and last day of a quarter written "2025-Q3", or None if it is not one."""
    year, _, number = quarter.partition("-Q")
    if not (year.isdigit() and len(year) == 4 and number in ("1", "2", "3", "4")):
        return None
    first_month = 3 * int(number) - 2
    start = date(int(year), first_month, 1)
    next_quarter = date(int(year) + first_month // 10, (first_month + 2) % 12 + 1, 1)
    return start, next_quarter - timedelta(days=1)


def quarter_of_range(start: str, end: str) -> str:
    """ "2025-Q3" when start and end are exactly that quarter's first and last day, otherwise ""."""
    if len(start) != 10 or not start[:4].isdigit() or not start[5:7].isdigit():
        return ""
    quarter = f"{start[:4]}-Q{(int(start[5:7]) + 2) // 3}"
    dates = quarter_range(quarter)
    return quarter if dates and (dates[0].isoformat(), dates[1].isoformat()) == (start, end) else ""


def _quarter_number(day: date) -> int:
    """Quarters since the year 0: consecutive quarters have consecutive numbers."""
    return day.year * 4 + (day.month - 1) // 3


def recent_quarters(today: date, count: int = 8) -> list[str]:
    """The current quarter and the ones before it, newest first."""
    index = _quarter_number(today)
    return [f"{i // 4}-Q{i % 4 + 1}" for i in range(index, index - count, -1)]


def quarter_choices(*, session: Session, today: date) -> list[str]:
    """The quarters the quarter picker offers, newest first: from the current quarter, or the latest
    one holding a reconciliation if that is later, back to the earliest one holding a reconciliation.
    Read from the roll-up's first and last month that count any (its primary key starts with the month)."""
    u = ReconciliationRollup
    first, last = session.execute(
        sa.select(sa.func.min(col(u.month)), sa.func.max(col(u.month))).where(col(u.reconciliations) > 0)
    ).one()
    newest = max(today, last or today)
    oldest = min(newest, first or newest)
    return recent_quarters(newest, _quarter_number(newest) - _quarter_number(oldest) + 1)


def quarter_of_month(month: str) -> str:
    """ "2025-Q3" for the month "2025-08"."""
    return f"{month[:4]}-Q{(int(month[5:7]) + 2) // 3}"


def rollup_version(*, session: Session) -> int | None:
    """The number triggers change with every change to reconciliations (None: not kept)."""
    v = ReconciliationRollupVersion
    return session.scalar(sa.select(col(v.version)).where(col(v.id) == 1))


# A query's search term, sort and filters' values, and the day (failures' ages count to it), as a key
# of the charts' results.
_Filters = tuple[str, str, bool, frozenset[tuple[str, str]], date]


def _filters_of(query: Query, today: date) -> _Filters:
    return (query.q, query.sort, query.descending, frozenset(query.values.items()), today)


class ChartResults:
    """The charts' aggregates per filters, day and roll-up version, the most recently used kept.

    Results for a version are exact for as long as the version holds and the day lasts: the next
    change to any reconciliation changes the version, and the open failures' ages grow by the day.
    The first filters staff open (this quarter) are the same for most of them, and the aggregates
    cost about 15 ms of database time. Every page that shows the same filters gets the same lists:
    nothing may change them.
    """

    def __init__(self, size: int = 128) -> None:
        self._size = size
        self._results: OrderedDict[tuple[_Filters, int], list[ChartRows]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, query: Query, version: int | None, today: date | None = None) -> list[ChartRows] | None:
        """The results kept for the filters, version and day (today in UTC unless given)."""
        if version is None:
            return None
        key = (_filters_of(query, today or today_utc()), version)
        with self._lock:
            results = self._results.get(key)
            if results is not None:
                self._results.move_to_end(key)
            return results

    def keep(
        self, query: Query, version: int | None, results: list[ChartRows], today: date | None = None
    ) -> None:
        """Keep the results of the filters, version and day (today in UTC unless given)."""
        if version is None:
            return
        key = (_filters_of(query, today or today_utc()), version)
        with self._lock:
            self._results[key] = results
            self._results.move_to_end(key)
            while len(self._results) > self._size:
                self._results.popitem(last=False)


CHART_RESULTS = ChartResults()


def chart_aggregates(query: Query, today: date) -> list[Callable[[Session], ChartRows]]:
    """The charts' aggregates, in the charts' order, each a function of a session; failures' ages
    are counted to `today`."""
    currency = query.value("currency") or DEFAULT_TOP_CURRENCY
    return [
        lambda session: quarterly_status_counts(session=session, query=query),
        lambda session: quarterly_invoiced(session=session, query=query),
        lambda session: skip_reason_counts(session=session, query=query),
        lambda session: quarterly_failures(session=session, query=query),
        lambda session: top_accounts_by_invoiced(session=session, query=query, currency=currency),
        lambda session: quarterly_seats_added(session=session, query=query),
        lambda session: open_failures_by_class(session=session, query=query),
        lambda session: open_failures_by_age(session=session, query=query, today=today),
    ]


@dataclass(frozen=True)
class _Plan:
    """Where an aggregate reads: whole months [first, end) from the roll-up, the rest from the rows."""

    rollup: tuple[date | None, date | None] | None
    direct: list[Query]


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _has_table_only_filter(query: Query) -> bool:
    """A search, or a filter the roll-up does not carry."""
    return bool(query.q) or any(name not in CHART_FILTERS for name in query.values)


def _plan(query: Query) -> _Plan:
    """Split the date range into whole months (roll-up) and the partial months at its ends (rows).

    Filters the roll-up does not carry (a search, skip reason, error, amount, account) read
    every row instead.
    """
    if _has_table_only_filter(query):
        return _Plan(rollup=None, direct=[query])
    start, end = _day(query, "from"), _day(query, "to")
    first = None if start is None else (start if start.day == 1 else _next_month(start))
    after = (
        None
        if end is None
        else (_next_month(end) if _next_month(end) - end == ONE_DAY else end.replace(day=1))
    )
    if first is not None and after is not None and first >= after:
        return _Plan(rollup=None, direct=[query])
    edges = []
    if start is not None and first is not None and first != start:
        edges.append(_with(query, to=(first - ONE_DAY).isoformat()))
    if end is not None and after is not None and after <= end:
        edges.append(_with(query, **{"from": after.isoformat()}))
    return _Plan(rollup=(first, after), direct=edges)


def _rollup_filters(query: Query, months: tuple[date | None, date | None]) -> list[SQLColumnExpression[bool]]:
    r = ReconciliationRollup
    conditions: list[SQLColumnExpression[bool]] = []
    if months[0] is not None:
        conditions.append(col(r.month) >= months[0])
    if months[1] is not None:
        conditions.append(col(r.month) < months[1])
    for name in _ROLLUP_CHOICES:
        if value := query.value(name):
            conditions.append(getattr(r, name) == value)
    return conditions


def _month_text(value: date | str) -> str:
    return value.strftime("%Y-%m") if isinstance(value, date) else str(value)[:7]


def _direct_month(session: Session) -> ColumnElement[str]:
    """'YYYY-MM' of the reconciliation date, in the dialect of the session's database."""
    column = col(Reconciliation.reconciliation_date)
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(column, "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


class _cents(FunctionElement[int]):
    """An amount with two decimals as whole cents. PostgreSQL's exact decimals convert straight to an
    integer, which sums several times faster than a decimal; SQLite's floating-point ones are rounded."""

    type = sa.BigInteger()
    inherit_cache = True


@compiles(_cents)
def _rounded_cents(element: _cents, compiler: SQLCompiler, **kw: Any) -> str:
    return f"round(({compiler.process(element.clauses, **kw)}) * 100)"


@compiles(_cents, "postgresql")
def _integer_cents(element: _cents, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) * 100 AS BIGINT)"


def _direct_cents() -> _cents:
    return _cents(col(Reconciliation.invoiced_amount))


def _combined(
    session: Session,
    query: Query,
    rollup: Callable[[list[SQLColumnExpression[bool]]], _Sums],
    direct: Callable[[Query], _Sums],
    keys: int,
) -> dict[tuple[str, ...], list[int]]:
    """Key -> summed values, over the roll-up's whole months and the rows of the partial ones.

    `rollup(conditions)` and `direct(query)` build SELECTs of `keys` key columns then sums;
    the first sum is the number of reconciliations, and keys whose total is 0 are left out.
    """
    plan = _plan(query)
    statements = [direct(part) for part in plan.direct]
    if plan.rollup is not None:
        statements.append(rollup(_rollup_filters(query, plan.rollup)))
    totals: dict[tuple[str, ...], list[int]] = {}
    for statement in statements:
        for row in session.execute(statement):
            key = tuple(
                _month_text(v) if i == 0 and isinstance(v, date) else v for i, v in enumerate(row[:keys])
            )
            sums = totals.setdefault(key, [0] * (len(row) - keys))
            for i, value in enumerate(row[keys:]):
                sums[i] += int(value or 0)
    return {key: sums for key, sums in totals.items() if sums[0]}


def monthly_status_counts(*, session: Session, query: Query) -> list[tuple[str, str, int]]:
    """(month, status, reconciliations), oldest month first."""
    r, u = Reconciliation, ReconciliationRollup

    def rollup(conditions: list[SQLColumnExpression[bool]]) -> _Sums:
        return (
            sa.select(col(u.month), col(u.status), sa.func.sum(col(u.reconciliations)))
            .where(*conditions)
            .group_by(col(u.month), col(u.status))
        )

    def direct(part: Query) -> _Sums:
        month = _direct_month(session)
        return (
            sa.select(month, col(r.status), sa.func.count())
            .where(*_row_filters(session, part))
            .group_by(month, col(r.status))
        )

    totals = _combined(session, query, rollup, direct, keys=2)
    return sorted((month, status, sums[0]) for (month, status), sums in totals.items())


def monthly_invoiced(*, session: Session, query: Query) -> list[tuple[str, str, Decimal]]:
    """(month, currency, invoiced amount) where something was invoiced."""
    r, u = Reconciliation, ReconciliationRollup

    def rollup(conditions: list[SQLColumnExpression[bool]]) -> _Sums:
        return (
            sa.select(
                col(u.month),
                col(u.currency),
                sa.func.sum(col(u.invoiced_count)),
                sa.func.sum(col(u.invoiced_cents)),
            )
            .where(*conditions)
            .group_by(col(u.month), col(u.currency))
        )

    def direct(part: Query) -> _Sums:
        month = _direct_month(session)
        return (
            sa.select(
                month, col(r.currency), sa.func.count(col(r.invoiced_amount)), sa.func.sum(_direct_cents())
            )
            .where(*_row_filters(session, part))
            .group_by(month, col(r.currency))
        )

    totals = _combined(session, query, rollup, direct, keys=2)
    return sorted((month, currency, _from_cents(sums[1])) for (month, currency), sums in totals.items())


def skip_reason_counts(*, session: Session, query: Query) -> list[tuple[str, int]]:
    """(skip reason, reconciliations skipped for it), most frequent first."""
    r, u = Reconciliation, ReconciliationRollup
    skipped = _with(query, status="skipped") if query.value("status") in ("", "skipped") else query

    def rollup(conditions: list[SQLColumnExpression[bool]]) -> _Sums:
        return (
            sa.select(col(u.skip_reason), sa.func.sum(col(u.reconciliations)))
            .where(*conditions)
            .group_by(col(u.skip_reason))
        )

    def direct(part: Query) -> _Sums:
        reason = sa.func.coalesce(col(r.skip_reason), "")
        return sa.select(reason, sa.func.count()).where(*_row_filters(session, part)).group_by(reason)

    if skipped.value("status") != "skipped":
        return []
    totals = _combined(session, skipped, rollup, direct, keys=1)
    counted = [(reason or NO_REASON, sums[0]) for (reason,), sums in totals.items()]
    return sorted(counted, key=lambda item: (-item[1], item[0]))


def monthly_failures(*, session: Session, query: Query) -> list[tuple[str, int, int]]:
    """(month, failed, all) so a chart can show the failure rate with its counts."""
    r, u = Reconciliation, ReconciliationRollup

    def rollup(conditions: list[SQLColumnExpression[bool]]) -> _Sums:
        failed = sa.func.sum(sa.case((col(u.status) == "failed", col(u.reconciliations)), else_=0))
        return (
            sa.select(col(u.month), sa.func.sum(col(u.reconciliations)), failed)
            .where(*conditions)
            .group_by(col(u.month))
        )

    def direct(part: Query) -> _Sums:
        month = _direct_month(session)
        failed = sa.func.sum(sa.case((col(r.status) == "failed", 1), else_=0))
        return sa.select(month, sa.func.count(), failed).where(*_row_filters(session, part)).group_by(month)

    totals = _combined(session, query, rollup, direct, keys=1)
    return sorted((month, sums[1], sums[0]) for (month,), sums in totals.items())


def count_for_table(*, session: Session, query: Query, cap: int = COUNT_CAP) -> ResultCount:
    """How many reconciliations the table's filters match.

    Filters the roll-up carries are counted from it, exactly and at any size, in a few
    milliseconds; counting up to `cap` rows took 100 ms at a million rows. Others count the rows.
    """
    if _plan(query).rollup is None:
        return RECONCILIATION_LIST.count(session=session, query=query, cap=cap)
    total = sum(count for _, _, count in monthly_status_counts(session=session, query=query))
    return ResultCount(value=total, exact=True)


def _from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def _invoiced_by_account(
    session: Session, query: Query, currency: str, accounts: list[int] | None, limit: int | None
) -> list[tuple[int, int]]:
    """(account, invoiced cents) in `currency` over the rows `query` matches, largest first."""
    r = Reconciliation
    cents = sa.func.sum(_direct_cents()).label("cents")
    conditions = [*_row_filters(session, query), col(r.currency) == currency]
    account = col(r.billing_account_id)
    if accounts is None:
        # Nothing or zero invoiced adds nothing: the rows left are those of the invoiced-rows index
        # (a third of all invoiced rows are zero). Written as a literal so the index's condition
        # is seen to hold whatever plan the database keeps for the statement.
        conditions.append(col(r.invoiced_amount) != sa.literal_column("0"))
    else:
        # A few accounts' rows, read through the account index; here the invoiced-rows index
        # must not apply, as the planner would walk it for a whole date range.
        conditions.append(account.in_(accounts))
    statement = (
        sa.select(account, cents)
        .where(*conditions)
        .group_by(account)
        .having(cents > 0)
        .order_by(cents.desc(), account)
        .limit(limit)
    )
    return [(int(account), int(total)) for account, total in session.execute(statement)]


def _invoiced_rows_at_most(session: Session, query: Query, currency: str) -> int | None:
    """No fewer than the invoiced rows in `currency` that `query` matches, read from the roll-up's
    whole months around the date range; None when a filter the roll-up does not carry is set."""
    if _has_table_only_filter(query):
        return None
    start, end = _day(query, "from"), _day(query, "to")
    first = start.replace(day=1) if start else None
    after = _next_month(end) if end else None
    u = ReconciliationRollup
    conditions = _rollup_filters(_with(query, currency=currency), (first, after))
    total = session.scalar(sa.select(sa.func.sum(u.invoiced_count)).where(*conditions))
    return int(total or 0)


def _top_by_threshold(session: Session, query: Query, currency: str, limit: int) -> list[tuple[int, int]]:
    """Accounts examined in order of their all-time total, which bounds what any range can add up
    to: once the tenth best so far beats the next account's all-time total, no account left can
    enter the ten (the threshold algorithm). That bound holds because a true-up never invoices
    less than nothing. A range that does not settle within a few batches is summed over every row."""
    found: list[tuple[int, int]] = []
    t = ReconciliationAccountTotal
    for batch in range(TOP_BATCHES):
        candidates = session.execute(
            sa.select(col(t.billing_account_id), col(t.invoiced_cents))
            .where(col(t.currency) == currency, col(t.invoiced_cents) > 0)
            .order_by(col(t.invoiced_cents).desc(), col(t.billing_account_id))
            .offset(batch * TOP_BATCH_SIZE)
            .limit(TOP_BATCH_SIZE)
        ).all()
        found += _invoiced_by_account(session, query, currency, [a for a, _ in candidates], None)
        found = sorted(found, key=lambda item: (-item[1], item[0]))[:limit]
        exhausted = len(candidates) < TOP_BATCH_SIZE
        if exhausted or (len(found) == limit and found[-1][1] > candidates[-1][1]):
            return found
    return _invoiced_by_account(session, query, currency, None, limit)


def _names_of(session: Session, query: Query, accounts: list[int]) -> dict[int, str]:
    r = Reconciliation
    if not accounts:
        return {}
    statement = (
        sa.select(col(r.billing_account_id), sa.func.max(r.customer_name))
        .where(*_row_filters(session, query), col(r.billing_account_id).in_(accounts))
        .group_by(col(r.billing_account_id))
    )
    return {int(account): name for account, name in session.execute(statement)}


def top_accounts_by_invoiced(
    *, session: Session, query: Query, currency: str, limit: int = 10
) -> list[tuple[int, str, Decimal]]:
    """(billing account id, customer name, invoiced amount) in one currency, largest first.

    Amounts in different currencies are not comparable, so the ranking is per currency. A date
    range with few invoiced rows (the roll-up tells how many, at most) is summed from the
    invoiced-rows index alone; a wide one settles fastest by the threshold algorithm. The answer
    is the same either way.
    """
    if query.value("currency") not in ("", currency):
        return []
    rows = _invoiced_rows_at_most(session, query, currency)
    if rows == 0:
        return []
    dated = bool(query.value("from") or query.value("to"))
    if rows is not None and dated and rows <= DIRECT_TOP_ROWS:
        found = _invoiced_by_account(session, query, currency, None, limit)
    else:
        found = _top_by_threshold(session, query, currency, limit)
    names = _names_of(session, query, [account for account, _ in found])
    return [(account, names[account], _from_cents(cents)) for account, cents in found]


def monthly_seats_added(*, session: Session, query: Query) -> list[tuple[str, int]]:
    """(month, seats added): completed reconciliations' user count above the seats the subscription had."""
    r, u = Reconciliation, ReconciliationRollup
    done = _with(query, status="done") if query.value("status") in ("", "done") else query

    def rollup(conditions: list[SQLColumnExpression[bool]]) -> _Sums:
        return (
            sa.select(col(u.month), sa.func.sum(col(u.reconciliations)), sa.func.sum(col(u.seats_added)))
            .where(*conditions)
            .group_by(col(u.month))
        )

    def direct(part: Query) -> _Sums:
        month = _direct_month(session)
        added = col(r.user_count) - col(r.seats_before)
        seats = sa.func.sum(sa.case((added > 0, added), else_=0))
        return sa.select(month, sa.func.count(), seats).where(*_row_filters(session, part)).group_by(month)

    if done.value("status") != "done":
        return []
    totals = _combined(session, done, rollup, direct, keys=1)
    return sorted((month, sums[1]) for (month,), sums in totals.items())


def _by_quarter(rows: Sequence[tuple[Any, ...]], keys: int) -> list[tuple[Any, ...]]:
    """Rows of (month, other keys..., sums...) summed per (quarter, other keys...), oldest first."""
    totals: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        key = (quarter_of_month(row[0]), *row[1:keys])
        sums = totals.get(key)
        totals[key] = (
            list(row[keys:]) if sums is None else [a + b for a, b in zip(sums, row[keys:], strict=True)]
        )
    return sorted((*key, *sums) for key, sums in totals.items())


def quarterly_status_counts(*, session: Session, query: Query) -> list[tuple[str, str, int]]:
    """(quarter, status, reconciliations), oldest quarter first. Reconciliations run quarterly: the
    charts draw one bar or point per quarter ("2025-Q3"), summed from the months."""
    return _by_quarter(monthly_status_counts(session=session, query=query), keys=2)


def quarterly_invoiced(*, session: Session, query: Query) -> list[tuple[str, str, Decimal]]:
    """(quarter, currency, invoiced amount) where something was invoiced."""
    return _by_quarter(monthly_invoiced(session=session, query=query), keys=2)


def quarterly_failures(*, session: Session, query: Query) -> list[tuple[str, int, int]]:
    """(quarter, failed, all), oldest quarter first."""
    return _by_quarter(monthly_failures(session=session, query=query), keys=1)


def quarterly_seats_added(*, session: Session, query: Query) -> list[tuple[str, int]]:
    """(quarter, seats added), oldest quarter first."""
    return _by_quarter(monthly_seats_added(session=session, query=query), keys=1)


@dataclass(frozen=True)
class AgeBucket:
    """Open failures whose reconciliation date is from `youngest` to `oldest` days before today, both
    included (None: no bound; a date after today is 0 days old or less)."""

    key: str
    label: str
    youngest: int | None
    oldest: int | None

    def days(self, today: date) -> tuple[date | None, date | None]:
        """The first and last reconciliation date of the bucket on `today` (None: no bound)."""
        first = None if self.oldest is None else today - timedelta(days=self.oldest)
        last = None if self.youngest is None else today - timedelta(days=self.youngest)
        return first, last


# Youngest first, each starting the day after the one before it ends.
AGE_BUCKETS = (
    AgeBucket("under_30", "Under 30 days", None, 29),
    AgeBucket("30_90", "30 to 90 days", 30, 90),
    AgeBucket("over_90", "Over 90 days", 91, None),
)


def _open_failures(query: Query) -> Query | None:
    """The failed reconciliations `query` matches (failed ones are the open ones), or None when its
    status filter leaves none."""
    return _with(query, status="failed") if query.value("status") in ("", "failed") else None


def open_failures_by_class(*, session: Session, query: Query) -> list[tuple[str, str, int]]:
    """(class key, label, open failures) in the order of the failure classes, classes with none left
    out: one grouped query over the failed rows (the status-and-date index)."""
    failed = _open_failures(query)
    if failed is None:
        return []
    failure = failure_class_sql(col(Reconciliation.error_message))
    statement = sa.select(failure, sa.func.count()).where(*_row_filters(session, failed)).group_by(failure)
    counts = {key: int(count) for key, count in session.execute(statement)}
    return [(f.key, f.label, counts[f.key]) for f in FAILURE_CLASSES if counts.get(f.key)]


def open_failures_by_age(*, session: Session, query: Query, today: date) -> list[tuple[str, str, int]]:
    """(bucket key, label, open failures) for every age bucket, youngest first, by the reconciliation
    date's age on `today`; none when there are no open failures. One grouped query over the failed rows."""
    failed = _open_failures(query)
    if failed is None:
        return []
    day = col(Reconciliation.reconciliation_date)
    starts = [(bucket, bucket.days(today)[0]) for bucket in AGE_BUCKETS]
    age = sa.case(
        *((day >= first, bucket.key) for bucket, first in starts if first is not None),
        else_=AGE_BUCKETS[-1].key,
    )
    statement = sa.select(age, sa.func.count()).where(*_row_filters(session, failed)).group_by(age)
    counts = {key: int(count) for key, count in session.execute(statement)}
    if not any(counts.values()):
        return []
    return [(bucket.key, bucket.label, counts.get(bucket.key, 0)) for bucket in AGE_BUCKETS]


def failure_class_params(query: Query, key: str) -> dict[str, str] | None:
    """The list's parameters for the open failures of class `key` under the charts' filters; None
    for a key that is no failure class."""
    if key not in {failure.key for failure in FAILURE_CLASSES}:
        return None
    return {**chart_params(query), "status": "failed", "failure": key}


def _dates_within(query: Query, first: date | None, last: date | None) -> dict[str, str] | None:
    """The date parameters of the days from `first` to `last` (None: no bound) that the charts' date
    range holds; None when it holds none of them."""
    chosen_first, chosen_last = _day(query, "from"), _day(query, "to")
    first = max((d for d in (first, chosen_first) if d is not None), default=None)
    last = min((d for d in (last, chosen_last) if d is not None), default=None)
    if first is not None and last is not None and first > last:
        return None
    return {name: d.isoformat() for name, d in (("from", first), ("to", last)) if d is not None}


def failure_age_params(query: Query, key: str, today: date) -> dict[str, str] | None:
    """The list's parameters for the open failures of age bucket `key` on `today` under the charts'
    filters (the bucket's dates within their date range); None for a key that is no bucket, or a
    bucket outside the range."""
    bucket = next((b for b in AGE_BUCKETS if b.key == key), None)
    dates = None if bucket is None else _dates_within(query, *bucket.days(today))
    if dates is None:
        return None
    params = {name: value for name, value in chart_params(query).items() if name not in ("from", "to")}
    return {**params, "status": "failed", **dates}


def _slice_params(query: Query, quarter: str | None = None, **values: str) -> dict[str, str] | None:
    """The list's parameters for the rows of one bar or point: the charts' filters, the days of
    `quarter` among them, and `values` (filters of the list). None when the slice and the charts'
    filters exclude each other (another status chosen, a quarter outside the date range), or when
    the list would not read the parameters back exactly as given (an unknown status or currency, a
    skip reason longer than the list takes): nothing the list would show is that bar's."""
    params = chart_params(query)
    if any(params.get(name, value) != value for name, value in values.items()):
        return None
    if quarter is not None:
        days = quarter_range(quarter)
        dates = None if days is None else _dates_within(query, *days)
        if dates is None:
            return None
        params |= dates
    params |= values
    parsed = RECONCILIATION_LIST.parse(params)
    return params if not parsed.errors and RECONCILIATION_LIST.to_params(parsed.query) == params else None


def status_params(query: Query, quarter: str, status: str) -> dict[str, str] | None:
    """The list's parameters for a status bar: the reconciliations of `status` in `quarter`."""
    return _slice_params(query, quarter, status=status)


def failure_rate_params(query: Query, quarter: str) -> dict[str, str] | None:
    """The list's parameters for a failure-rate point: the failed reconciliations of `quarter`."""
    return _slice_params(query, quarter, status="failed")


def invoiced_params(query: Query, quarter: str, currency: str) -> dict[str, str] | None:
    """The list's parameters for an invoiced point: the reconciliations of `quarter` that invoiced an
    amount (zero or more; a true-up never invoices less than nothing) in `currency`."""
    return _slice_params(query, quarter, currency=currency, min="0")


def seats_added_params(query: Query, quarter: str) -> dict[str, str] | None:
    """The list's parameters for a seats-added bar: the completed reconciliations of `quarter`."""
    return _slice_params(query, quarter, status="done")


def skip_reason_params(query: Query, reason: str) -> dict[str, str] | None:
    """The list's parameters for a skip-reason bar: the reconciliations skipped for `reason`. None for
    those skipped with no reason, which the list cannot pick out."""
    return None if reason == NO_REASON else _slice_params(query, status="skipped", skip_reason=reason)
