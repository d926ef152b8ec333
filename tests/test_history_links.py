"""Every /history row names its record and links to the page it is shown on; one staff action folds
into one entry under its main row."""

from datetime import UTC, datetime

import pytest

from admin_app.db.history.names import PageRecords
from admin_app.db.history.search import fold_by_request
from admin_app.db.models import Version
from admin_app.state.history import history_rows, record_href

AT = datetime(2026, 11, 26, tzinfo=UTC)
NO_RECORDS = PageRecords(names={}, contact_accounts={})


def version(
    item_type: str,
    item_id: int,
    changes: dict | None = None,
    *,
    request_id: str | None = "a" * 32,
    reason: str | None = None,
    row_id: int = 1,
) -> Version:
    return Version(
        id=row_id,
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
    lines = history_rows(
        [version("customer", 5, {"first_name": ["A", "B"], "last_name": ["C", "D"]})], NO_RECORDS
    )
    assert [(line.href, line.request_id) for line in lines] == [("/customers/5", "a" * 32), ("", "")]


def test_a_row_names_its_record_as_the_data_layer_named_it_else_by_kind_and_id():
    records = PageRecords(names={1: "Leo Scott (customer)"}, contact_accounts={})
    lines = history_rows(
        [version("customer", 5, row_id=1), version("customer", 6, request_id=None, row_id=2)], records
    )
    assert [line.item for line in lines] == ["Leo Scott (customer)", "Customer #6"]


def test_neighbouring_rows_of_one_request_fold_and_rows_without_one_stand_alone():
    a, b = "a" * 32, "b" * 32
    rows = [
        version("billing_account", 1, request_id=a, row_id=11),
        version("billing_account_membership", 2, request_id=a, row_id=10),
        version("customer", 3, request_id=None, row_id=9),
        version("customer", 4, request_id=None, row_id=8),
        version("customer", 5, request_id=b, row_id=7),
        version("billing_account_contact", 6, request_id=a, row_id=6),
    ]
    assert [[v.item_id for v in change] for change in fold_by_request(rows)] == [[2, 1], [3], [4], [5], [6]]
    assert fold_by_request([]) == []


@pytest.mark.parametrize("newest_first", [True, False])
def test_an_action_leads_with_the_first_row_it_wrote_then_its_consequences_in_order(newest_first):
    written = [
        version("customer", 5, {"last_name": ["A", "B"]}, row_id=20),
        version("billing_account_contact", 30, {"last_name": ["A", "B"]}, row_id=21),
        version("outbox_message", 3, {"to_address": [None, "b@x.test"]}, row_id=22),
    ]
    page = list(reversed(written)) if newest_first else written
    lines = history_rows(page, PageRecords(names={20: "Carl B (customer)"}, contact_accounts={30: 70}))
    assert [(line.id, line.item, line.more, line.folded) for line in lines] == [
        ("20", "Carl B (customer)", 2, ""),
        ("21", "Billing account contact #30", 0, "a" * 32),
        ("22", "Email #3", 0, "a" * 32),
    ]


def test_a_folded_change_says_how_many_rows_it_hides_and_does_not_repeat_who_when_and_why():
    why = "Ownership change: A → B; evidence: prior contract; ticket 1"
    rows = [
        version("billing_account", 7, {"x": [1, 2]}, reason=why, row_id=1),
        version("customer", 5, {"first_name": ["A", "B"], "email": ["a@x", "b@x"]}, reason=why, row_id=2),
        version("billing_account_contact", 30, reason="its own reason", row_id=3),
    ]
    lines = history_rows(rows, PageRecords(names={}, contact_accounts={30: 70}))
    shown = [(line.item, line.more, line.folded, line.actor, line.reason, line.href) for line in lines]
    assert shown == [
        ("Billing account #7", 2, "", "s@example.com", why, "/billing-accounts/7"),
        ("Customer #5", 0, "a" * 32, "", "", "/customers/5"),
        ("", 0, "a" * 32, "", "", ""),
        ("Billing account contact #30", 0, "a" * 32, "", "its own reason", "/billing-accounts/70"),
    ]
