"""A reconciliation explains itself: the billing formula, a sentence for every skip reason and failure
class, the seat arithmetic, and the demo data agreeing with the formula row by row."""

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, select

from admin_app.db.models import Reconciliation
from admin_app.db.reconciliations.billing import invoiced_amount, seats_added
from admin_app.db.reconciliations.explain import SKIP_SENTENCES, explain, seat_arithmetic
from admin_app.db.reconciliations.failures import (
    FAILURE_CLASSES,
    UNCLASSIFIED,
    classify_failure,
    failure_sentence,
)
from admin_app.seed import words
from admin_app.seed.__main__ import load
from admin_app.seed.generate import SCALES

D = Decimal
UNKNOWN = "The billing system gave a reason this page does not know: "


def reconciliation(**fields) -> Reconciliation:
    """A reconciliation as the database would hand it over (nothing is written)."""
    defaults = {
        "id": 1,
        "billing_account_id": 1,
        "customer_name": "ACME Corp",
        "subscription_name": "A-S00000001",
        "status": "done",
        "reconciliation_date": date(2025, 7, 1),
        "user_count": 59,
        "seats_before": 45,
        "seat_price": D("29.00"),
        "billed_months": 3,
        "invoiced_amount": D("1218.00"),
        "currency": "USD",
    }
    return Reconciliation(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("users", "seats", "price", "months", "added", "amount"),
    [
        (59, 45, D("29.00"), 3, 14, D("1218.00")),
        (46, 45, D("4.00"), 3, 1, D("12.00")),
        (45, 45, D("99.00"), 3, 0, D("0.00")),
        (40, 45, D("99.00"), 3, 0, D("0.00")),
        (57, 45, D("4350.00"), 3, 12, D("156600.00")),
        (7, 0, D("19.99"), 1, 7, D("139.93")),
        (1_250, 1_000, D("99.00"), 12, 250, D("297000.00")),
    ],
    ids=["example", "one seat", "exactly full", "fewer users than seats", "JPY", "odd price", "a year"],
)
def test_the_formula_on_cases_worked_by_hand(users, seats, price, months, added, amount):
    assert seats_added(users_counted=users, seats_before=seats) == added
    assert (
        invoiced_amount(users_counted=users, seats_before=seats, seat_price=price, billed_months=months)
        == amount
    )


def test_a_done_reconciliation_says_how_many_seats_and_why():
    explained = explain(reconciliation())
    assert explained.sentences == (
        "Invoiced 14 seats: 59 users at the quarter's peak against 45 seats in the subscription, "
        "at USD 29.00 per seat per month for 3 months.",
    )
    assert explained.arithmetic is not None
    assert explained.arithmetic.seats_before == 45
    assert explained.arithmetic.users_counted == 59
    assert explained.arithmetic.seats_added == 14
    assert explained.arithmetic.seat_price == D("29.00")
    assert explained.arithmetic.billed_months == 3
    assert explained.arithmetic.amount == D("1218.00")
    assert explained.arithmetic.matches_recorded
    assert explained.failure is None


def test_one_seat_one_month_and_thousands_read_naturally():
    one = explain(reconciliation(user_count=46, billed_months=1, invoiced_amount=D("29.00")))
    assert one.sentences[0].startswith("Invoiced 1 seat: 46 users")
    assert one.sentences[0].endswith("for 1 month.")
    many = explain(
        reconciliation(
            user_count=2_500,
            seats_before=1_200,
            seat_price=D("4350.00"),
            currency="JPY",
            invoiced_amount=D("16965000.00"),
        )
    )
    assert many.sentences == (
        "Invoiced 1,300 seats: 2,500 users at the quarter's peak against 1,200 seats in the subscription, "
        "at JPY 4,350.00 per seat per month for 3 months.",
    )


def test_no_seats_added_invoices_nothing():
    explained = explain(reconciliation(user_count=40, invoiced_amount=D("0.00")))
    assert explained.sentences == (
        "No seats invoiced: 40 users at the quarter's peak, within the 45 seats of the subscription.",
    )
    assert explained.arithmetic is not None
    assert explained.arithmetic.seats_added == 0
    assert explained.arithmetic.matches_recorded


