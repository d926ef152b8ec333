"""What a reconciliation invoices, written once.

A reconciliation (a quarterly seat true-up) counts the users at the quarter's peak and invoices the
seats the subscription lacked for them:

    seats added = users counted - seats before, never below 0
    amount      = seats added x seat price per month x billed months

`seats before` are the subscription's seats when the reconciliation ran; the seat price is per seat and
month in the account's currency, as the billing system priced it; billed months are the months of the
term the added seats are invoiced for (3 for a quarter). Fewer users than seats invoice nothing: a
true-up never refunds. The amount is rounded to the cent, as the invoice is.

Example: 59 users against 45 seats at 29.00 a seat a month for 3 months: 14 seats, 1,218.00.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def seats_added(*, users_counted: int, seats_before: int) -> int:
    """The seats a reconciliation adds: the users beyond the subscription's seats, or none."""
    return max(0, users_counted - seats_before)


def invoiced_amount(
    *, users_counted: int, seats_before: int, seat_price: Decimal, billed_months: int
) -> Decimal:
    """The amount a reconciliation invoices (see the module's docstring), to the cent."""
    added = seats_added(users_counted=users_counted, seats_before=seats_before)
    return (added * seat_price * billed_months).quantize(CENT, rounding=ROUND_HALF_UP)
