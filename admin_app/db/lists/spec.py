"""A list described once: the table, its search, its filters as objects (name, label, the values they
take, what each keeps), its sorts and the columns of its CSV. Reading the URL, writing it back, a
change of sort, the rows, their count and every row for the export follow from the description.

A filter's value is kept as the URL writes it, once checked (`Query.values`); the filter turns it into
conditions when the list is read (`Reading`: a condition may depend on the day, or on what the
database holds). Adding a filter to a list is one more object in its `filters`: the list's state, its
filter bar (components.filters.described_filters) and its export read them from there."""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.sql.elements import ColumnElement, SQLColumnExpression
from sqlmodel import Session

from admin_app.db.lists.listing import ListSource
from admin_app.db.lists.paging import COUNT_CAP, PAGE_SIZE, Match, Page, ResultCount
from admin_app.db.lists.query_params import (
    Parsed,
    parse_id,
    quoted,
    read_amount,
    read_choice,
    read_date_range,
    read_sort,
    read_text,
)
from admin_app.db.lists.text_search import SearchSpec, match_for, normalize_term

Condition = ColumnElement[bool]


def today_utc() -> date:
    """Today's date in UTC, the calendar of the lists' days (a date range's, a license's validity)."""
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class Reading:
    """What a list is read with besides its query: the session (what the database holds) and the day
    it is read on (a license is valid by the day)."""

    session: Session
    today: date


@dataclass(frozen=True)
class Query:
    """What a list page asks for: a search term, each filter's value as the URL writes it (filters
    not in use are absent), and a sort key of the list with its direction."""

    q: str = ""
    values: Mapping[str, str] = field(default_factory=dict)
    sort: str = ""
    descending: bool = False

    def value(self, name: str) -> str:
        """The filter's value, or "" when it is not in use."""
        return self.values.get(name, "")


class Filter(Protocol):
    """A filter of a list: the URL parameters it reads (`names`) and its label, its values read from
    the URL (each checked; a value it does not take is left out, with a message in `errors`), and the
    conditions its values make when the list is read."""

    @property
    def names(self) -> tuple[str, ...]: ...

    @property
    def label(self) -> str: ...

    # An index keeps the filter's rows in the list's order (see paging.Match.in_order): how rare they
    # are, the rarest given counting the windows; 0 for a filter without such an index.
    @property
    def in_order(self) -> int: ...

    def read(self, params: Mapping[str, object], errors: list[str]) -> dict[str, str]: ...

    def conditions(self, values: Mapping[str, str], reading: Reading) -> list[Condition]: ...


class OneValue:
    """A filter of one URL parameter, `name`: `read_one` checks its value, `conditions_for` makes its
    conditions."""

    name: str
    in_order: int

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def read_one(self, params: Mapping[str, object], errors: list[str]) -> str | None:
        raise NotImplementedError

    def conditions_for(self, value: str, reading: Reading) -> list[Condition]:
        raise NotImplementedError

    def read(self, params: Mapping[str, object], errors: list[str]) -> dict[str, str]:
        value = self.read_one(params, errors)
        return {self.name: value} if value else {}

    def conditions(self, values: Mapping[str, str], reading: Reading) -> list[Condition]:
        value = values.get(self.name, "")
        return self.conditions_for(value, reading) if value else []


@dataclass(frozen=True)
class Choice:
    """One value of a choice filter: how it reads in the filter bar and the rows it keeps."""

    label: str
    keeps: Callable[[], Condition]

    def conditions(self, _reading: Reading) -> list[Condition]:
        return [self.keeps()]


@dataclass(frozen=True)
class RuleChoice:
    """A value of a choice filter whose rows a rule keeps, its conditions made when the list is read:
    by the day it is read on (a license valid today), or by what the database holds."""

    label: str
    keeps: Callable[[Reading], list[Condition]]

    def conditions(self, reading: Reading) -> list[Condition]:
        return self.keeps(reading)


def equal_to(
    column: Callable[[], SQLColumnExpression[str | None]], labels: Mapping[str, str]
) -> dict[str, Choice]:
    """Choices that each keep the rows whose `column` holds the choice's value."""

    def keeps(value: str) -> Callable[[], Condition]:
        return lambda: column() == value

    return {value: Choice(label, keeps(value)) for value, label in labels.items()}