def test_an_amount_the_inputs_do_not_give_is_pointed_out():
    explained = explain(reconciliation(invoiced_amount=D("1000.00")))
    assert explained.arithmetic is not None
    assert not explained.arithmetic.matches_recorded
    assert explained.sentences[1] == (
        "The recorded invoice, USD 1,000.00, differs from what these inputs give (USD 1,218.00)."
    )
    unrecorded = explain(reconciliation(invoiced_amount=None))
    assert unrecorded.arithmetic is not None
    assert not unrecorded.arithmetic.matches_recorded
    assert unrecorded.sentences[1] == "No invoiced amount was recorded; these inputs give USD 1,218.00."


def test_without_recorded_inputs_the_price_is_said_to_be_missing_not_made_up():
    explained = explain(reconciliation(seat_price=None, billed_months=None))
    assert explained.arithmetic is None
    assert explained.sentences == (
        "Invoiced 14 seats: 59 users at the quarter's peak against 45 seats in the subscription.",
        "The seat price and the billed months were not recorded for this reconciliation, so the amount "
        "invoiced (USD 1,218.00) cannot be broken down.",
    )
    price_only = explain(reconciliation(seat_price=None))
    assert price_only.arithmetic is None
    assert price_only.sentences[1].startswith("The seat price was not recorded")
    assert "29" not in " ".join(price_only.sentences)
    nothing = explain(reconciliation(seat_price=None, billed_months=None, invoiced_amount=None))
    assert nothing.sentences[1].endswith("were not recorded for this reconciliation, nor was an amount.")


def test_without_the_seats_before_the_seats_added_are_not_guessed():
    explained = explain(reconciliation(seats_before=None))
    assert explained.arithmetic is None
    assert explained.sentences == (
        "59 users were counted at the quarter's peak, but the subscription's seats before the "
        "reconciliation were not recorded, so the seats added are not known.",
        "It invoiced USD 1,218.00.",
    )


def test_only_a_done_reconciliation_has_seat_arithmetic():
    for status in ("pending", "processing", "skipped", "failed"):
        assert seat_arithmetic(reconciliation(status=status)) is None


@pytest.mark.parametrize("reason", words.SKIP_REASONS)
def test_every_skip_reason_of_the_billing_system_has_its_sentence(reason):
    [sentence] = explain(reconciliation(status="skipped", skip_reason=reason)).sentences
    assert sentence.startswith("Skipped: ")
    assert UNKNOWN not in sentence
    shouted = explain(reconciliation(status="skipped", skip_reason=f"  {reason.upper()} ")).sentences
    assert shouted == (sentence,)


def test_the_skip_sentences_are_for_the_billing_systems_reasons_and_say_different_things():
    assert len(set(SKIP_SENTENCES.values())) == len(SKIP_SENTENCES) == len(words.SKIP_REASONS)


def test_the_reseller_skip_reads_plainly():
    skipped = reconciliation(
        status="skipped", skip_reason="Reseller-managed subscription: reconciled by the partner"
    )
    assert explain(skipped).sentences == (
        "Skipped: the subscription was bought through a reseller, and the partner reconciles it.",
    )


def test_an_unknown_skip_reason_is_quoted_not_guessed():
    reason = "Subscription migrated to the new pricing model"
    assert explain(reconciliation(status="skipped", skip_reason=reason)).sentences == (
        f"Skipped. {UNKNOWN}{reason}",
    )
    assert explain(reconciliation(status="skipped", skip_reason=None)).sentences == (
        "Skipped, with no reason recorded.",
    )


DEMO_ERROR_CLASSES = {
    "Zuora API error: 429 Too Many Requests while creating amendment": "rate_limited",
    "Payment method declined: card expired": "payment_declined",
    "Usage ping missing for 45 days; cannot compute billable users": "usage_missing",
    "Amendment failed: subscription version mismatch (expected 7, got 8)": "version_conflict",
    "Timeout after 30s while creating the invoice in Zuora": "timed_out",
    "Invoice owner account is blocked in the billing system": "account_blocked",
}

