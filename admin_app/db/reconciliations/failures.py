"""Why a reconciliation failed, in classes support can act on, read from the billing system's error.

The billing system's errors are free text with ids, counts and durations in them; each class is
known by fragments of the words that stay the same, written in lowercase ASCII (where Python's
lower() and both databases' agree) and looked for in the lowercased error. A class matches when one
of its alternatives does: every fragment of it, in its order. The first class that matches wins, so
a more particular class comes before a broader one. An error no class matches is "unclassified",
and its page quotes it rather than guessing.

The one table, FAILURE_PATTERNS, is applied in Python (classify_failure) and in SQL
(failure_class_sql: LIKE '%fragment%fragment%' over lower(error_message)), alike on both databases.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement, SQLColumnExpression


@dataclass(frozen=True)
class FailureClass:
    """One kind of failure: a key for code and tests, a short label, and the sentence a page shows."""

    key: str
    label: str
    sentence: str


@dataclass(frozen=True)
class FailurePattern:
    """A class and its alternatives: each the lowercase fragments an error holds in that order."""

    failure: FailureClass
    alternatives: tuple[tuple[str, ...], ...]

    def matches(self, lowered: str) -> bool:
        """Whether a lowercased error holds every fragment of one alternative, in order."""
        return any(_in_order(lowered, fragments) for fragments in self.alternatives)


def _in_order(lowered: str, fragments: tuple[str, ...]) -> bool:
    start = 0
    for fragment in fragments:
        found = lowered.find(fragment, start)
        if found < 0:
            return False
        start = found + len(fragment)
    return True


def _pattern(failure: FailureClass, *alternatives: str | tuple[str, ...]) -> FailurePattern:
    """A class's pattern; an alternative of one fragment may be written as the fragment alone."""
    return FailurePattern(failure, tuple((a,) if isinstance(a, str) else a for a in alternatives))


RATE_LIMITED = FailureClass(
    "rate_limited",
    "Billing system rate limit",
    "Failed: the billing system turned the request away because too many came at once (a rate limit). "
    "This passes by itself; running the reconciliation again later should go through.",
)
TIMED_OUT = FailureClass(
    "timed_out",
    "Billing system timeout",
    "Failed: the billing system did not answer in time. This is usually temporary; running the "
    "reconciliation again later should go through.",
)
PAYMENT_DECLINED = FailureClass(
    "payment_declined",
    "Payment declined",
    "Failed: the customer's payment method was declined. The customer needs to update it before the "
    "seats can be invoiced.",
)
USAGE_MISSING = FailureClass(
    "usage_missing",
    "Usage data missing",
    "Failed: the customer's instance has not sent its usage data, so the users could not be counted.",
)
VERSION_CONFLICT = FailureClass(
    "version_conflict",
    "Subscription version conflict",
    "Failed: the subscription changed in the billing system while the reconciliation was amending it. "
    "Running it again reads the new version.",
)
ACCOUNT_BLOCKED = FailureClass(
    "account_blocked",
    "Account blocked",
    "Failed: the billing account is blocked in the billing system, which refuses new invoices for it "
    "until it is unblocked.",
)
UNCLASSIFIED = FailureClass("unclassified", "Unclassified", "Failed.")

FAILURE_PATTERNS: tuple[FailurePattern, ...] = (
    _pattern(RATE_LIMITED, " 429 ", "too many requests", "rate limit", "rate-limit", "ratelimit"),
    _pattern(TIMED_OUT, "timeout", "time out", "time-out", "timed out", "timed-out"),
    _pattern(
        PAYMENT_DECLINED,
        ("payment", "declined"),
        ("payment", "expired"),
        ("card", "declined"),
        ("card", "expired"),
        ("declined", "payment"),
        ("declined", "card"),
    ),
    _pattern(USAGE_MISSING, ("usage", "missing"), ("usage", "not received"), "cannot compute billable users"),
    _pattern(VERSION_CONFLICT, "version mismatch", "version conflict", ("expected ", ", got ")),
    _pattern(ACCOUNT_BLOCKED, ("account", "blocked")),
)
FAILURE_CLASSES: tuple[FailureClass, ...] = (*(p.failure for p in FAILURE_PATTERNS), UNCLASSIFIED)


def unknown_reason(reason: str) -> str:
    """What a page says of a reason it has no sentence for: that it does not know it, and the reason."""
    return f"The billing system gave a reason this page does not know: {reason.strip()}"


def classify_failure(error_message: str) -> FailureClass:
    """The class of a billing-system error; UNCLASSIFIED when no pattern matches."""
    lowered = error_message.lower()
    return next((p.failure for p in FAILURE_PATTERNS if p.matches(lowered)), UNCLASSIFIED)


def _like(fragments: tuple[str, ...]) -> str:
    """A LIKE pattern of fragments in order, each taken literally ("/" escapes)."""
    escaped = (f.replace("/", "//").replace("%", "/%").replace("_", "/_") for f in fragments)
    return "%" + "%".join(escaped) + "%"


def failure_class_sql(error_message: SQLColumnExpression[str | None]) -> ColumnElement[str]:
    """The class key of an error column, in SQL: the same table as classify_failure; a missing error
    is "unclassified"."""
    lowered = sa.func.lower(error_message)
    whens = [
        (sa.or_(*(lowered.like(_like(a), escape="/") for a in p.alternatives)), p.failure.key)
        for p in FAILURE_PATTERNS
    ]
    return sa.case(*whens, else_=UNCLASSIFIED.key)


def failure_sentence(error_message: str) -> str:
    """What a page says about a failure: its class's sentence, or the error quoted when unclassified."""
    failure = classify_failure(error_message)
    if failure is UNCLASSIFIED:
        return f"{failure.sentence} {unknown_reason(error_message)}"
    return failure.sentence