@dataclass(frozen=True)
class ChoiceFilter(OneValue):
    """One of a few values, chosen from a list (`noun` names the filter in a message about a value it
    does not take). With a `facet`, the column of the table's SQLite trigram index that holds the
    value (text_search.facet_trigram), a term is looked up there together with the value."""

    name: str
    label: str
    noun: str
    choices: Mapping[str, Choice | RuleChoice]
    in_order: int = 0
    facet: str = ""

    def read_one(self, params: Mapping[str, object], errors: list[str]) -> str | None:
        return read_choice(params, self.name, self.choices, self.noun, errors)

    def conditions_for(self, value: str, reading: Reading) -> list[Condition]:
        return self.choices[value].conditions(reading)

    @property
    def options(self) -> dict[str, str]:
        """Value -> label, in the order the filter bar offers them."""
        return {value: choice.label for value, choice in self.choices.items()}


@dataclass(frozen=True)
class CodeFilter(OneValue):
    """A code typed in full (a country's ISO code), in any case, keeping the rows whose `column` holds
    it; `codes` are the codes that exist."""

    name: str
    label: str
    noun: str
    codes: frozenset[str]
    column: Callable[[], SQLColumnExpression[str]]
    in_order: int = 0

    def read_one(self, params: Mapping[str, object], errors: list[str]) -> str | None:
        value = params.get(self.name)
        if value in (None, ""):
            return None
        code = value.strip().upper() if isinstance(value, str) else ""
        if code in self.codes:
            return code
        errors.append(f"Unknown {self.noun} {quoted(value)} was ignored.")
        return None

    def conditions_for(self, value: str, _reading: Reading) -> list[Condition]:
        return [self.column() == value]


@dataclass(frozen=True)
class TextFilter(OneValue):
    """A value typed in full (an email, an address), trimmed and cut to `max_length`; `keeps` says
    which rows it keeps. With `check`, a value that fails it is dropped with a message naming what
    was expected ("Record '1 OR 1=1' is not an id and was ignored.")."""

    name: str
    label: str
    max_length: int
    keeps: Callable[[str], Condition]
    check: Callable[[str], bool] | None = None
    noun: str = ""
    expected: str = ""
    in_order: int = 0
    # False for a filter reached by a link only (one staff action's rows), not offered in the bar.
    in_bar: bool = True
    # False for a value kept as typed, spaces and all (a skip reason is matched exactly).
    trimmed: bool = True

    def _text(self, params: Mapping[str, object]) -> str:
        if self.trimmed:
            return read_text(params, self.name, self.max_length)
        value = params.get(self.name)
        return value[: self.max_length] if isinstance(value, str) else ""

    def read_one(self, params: Mapping[str, object], errors: list[str]) -> str | None:
        value = self._text(params)
        if value and self.check is not None and not self.check(value):
            errors.append(f"{self.noun.capitalize()} {quoted(value)} is not {self.expected} and was ignored.")
            return None
        return value or None

    def conditions_for(self, value: str, _reading: Reading) -> list[Condition]:
        return [self.keeps(value)]


@dataclass(frozen=True)
class DateRangeFilter:
    """A from / to pair of days (either may be left out), both included, over a column of UTC times,
    or of days when `days` is set; a reversed pair is swapped and said so."""

    names: tuple[str, str]
    label: str
    labels: tuple[str, str]
    column: Callable[[], SQLColumnExpression[Any]]
    in_order: int = 0
    days: bool = False

    def read(self, params: Mapping[str, object], errors: list[str]) -> dict[str, str]:
        days = read_date_range(params, self.names, self.label, errors)
        return {name: day.isoformat() for name, day in zip(self.names, days, strict=True) if day}

    def conditions(self, values: Mapping[str, str], _reading: Reading) -> list[Condition]:
        start, end = (values.get(name, "") for name in self.names)
        found = []
        if start:
            first = date.fromisoformat(start)
            found.append(
                self.column() >= (first if self.days else datetime.combine(first, time.min, tzinfo=UTC))
            )
        if end:
            last = date.fromisoformat(end)
            if self.days:
                found.append(self.column() <= last)
            else:
                found.append(self.column() < datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC))
        return found


@dataclass(frozen=True)
class IdFilter(OneValue):
    """A record's id (a billing account's), reached by a link rather than offered in the bar; a value
    that is not an id is dropped with a message naming the record (`noun`)."""

    name: str
    label: str
    noun: str
    column: Callable[[], SQLColumnExpression[int]]
    in_order: int = 0

    def read_one(self, params: Mapping[str, object], errors: list[str]) -> str | None:
        value = params.get(self.name)
        if value in (None, ""):
            return None
        text = str(value)
        if (found := parse_id(text)) is not None:
            return str(found)
        errors.append(f"{self.noun.capitalize()} {quoted(text)} is not an id and was ignored.")
        return None

    def conditions_for(self, value: str, _reading: Reading) -> list[Condition]:
        return [self.column() == int(value)]