VARIANTS = {
    "rate_limited": (
        "ZUORA API ERROR: 429 too many requests while creating amendment A-AM00004521",
        "Zuora API error: Too Many Requests while updating subscription A-S00012345",
        "zuora api error: 429 while creating the invoice",
    ),
    "payment_declined": (
        "PAYMENT METHOD DECLINED: CARD EXPIRED",
        "Payment method declined: insufficient funds on card ending 4242",
        "payment method declined: card expired 03/2027",
    ),
    "usage_missing": (
        "Usage ping missing for 3 days; cannot compute billable users",
        "usage ping MISSING for 120 days; cannot compute billable users for A-S00000042",
    ),
    "version_conflict": (
        "Amendment failed: subscription version mismatch (expected 12, got 15)",
        "AMENDMENT FAILED: SUBSCRIPTION VERSION MISMATCH (EXPECTED 1, GOT 2)",
    ),
    "timed_out": (
        "Timeout after 120s while creating the invoice in Zuora",
        "TIMEOUT AFTER 5S WHILE CREATING THE INVOICE IN ZUORA",
        "Timeout from Zuora",
    ),
    "account_blocked": (
        "Invoice owner account A00012345 is BLOCKED in the billing system",
        "invoice owner account is blocked in the billing system (since 2026-10-02)",
    ),
}


def test_every_demo_error_has_its_class_and_every_class_a_demo_error():
    assert set(DEMO_ERROR_CLASSES) == set(words.ERROR_MESSAGES)
    assert {classify_failure(error).key for error in words.ERROR_MESSAGES} == {
        failure.key for failure in FAILURE_CLASSES if failure is not UNCLASSIFIED
    }


@pytest.mark.parametrize("error", words.ERROR_MESSAGES)
def test_a_demo_error_gets_its_class_and_the_classs_sentence(error):
    failure = classify_failure(error)
    assert failure.key == DEMO_ERROR_CLASSES[error]
    explained = explain(reconciliation(status="failed", error_message=error, invoiced_amount=None))
    assert explained.failure == failure
    assert explained.sentences == (failure.sentence,)
    assert explained.sentences[0].startswith("Failed: ")


@pytest.mark.parametrize(
    ("key", "error"), [(key, error) for key, errors in VARIANTS.items() for error in errors]
)
def test_other_numbers_ids_and_casing_classify_the_same(key, error):
    assert classify_failure(error).key == key


def test_an_unclassified_error_is_quoted_not_guessed():
    error = (
        "Zuora API error: 422 Unprocessable Entity while creating the amendment for A-S99999999; "
        "the rate plan charge was retired on 2025-06-30 and no replacement charge is configured"
    )
    assert classify_failure(error) is UNCLASSIFIED
    assert failure_sentence(error) == f"Failed. {UNKNOWN}{error}"
    explained = explain(reconciliation(status="failed", error_message=error))
    assert explained.failure is UNCLASSIFIED
    assert explained.sentences == (f"Failed. {UNKNOWN}{error}",)
    assert explain(reconciliation(status="failed", error_message=None)).sentences == (
        "Failed, with no error recorded.",
    )


def test_every_status_says_something():
    for status in ("pending", "processing", "done", "skipped", "failed"):
        assert explain(reconciliation(status=status)).sentences
    assert explain(reconciliation(status="archived")).sentences == (
        "Its status, archived, is one this page does not know.",
    )


def test_every_done_demo_reconciliation_is_its_recorded_inputs_through_the_formula(db_url, session):
    load(db_url, SCALES["small"], seed=42)
    done = list(session.exec(select(Reconciliation).where(col(Reconciliation.status) == "done")))
    assert len(done) > 1_000
    disagreeing = [
        r.id
        for r in done
        if r.seats_before is None
        or r.seat_price is None
        or r.billed_months is None
        or r.invoiced_amount is None
        or invoiced_amount(
            users_counted=r.user_count,
            seats_before=r.seats_before,
            seat_price=r.seat_price,
            billed_months=r.billed_months,
        )
        != r.invoiced_amount
    ]
    assert disagreeing == []
    assert all(explain(r).arithmetic is not None for r in done)
    others = list(session.exec(select(Reconciliation).where(col(Reconciliation.status) != "done")))
    assert all(r.seat_price is None and r.billed_months is None for r in others)
    assert not [r.id for r in others if UNKNOWN in " ".join(explain(r).sentences)]
