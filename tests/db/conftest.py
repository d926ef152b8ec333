"""Fixtures shared by the data-layer tests."""

import pytest

from admin_app.db.lists import paging

SEARCH_PLANS = {
    "probe-window": {},
    "probe-then-index": {"PROBE_WINDOW": 3},
    "probe-then-bounded-scan": {"PROBE_WINDOW": 3, "UNINDEXED_SCAN_LIMIT": 1000},
    # Whatever the first window found, walk on through the next 1000 rows before the index.
    "probe-then-walk-further": {"PROBE_WINDOW": 3, "further_window": lambda found, limit: 1000},
    # Every window read in two parts, as SQLite reads them (see windows_split_at_their_last_value).
    "probe-in-two-parts": {"PROBE_WINDOW": 3, "windows_split_at_their_last_value": lambda session: True},
}


@pytest.fixture(params=sorted(SEARCH_PLANS))
def probe_window(request, monkeypatch) -> str:
    """Run a test under each query plan the search can choose; all must give the same rows."""
    for name, value in SEARCH_PLANS[request.param].items():
        monkeypatch.setattr(paging, name, value)
    return request.param