@dataclass(frozen=True)
class AmountRangeFilter:
    """A from / to pair of amounts of zero or more (either may be left out), both included; a reversed
    pair is swapped and said so. `nouns` name each in a message about a value it does not take."""

    names: tuple[str, str]
    label: str
    labels: tuple[str, str]
    nouns: tuple[str, str]
    column: Callable[[], SQLColumnExpression[Decimal | None]]
    in_order: int = 0

    def read(self, params: Mapping[str, object], errors: list[str]) -> dict[str, str]:
        low, high = (
            read_amount(params, n, noun, errors) for n, noun in zip(self.names, self.nouns, strict=True)
        )
        if low is not None and high is not None and low > high:
            errors.append(f"The {self.label.lower()} range was reversed; it has been swapped.")
            low, high = high, low
        amounts = (low, high)
        return {name: str(a) for name, a in zip(self.names, amounts, strict=True) if a is not None}

    def conditions(self, values: Mapping[str, str], _reading: Reading) -> list[Condition]:
        low, high = (values.get(name, "") for name in self.names)
        found = []
        if low:
            found.append(self.column() >= Decimal(low))
        if high:
            found.append(self.column() <= Decimal(high))
        return found


def _iso(value: object) -> str:
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else ""


@dataclass(frozen=True)
class CsvColumn:
    """One column of an export: its header and how a row's cell is made. Header and cells come from
    the same list, so they cannot drift apart."""

    header: str
    cell: Callable[[Any], object]


def csv_field(name: str) -> CsvColumn:
    """The row's attribute `name`, as it is."""
    return CsvColumn(name, lambda row: getattr(row, name))


def csv_date(name: str) -> CsvColumn:
    """The row's date or time `name` in ISO 8601, empty when there is none."""
    return CsvColumn(name, lambda row: _iso(getattr(row, name)))


