"""Why a reconciliation came out as it did, in one or two plain sentences, and its seat arithmetic.

Support answers "why was I invoiced 14 seats?" and "why was my reconciliation skipped?" from these.
The amount is recomputed with the one billing formula (billing.py) from the inputs the reconciliation
recorded; inputs it did not record are said to be missing, never filled in. A skip reason or an error
this module has no sentence for is quoted as such rather than guessed at.
"""

from dataclasses import dataclass
from decimal import Decimal

from admin_app.db.models import Reconciliation
from admin_app.db.reconciliations.billing import invoiced_amount, seats_added
from admin_app.db.reconciliations.failures import (
    FailureClass,
    classify_failure,
    failure_sentence,
    unknown_reason,
)


def _key(reason: str) -> str:
    return " ".join(reason.split()).casefold()


# The billing system's skip reasons, as it writes them, and what each means for the customer.
SKIP_SENTENCES = {
    _key(reason): sentence
    for reason, sentence in (
        (
            "No overage: billable users within subscription seats",
            "Skipped: the billable users at the quarter's peak stayed within the subscription's seats, "
            "so there was nothing to invoice.",
        ),
        (
            "Subscription cancelled before the reconciliation date",
            "Skipped: the subscription was cancelled before the reconciliation date, so there were no "
            "seats to add to.",
        ),
        (
            "Customer opted out of quarterly reconciliation (contract clause)",
            "Skipped: the customer's contract has a clause that opts them out of quarterly reconciliation.",
        ),
        (
            "Reseller-managed subscription: reconciled by the partner",
            "Skipped: the subscription was bought through a reseller, and the partner reconciles it.",
        ),
        (
            "Marketplace subscription: billed by the marketplace",
            "Skipped: the subscription was bought on a marketplace, and the marketplace bills its seats.",
        ),
        (
            "Previous reconciliation still processing",
            "Skipped: the subscription's previous reconciliation was still being processed, and one "
            "subscription is reconciled once at a time.",
        ),
        (
            "Usage data not received from the instance",
            "Skipped: the customer's instance had not sent its usage data, so the users could not be "
            "counted.",
        ),
    )
}


@dataclass(frozen=True)
class SeatArithmetic:
    """How a done reconciliation's amount comes about (billing.py), next to the amount it recorded."""

    seats_before: int
    users_counted: int
    seats_added: int
    seat_price: Decimal
    billed_months: int
    amount: Decimal
    currency: str
    recorded_amount: Decimal | None
    matches_recorded: bool


@dataclass(frozen=True)
class Explanation:
    """What a reconciliation's page says of it: sentences first, then the arithmetic when it is known."""

    sentences: tuple[str, ...]
    failure: FailureClass | None = None
    arithmetic: SeatArithmetic | None = None


def money(amount: Decimal, currency: str) -> str:
    """USD 1,218.00: an amount as the explanation writes it."""
    return f"{currency} {amount:,.2f}"


def _many(count: int, thing: str) -> str:
    return f"{count:,} {thing}" if count == 1 else f"{count:,} {thing}s"


def seat_arithmetic(r: Reconciliation) -> SeatArithmetic | None:
    """The seat arithmetic of a done reconciliation that recorded its inputs; None otherwise."""
    if r.status != "done" or r.seats_before is None or r.seat_price is None or r.billed_months is None:
        return None
    amount = invoiced_amount(
        users_counted=r.user_count,
        seats_before=r.seats_before,
        seat_price=r.seat_price,
        billed_months=r.billed_months,
    )
    return SeatArithmetic(
        seats_before=r.seats_before,
        users_counted=r.user_count,
        seats_added=seats_added(users_counted=r.user_count, seats_before=r.seats_before),
        seat_price=r.seat_price,
        billed_months=r.billed_months,
        amount=amount,
        currency=r.currency,
        recorded_amount=r.invoiced_amount,
        matches_recorded=r.invoiced_amount is not None and r.invoiced_amount == amount,
    )


def _seats_sentence(added: int, users: int, seats_before: int, priced: str = "") -> str:
    counted = f"{_many(users, 'user')} at the quarter's peak"
    if added == 0:
        return f"No seats invoiced: {counted}, within the {_many(seats_before, 'seat')} of the subscription."
    before = _many(seats_before, "seat")
    return f"Invoiced {_many(added, 'seat')}: {counted} against {before} in the subscription{priced}."


def _unrecorded(r: Reconciliation) -> str:
    missing = [
        name
        for name, value in (("seat price", r.seat_price), ("billed months", r.billed_months))
        if value is None
    ]
    were = "was" if missing == ["seat price"] else "were"
    if r.invoiced_amount is None:
        consequence = "nor was an amount"
    else:
        consequence = f"so the amount invoiced ({money(r.invoiced_amount, r.currency)}) cannot be broken down"
    return f"The {' and the '.join(missing)} {were} not recorded for this reconciliation, {consequence}."


def _done(r: Reconciliation) -> tuple[str, ...]:
    if r.seats_before is None:
        sentence = (
            f"{_many(r.user_count, 'user')} were counted at the quarter's peak, but the subscription's seats "
            "before the reconciliation were not recorded, so the seats added are not known."
        )
        if r.invoiced_amount is None:
            return (sentence,)
        return (sentence, f"It invoiced {money(r.invoiced_amount, r.currency)}.")
    added = seats_added(users_counted=r.user_count, seats_before=r.seats_before)
    arithmetic = seat_arithmetic(r)
    if arithmetic is None:
        return (_seats_sentence(added, r.user_count, r.seats_before), _unrecorded(r))
    price = money(arithmetic.seat_price, r.currency)
    priced = f", at {price} per seat per month for {_many(arithmetic.billed_months, 'month')}"
    sentences = [_seats_sentence(added, r.user_count, r.seats_before, priced)]
    computed = money(arithmetic.amount, r.currency)
    if arithmetic.recorded_amount is None:
        sentences.append(f"No invoiced amount was recorded; these inputs give {computed}.")
    elif not arithmetic.matches_recorded:
        recorded = money(arithmetic.recorded_amount, r.currency)
        sentences.append(
            f"The recorded invoice, {recorded}, differs from what these inputs give ({computed})."
        )
    return tuple(sentences)


def _skipped(reason: str | None) -> str:
    if reason is None or not reason.strip():
        return "Skipped, with no reason recorded."
    return SKIP_SENTENCES.get(_key(reason), f"Skipped. {unknown_reason(reason)}")


def explain(r: Reconciliation) -> Explanation:
    """Why `r` came out as it did: its sentences, its failure's class, its seat arithmetic."""
    if r.status == "done":
        return Explanation(_done(r), arithmetic=seat_arithmetic(r))
    if r.status == "skipped":
        return Explanation((_skipped(r.skip_reason),))
    if r.status == "failed":
        if r.error_message is None or not r.error_message.strip():
            return Explanation(("Failed, with no error recorded.",))
        return Explanation((failure_sentence(r.error_message),), failure=classify_failure(r.error_message))
    if r.status == "pending":
        return Explanation(("Pending: it has not run yet, so no users are counted and nothing is invoiced.",))
    if r.status == "processing":
        return Explanation(
            (
                "Processing: the billing system is working on it; the seats and the amount "
                "are known when it is done.",
            )
        )
    return Explanation((f"Its status, {r.status}, is one this page does not know.",))
