"""Ids read from URLs: ASCII digits only; a superscript or another script's digit is a message, not a 500."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from admin_app.db.history.search import HISTORY_LIST
from admin_app.db.lists.query_params import (
    parse_id,
    quoted,
    read_amount,
    read_choice,
    read_date_range,
    read_sort,
    read_text,
    with_sort,
)
from admin_app.db.reconciliations.search import RECONCILIATION_LIST


@pytest.mark.parametrize("text", ["²", "١٢", "12²", "0x1", " 1", "-1", "", "1" * 12, "\uff11\uff12"])
def test_anything_but_ascii_digits_is_no_id(text):
    assert parse_id(text) is None


def test_ascii_digits_are_an_id():
    assert parse_id("42") == 42
    assert parse_id("0000000042") == 42


@pytest.mark.parametrize("text", ["²", "٣"])
def test_a_reconciliation_filter_by_a_non_ascii_account_gets_the_usual_message(text):
    parsed = RECONCILIATION_LIST.parse({"account": text})
    assert parsed.query.value("account") == ""
    assert parsed.errors == [f"Billing account {text!r} is not an id and was ignored."]


def test_a_history_filter_by_a_non_ascii_record_gets_the_usual_message():
    parsed = HISTORY_LIST.parse({"record": "²"})
    assert parsed.query.value("record") == ""
    assert parsed.errors == ["Record '²' is not an id and was ignored."]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("bogus", "'bogus'"),
        ("x" * 1000, repr("x" * 40)),
        # An unassigned code point: repr escapes it in ten characters.
        ("\U000101fe" * 40, "'" + "\\U000101fe" * 5 + "\\U00010…'"),
        (12, "'12'"),
    ],
)
def test_a_message_quotes_at_most_forty_characters_in_at_most_sixty(value, shown):
    assert quoted(value) == shown
    assert len(quoted(value)) <= 60


@dataclass(frozen=True)
class Listing:
    sort: str
    descending: bool


# Named without the word "postgres": `-k "not postgres"` (the SQLite-only runs) would skip it.
def test_the_largest_id_the_server_database_stores_is_the_largest_id():
    assert parse_id("2147483647") == 2**31 - 1
    assert parse_id("2147483648") is None
    assert parse_id("0") is None


@pytest.mark.parametrize("value", [11, None, ["1"], b"1"])
def test_anything_but_a_string_is_no_id(value):
    assert parse_id(value) is None


def test_free_text_is_trimmed_and_cut_and_anything_else_is_empty():
    assert read_text({"q": "  acme corp  "}, "q", 4) == "acme"
    assert read_text({"q": ["acme"]}, "q", 4) == ""
    assert read_text({}, "q", 4) == ""


def test_a_choice_outside_the_list_is_named_and_ignored():
    errors: list[str] = []
    assert read_choice({"plan": "premium"}, "plan", {"premium"}, "plan", errors) == "premium"
    assert read_choice({"plan": ""}, "plan", {"premium"}, "plan", errors) is None
    assert read_choice({"plan": "gold"}, "plan", {"premium"}, "plan", errors) is None
    assert read_choice({"plan": ["premium"]}, "plan", {"premium"}, "plan", errors) is None
    assert errors == ["Unknown plan 'gold' was ignored.", "Unknown plan \"['premium']\" was ignored."]


def test_a_reversed_date_range_is_swapped_and_a_non_date_ignored_each_with_a_message():
    errors: list[str] = []
    dates = {"from": "2026-03-01", "to": "2026-01-31"}
    assert read_date_range(dates, ("from", "to"), "Issued", errors) == (date(2026, 1, 31), date(2026, 3, 1))
    assert read_date_range({"from": "2026-01-31", "to": "2026-01-31"}, ("from", "to"), "Issued", errors) == (
        date(2026, 1, 31),
        date(2026, 1, 31),
    )
    assert read_date_range({"from": "31/01/2026", "to": ""}, ("from", "to"), "Issued", errors) == (None, None)
    assert errors == [
        "The issued range was reversed; it has been swapped.",
        "Issued from '31/01/2026' is not a date (YYYY-MM-DD) and was ignored.",
    ]


@pytest.mark.parametrize("params", [{}, {"min": None}, {"min": ""}])
def test_a_missing_or_empty_amount_is_no_amount_and_no_error(params):
    errors: list[str] = []
    assert read_amount(params, "min", "Minimum", errors) is None
    assert errors == []


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("0", Decimal("0")),
        ("12.50", Decimal("12.50")),
        ("1e12", Decimal("1e12")),
        ("1000000000000.01", None),
        ("-0.01", None),
        ("NaN", None),
        ("Infinity", None),
        ("ten", None),
    ],
)
def test_an_amount_is_a_number_from_zero_to_a_trillion(value, amount):
    errors: list[str] = []
    assert read_amount({"min": value}, "min", "Minimum", errors) == amount
    assert errors == (
        [] if amount is not None else [f"Minimum {value!r} is not an amount of zero or more and was ignored."]
    )


@pytest.mark.parametrize(
    ("sort", "read", "message"),
    [
        ("company", ("company", False), None),
        ("-company", ("company", True), None),
        ("", ("issued", True), None),
        ("-secret", ("issued", True), "Unknown sort '-secret' was ignored."),
        (["company"], ("issued", True), "Unknown sort '' was ignored."),
    ],
)
def test_a_sort_is_a_known_key_with_an_optional_minus_for_descending(sort, read, message):
    errors: list[str] = []
    assert read_sort({"sort": sort}, {"company", "issued"}, "-issued", errors) == read
    assert errors == ([message] if message else [])


def test_choosing_the_current_sort_flips_it_and_a_new_one_starts_in_its_own_direction():
    current = Listing("issued", True)
    assert with_sort(current, "issued", {"issued", "company"}) == Listing("issued", False)
    assert with_sort(current, "company", {"issued", "company"}) == Listing("company", True)
    assert with_sort(current, "company", {"issued", "company"}, ascending_first={"company"}) == Listing(
        "company", False
    )
    assert with_sort(current, "secret", {"issued", "company"}) is current
