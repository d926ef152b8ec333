"""Ids read from URLs: ASCII digits only; a superscript or another script's digit is a message, not a 500."""

import pytest

from admin_app.db.history_list import parse_history_query
from admin_app.db.query_params import parse_id, quoted
from admin_app.db.reconciliations import parse_reconciliation_query


@pytest.mark.parametrize("text", ["²", "١٢", "12²", "0x1", " 1", "-1", "", "1" * 12, "\uff11\uff12"])
def test_anything_but_ascii_digits_is_no_id(text):
    assert parse_id(text) is None


def test_ascii_digits_are_an_id():
    assert parse_id("42") == 42
    assert parse_id("9" * 11) == 99_999_999_999


@pytest.mark.parametrize("text", ["²", "٣"])
def test_a_reconciliation_filter_by_a_non_ascii_account_gets_the_usual_message(text):
    parsed = parse_reconciliation_query({"account": text})
    assert parsed.query.billing_account_id is None
    assert parsed.errors == [f"Billing account {text!r} is not an id and was ignored."]


def test_a_history_filter_by_a_non_ascii_record_gets_the_usual_message():
    parsed = parse_history_query({"record": "²"})
    assert parsed.query.item_id is None
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