@dataclass(frozen=True)
class ListSpec:
    """One list. `default_sort` is a sort key, "-" first when it runs newest (largest) first; a sort
    chosen anew starts descending unless it is in `ascending_first`."""

    entity: type[Any]
    id_column: SQLColumnExpression[Any]
    # The table's own search; a list without one finds a term through `term_match`.
    search: SearchSpec | None
    filters: tuple[Filter, ...]
    sort_columns: Mapping[str, tuple[Any, type]]
    default_sort: str
    ascending_first: tuple[str, ...] = ()
    export_columns: tuple[CsvColumn, ...] = ()
    # How a term finds rows when the table's own search is not all (a subscription is found by its
    # account's name too): given the term and the filters' conditions.
    term_match: Callable[[Session, str, list[Condition]], Match] | None = None
    # The sort whose order the in-order filters' indexes keep (see Filter.in_order); "" for a list
    # whose every sort they keep.
    in_order_sort: str = ""
    # Searches of some of the rows alone (a partial index, SearchSpec.index_scope): a term is looked
    # for in one of them instead of `search` when the filters' conditions hold its scope's own.
    scoped_searches: tuple[SearchSpec, ...] = ()
    # How a list is counted whose filters make each match dear to find (rule 11 looks at a company's
    # later licenses): given the query and the cap, the cap to count to and the order to count in
    # (see listing.count_of); every other list is counted to the cap, in no order.
    counting: Callable[[Query, int], tuple[int, Sequence[ColumnElement[Any]] | None]] | None = None
    # The filters, each by its first URL parameter, in the order their values are read and their
    # messages given, when that is not the order of `filters` (the order the URL writes them in).
    read_order: tuple[str, ...] = ()
    # The rows the list is of, whatever its filters (Login status: the customers whose login is not
    # activated); None for a list of the whole table.
    scope: Callable[[], Condition] | None = None

    @property
    def filter_names(self) -> tuple[str, ...]:
        """Every URL parameter of the list's filters."""
        return tuple(name for f in self.filters for name in f.names)

    def query(self, q: str = "", sort: str = "", **values: str) -> Query:
        """A query of this list in code (tests, other lists' look-ups): `sort` as in the URL."""
        key = sort or self.default_sort
        return Query(q=q, values=values, sort=key.removeprefix("-"), descending=key.startswith("-"))

    def parse(self, params: Mapping[str, object]) -> Parsed[Query]:
        """Read a query from URL parameters; a value a filter does not take is dropped with a message."""
        errors: list[str] = []
        sort, descending = read_sort(params, self.sort_columns, self.default_sort, errors)
        read = {f.names[0]: f.read(params, errors) for f in self._in_read_order()}
        values = {name: value for f in self.filters for name, value in read[f.names[0]].items()}
        query = Query(q=normalize_term(params.get("q")), values=values, sort=sort, descending=descending)
        return Parsed(query=query, errors=errors)

    def _in_read_order(self) -> list[Filter]:
        by_name = {f.names[0]: f for f in self.filters}
        first = [by_name[name] for name in self.read_order]
        return first + [f for f in self.filters if f.names[0] not in self.read_order]

    def to_params(self, query: Query) -> dict[str, str]:
        """The query as URL parameters, defaults left out."""
        params = {"q": query.q, **{name: query.value(name) for name in self.filter_names}}
        sort = ("-" if query.descending else "") + query.sort
        if sort != self.default_sort:
            params["sort"] = sort
        return {key: value for key, value in params.items() if value}

    def with_sort(self, query: Query, key: str) -> Query:
        """Sorted by `key`; the current sort flips direction. An unknown key changes nothing."""
        if key not in self.sort_columns:
            return query
        if key == query.sort:
            return replace(query, descending=not query.descending)
        return replace(query, sort=key, descending=key not in self.ascending_first)

    def conditions(self, query: Query, reading: Reading) -> list[Condition]:
        """The list's scope and the conditions of the query's filters, the term left out."""
        found = [condition for f in self.filters for condition in f.conditions(query.values, reading)]
        return self._scoped(found)

    def _scoped(self, conditions: list[Condition]) -> list[Condition]:
        """The list's scope, if it has one, before the filters' conditions."""
        return conditions if self.scope is None else [self.scope(), *conditions]

    def _match(self, reading: Reading, query: Query) -> Match:
        """The list's scope, the filters' conditions and the term's match."""
        made = [(f, f.conditions(query.values, reading)) for f in self.filters]
        conditions = self._scoped([condition for _, found in made for condition in found])
        if query.q and self.term_match is not None:
            match = self.term_match(reading.session, query.q, conditions)
        elif (search := self._search_for(conditions)) is not None:
            match = match_for(
                reading.session, search, query.q, conditions, indexed_filters=self._facets(query)
            )
        else:
            match = Match(filters=conditions)
        return replace(match, in_order=self._in_order(query, made))

    def _in_order(self, query: Query, made: list[tuple[Filter, list[Condition]]]) -> tuple[Condition, ...]:
        """The condition that counts the windows: the rarest filter given whose index keeps the list's
        order (see paging.Match.in_order); none when the list is in an order the indexes do not keep."""
        if self.in_order_sort and query.sort != self.in_order_sort:
            return ()
        ranked = sorted(
            ((f.in_order, c) for f, found in made if f.in_order for c in found), key=lambda pair: -pair[0]
        )
        return tuple(c for _, c in ranked[:1])

    def _search_for(self, conditions: list[Condition]) -> SearchSpec | None:
        """The first scoped search whose scope the conditions hold (the very objects), else `search`."""
        held = {id(condition) for condition in conditions}
        scoped = (s for s in self.scoped_searches if all(id(c) in held for c in s.index_scope))
        return next(scoped, self.search)

    def _facets(self, query: Query) -> list[tuple[str, str]]:
        """(facet column, value) of each choice filter with a facet (see ChoiceFilter)."""
        return [
            (f.facet, query.value(f.name)) for f in self.filters if isinstance(f, ChoiceFilter) and f.facet
        ]

    def _source(self, today: date | None) -> ListSource[Query, Any]:
        """The list's rows as of `today` (today in UTC unless given)."""

        def match(session: Session, query: Query) -> Match:
            return self._match(Reading(session, today or today_utc()), query)

        return ListSource(
            entity=self.entity, id_column=self.id_column, sort_columns=self.sort_columns, match=match
        )

    def rows(
        self,
        *,
        session: Session,
        query: Query,
        after: str | None = None,
        before: str | None = None,
        limit: int = PAGE_SIZE,
        today: date | None = None,
    ) -> Page:
        """A page of rows matching `query`, after or before a cursor of an earlier page."""
        return self._source(today).search(
            session=session, query=query, after=after, before=before, limit=limit
        )

    def count(
        self, *, session: Session, query: Query, cap: int = COUNT_CAP, today: date | None = None
    ) -> ResultCount:
        """How many rows match, exact up to `cap` (see `counting`)."""
        cap, densest_first = self.counting(query, cap) if self.counting is not None else (cap, None)
        return self._source(today).count(session=session, query=query, cap=cap, densest_first=densest_first)

    def every(
        self, *, session: Session, query: Query, today: date | None = None, batch_size: int = 2000
    ) -> Iterator[Any]:
        """Every matching row in page order, for the export."""
        return self._source(today).every(session=session, query=query, batch_size=batch_size)
