"""Every /history row links to the page its record is shown on."""

from datetime import UTC, datetime

import pytest

from admin_app.db.models import Version
from admin_app.state.history import history_rows, record_href

AT = datetime(2026, 11, 26, tzinfo=UTC)


def version(item_type: str, item_id: int, changes: dict | None = None) -> Version:
    return Version(
        id=1,
        item_type=item_type,
        item_id=item_id,
        event="update",
        actor="s@example.com",
        changes=changes or {"x": [1, 2]},
        created_at=AT,
        request_id="a" * 32,
    )


@pytest.mark.parametrize(
    ("item_type", "item_id", "changes", "href"),
    [
        ("customer", 5, None, "/customers/5"),
        ("billing_account", 7, None, "/billing-accounts/7"),
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
    assert [(line["href"], line["request_id"]) for line in lines] == [("/customers/5", "a" * 32), ("", "")]
