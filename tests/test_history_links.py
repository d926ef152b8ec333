"""Every /history row links to the page its record is shown on; one staff action folds into one entry."""

from datetime import UTC, datetime

import pytest

from admin_app.db.history.search import fold_by_request
from admin_app.db.models import Version
from admin_app.state.history import history_rows, record_href

AT = datetime(2026, 11, 26, tzinfo=UTC)


def version(
    item_type: str,
    item_id: int,
    changes: dict | None = None,
    *,
    request_id: str | None = "a" * 32,
    reason: str | None = None,
) -> Version:
    return Version(
        id=1,
        item_type=item_type,
        item_id=item_id,
        event="update",
        actor="s@example.com",
        changes=changes or {"x": [1, 2]},
        created_at=AT,
        request_id=request_id,
        reason=reason,
    )


@pytest.mark.parametrize(
    ("item_type", "item_id", "changes", "href"),
    [
        ("customer", 5, None, "/customers/5"),
        ("billing_account", 7, None, "/billing-accounts/7"),
        ("license", 11, {"email": ["a@x.tset", "a@x.test"]}, "/licenses/11"),
        ("outbox_message", 3, {"about": [None, "license 11"]}, "/licenses/11"),
        ("outbox_message", 4, {"about": [None, "customer 42"]}, "/customers/42"),
        ("outbox_message", 5, {"about": [None, "license 1; DROP"]}, ""),
        ("outbox_message", 6, None, ""),
        ("billing_account_contact", 30, None, "/billing-accounts/70"),
        ("billing_account_contact", 31, None, ""),
        (
            "billing_account_membership",
            9,
            {"customer_id": [None, 12], "billing_account_id": [None, 7]},
            "/customers/12",
        ),
        (
            "billing_account_membership",
            9,
            {"customer_id": [12, None], "billing_account_id": [7, None]},
            "/customers/12",
        ),
    ],
)
def test_each_kind_of_record_links_to_its_page(item_type, item_id, changes, href):
    assert record_href(version(item_type, item_id, changes), {30: 70}) == href


def test_the_link_and_the_request_are_on_the_first_line_of_a_row():
    lines = history_rows([version("customer", 5, {"first_name": ["A", "B"], "last_name": ["C", "D"]})], {})
    assert [(line.href, line.request_id) for line in lines] == [("/customers/5", "a" * 32), ("", "")]


def test_neighbouring_rows_of_one_request_fold_and_rows_without_one_stand_alone():
    a, b = "a" * 32, "b" * 32
    rows = [
        version("billing_account", 1, request_id=a),
        version("billing_account_membership", 2, request_id=a),
        version("customer", 3, request_id=None),
        version("customer", 4, request_id=None),
        version("customer", 5, request_id=b),
        version("billing_account_contact", 6, request_id=a),
    ]
    assert [[v.item_id for v in change] for change in fold_by_request(rows)] == [[1, 2], [3], [4], [5], [6]]
    assert fold_by_request([]) == []


def test_a_folded_change_says_how_many_rows_it_hides_and_does_not_repeat_who_when_and_why():
    why = "Ownership change: A → B; evidence: prior contract; ticket 1"
    rows = [
        version("billing_account", 7, {"x": [1, 2]}, reason=why),
        version("customer", 5, {"first_name": ["A", "B"], "email": ["a@x", "b@x"]}, reason=why),
        version("billing_account_contact", 30, reason="its own reason"),
    ]
    lines = history_rows(rows, {30: 70})
    shown = [(line.item, line.more, line.folded, line.actor, line.reason) for line in lines]
    assert shown == [
        ("Billing account #7", 2, "", "s@example.com", why),
        ("Customer #5", 0, "a" * 32, "", ""),
        ("", 0, "a" * 32, "", ""),
        ("Billing account contact #30", 0, "a" * 32, "", "its own reason"),
    ]
