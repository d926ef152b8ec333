"""Reading list filters from URL parameters: unknown values are dropped with a message, never an error."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Generic, Protocol, TypeVar

MAX_AMOUNT = Decimal("1e12")
Q = TypeVar("Q")


class Sortable(Protocol):
    """A list query: a dataclass with a sort key and its direction."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def sort(self) -> str: ...

    @property
    def descending(self) -> bool: ...


S = TypeVar("S", bound=Sortable)


@dataclass(frozen=True)
class Parsed(Generic[Q]):
    """A list query read from the URL, with a message for every value that was ignored."""

    query: Q
    errors: list[str] = field(default_factory=list)


# Record ids are PostgreSQL INTEGERs: a larger number names no record, and PostgreSQL would refuse the
# query that looks for it rather than find nothing.
MAX_ID = 2**31 - 1
QUOTED_CHARACTERS = 40
QUOTED_MAX_LENGTH = 60


def quoted(value: object) -> str:
    """`value` as a message repeats it: its first characters in quotes, escapes shown, never long
    (one escaped emoji takes ten characters)."""
    shown = repr(str(value)[:QUOTED_CHARACTERS])
    return shown if len(shown) <= QUOTED_MAX_LENGTH else f"{shown[: QUOTED_MAX_LENGTH - 2]}…{shown[-1]}"


def record_id(value: object) -> int | None:
    """`value` when it is a number a record's id can be (an int, not a bool, from 1 to MAX_ID)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def parse_id(text: object) -> int | None:
    """A record id from a URL: ASCII digits only (str.isdigit also takes "²" and "٣", which int() refuses
    or reads as another number), at most MAX_ID's; None otherwise."""
    if not isinstance(text, str) or not 0 < len(text) <= len(str(MAX_ID)):
        return None
    return record_id(int(text)) if text.isascii() and text.isdigit() else None


def read_text(params: Mapping[str, object], key: str, limit: int) -> str:
    """A free-text value, trimmed and cut to `limit` characters; anything not a string is empty."""
    value = params.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def read_choice(
    params: Mapping[str, object], key: str, allowed: Iterable[str], label: str, errors: list[str]
) -> str | None:
    """A value from an allowlist, or None (with a message when something else was sent)."""
    value = params.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, str) and value in allowed:
        return value
    errors.append(f"Unknown {label} {quoted(value)} was ignored.")
    return None


def read_date(params: Mapping[str, object], key: str, label: str, errors: list[str]) -> date | None:
    """An ISO date, or None (with a message when the value is not one)."""
    value = params.get(key)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.append(f"{label} {quoted(value)} is not a date (YYYY-MM-DD) and was ignored.")
        return None


def read_date_range(
    params: Mapping[str, object], keys: tuple[str, str], label: str, errors: list[str]
) -> tuple[date | None, date | None]:
    """A from/to pair of dates; a reversed range is swapped and said so."""
    start = read_date(params, keys[0], f"{label} from", errors)
    end = read_date(params, keys[1], f"{label} to", errors)
    if start and end and start > end:
        errors.append(f"The {label.lower()} range was reversed; it has been swapped.")
        start, end = end, start
    return start, end


def read_amount(params: Mapping[str, object], key: str, label: str, errors: list[str]) -> Decimal | None:
    """A non-negative amount, or None (with a message for negatives and non-numbers)."""
    value = params.get(key)
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        errors.append(f"{label} {quoted(value)} is not an amount of zero or more and was ignored.")
        return None
    return amount


def read_sort(
    params: Mapping[str, object], allowed: Iterable[str], default: str, errors: list[str]
) -> tuple[str, bool]:
    """(sort key, descending) from `sort=key` or `sort=-key`; an unknown key falls back to `default`."""
    value = params.get("sort") or default
    value = value if isinstance(value, str) else ""
    sort = value.removeprefix("-")
    if sort in allowed:
        return sort, value.startswith("-")
    errors.append(f"Unknown sort {quoted(value)} was ignored.")
    return default.removeprefix("-"), default.startswith("-")


def with_sort(query: S, sort: str, allowed: Iterable[str], ascending_first: Iterable[str] = ()) -> S:
    """`query` (a dataclass with sort and descending) sorted by `sort`; the current sort flips direction.

    A new sort starts descending (newest, largest first) unless it is in `ascending_first` (names).
    """
    if sort not in allowed:
        return query
    if sort == query.sort:
        return replace(query, descending=not query.descending)
    return replace(query, sort=sort, descending=sort not in ascending_first)
