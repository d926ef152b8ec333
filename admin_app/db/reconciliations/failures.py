"""Why a reconciliation failed, in classes support can act on, read from the billing system's error.

The billing system's errors are free text with ids, counts and durations in them; each class is a
pattern on the words that stay the same, matched without regard to case. The first class whose pattern
matches wins, so a more particular class comes before a broader one. An error no pattern matches is
"unclassified", and its page quotes it rather than guessing.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class FailureClass:
    """One kind of failure: a key for code and tests, a short label, and the sentence a page shows."""

    key: str
    label: str
    sentence: str


@dataclass(frozen=True)
class _Pattern:
    failure: FailureClass
    pattern: re.Pattern[str]


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


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

FAILURE_PATTERNS: tuple[_Pattern, ...] = (
    _Pattern(RATE_LIMITED, _words(r"\b429\b|too many requests|rate[ -]?limit")),
    _Pattern(TIMED_OUT, _words(r"\btime[ -]?out\b|\btimed[ -]out\b")),
    _Pattern(
        PAYMENT_DECLINED,
        _words(r"\b(payment|card)\b[^.;]*\b(declined|expired)\b|\bdeclined\b[^.;]*\b(payment|card)\b"),
    ),
    _Pattern(
        USAGE_MISSING,
        _words(r"\busage\b[^.;]*\b(missing|not received)\b|\bcannot compute billable users\b"),
    ),
    _Pattern(VERSION_CONFLICT, _words(r"\bversion (mismatch|conflict)\b|\bexpected \d+, got \d+\b")),
    _Pattern(ACCOUNT_BLOCKED, _words(r"\baccount\b[^.;]*\bblocked\b")),
)
FAILURE_CLASSES: tuple[FailureClass, ...] = (*(p.failure for p in FAILURE_PATTERNS), UNCLASSIFIED)


def unknown_reason(reason: str) -> str:
    """What a page says of a reason it has no sentence for: that it does not know it, and the reason."""
    return f"The billing system gave a reason this page does not know: {reason.strip()}"


def classify_failure(error_message: str) -> FailureClass:
    """The class of a billing-system error; UNCLASSIFIED when no pattern matches."""
    for candidate in FAILURE_PATTERNS:
        if candidate.pattern.search(error_message):
            return candidate.failure
    return UNCLASSIFIED


def failure_sentence(error_message: str) -> str:
    """What a page says about a failure: its class's sentence, or the error quoted when unclassified."""
    failure = classify_failure(error_message)
    if failure is UNCLASSIFIED:
        return f"{failure.sentence} {unknown_reason(error_message)}"
    return failure.sentence
