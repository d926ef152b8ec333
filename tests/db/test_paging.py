"""How many pages a count fills, as the list's pager says it ("Page 2 of 61")."""

import pytest

from admin_app.db.lists.paging import PAGE_SIZE, ResultCount


@pytest.mark.parametrize(
    ("rows", "pages"),
    [(0, 1), (1, 1), (PAGE_SIZE, 1), (PAGE_SIZE + 1, 2), (3_003, 61), (10_000, 200)],
)
def test_an_exact_count_fills_whole_pages_and_at_least_one(rows, pages):
    assert ResultCount(rows, exact=True).pages == pages


def test_a_capped_count_knows_no_last_page():
    assert ResultCount(10_000, exact=False).pages is None
