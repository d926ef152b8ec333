"""Every list's URL parameters, read from any input: a query and plain messages, never an exception;
and a query written back to parameters reads back as itself, with nothing to say about it."""

from collections.abc import Callable, Mapping
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from admin_app.db.accounts import search as billing_accounts
from admin_app.db.customers import login_status
from admin_app.db.customers import search as customer_list
from admin_app.db.history import search as history_list
from admin_app.db.licenses import search as licenses
from admin_app.db.lists.query_params import Parsed
from admin_app.db.lists.spec import ListSpec
from admin_app.db.memberships import search as membership_list
from admin_app.db.reconciliations import search as reconciliations
from admin_app.db.reconciliations import stats as reconciliation_stats
from admin_app.db.subscriptions import search as subscription_list

# Each list: its module (for its allowlists), how it reads parameters, how it writes them, and the
# parameter names it reads.
LISTS: dict[str, tuple[ModuleType, Callable[[Mapping[str, object]], Parsed], Callable, str]] = {
    "licenses": (
        licenses,
        licenses.LICENSE_LIST.parse,
        licenses.LICENSE_LIST.to_params,
        " ".join(("q", *licenses.LICENSE_LIST.filter_names)),
    ),
    "reconciliations": (
        reconciliations,
        reconciliations.RECONCILIATION_LIST.parse,
        reconciliations.RECONCILIATION_LIST.to_params,
        " ".join(("q", *reconciliations.RECONCILIATION_LIST.filter_names)),
    ),
    "charts": (
        reconciliation_stats,
        reconciliation_stats.parse_chart_query,
        reconciliation_stats.chart_params,
        " ".join(reconciliation_stats.CHART_FILTERS),
    ),
    "customers": (
        customer_list,
        customer_list.CUSTOMER_LIST.parse,
        customer_list.CUSTOMER_LIST.to_params,
        " ".join(("q", *customer_list.CUSTOMER_LIST.filter_names)),
    ),
    "subscriptions": (
        subscription_list,
        subscription_list.SUBSCRIPTION_LIST.parse,
        subscription_list.SUBSCRIPTION_LIST.to_params,
        " ".join(("q", *subscription_list.SUBSCRIPTION_LIST.filter_names)),
    ),
    "billing accounts": (
        billing_accounts,
        billing_accounts.ACCOUNT_LIST.parse,
        billing_accounts.ACCOUNT_LIST.to_params,
        "q",
    ),
    "history": (
        history_list,
        history_list.HISTORY_LIST.parse,
        history_list.HISTORY_LIST.to_params,
        "q actor field from to record request type",
    ),
    "memberships": (
        membership_list,
        membership_list.MEMBERSHIP_LIST.parse,
        membership_list.MEMBERSHIP_LIST.to_params,
        "q",
    ),
    "logins": (
        login_status,
        login_status.LOGIN_STATUS_LIST.parse,
        login_status.LOGIN_STATUS_LIST.to_params,
        " ".join(("q", *login_status.LOGIN_STATUS_LIST.filter_names)),
    ),
}

TRICKY = [
    "",
    " ",
    "-",
    "%",
    "_",
    "'; DROP TABLE license; --",
    "😀",
    "x" * 1000,
    "\x00",
    "²",
    "٣",
    "2026-01-31",
    "2026-02-30",
    "20260131",
    "-1",
    "0",
    "1e3",
    "1E+400",
    "NaN",
    "-Infinity",
    "12.50",
    "999999999999999",
    "2025-Q3",
    "1",
    "42",
    "00042",
]


def spec_values(spec: ListSpec) -> tuple[str, ...]:
    """A described list's sort keys and its filters' values (a few of a long list of codes, in both
    cases)."""
    values = [*spec.sort_columns]
    for f in spec.filters:
        values += [*getattr(f, "choices", {})]
        codes = sorted(getattr(f, "codes", ()))[:3]
        values += [*codes, *(code.lower() for code in codes)]
    return tuple(values)


def _choices(module: ModuleType) -> list[str]:
    """Every allowlisted value the module names (filter choices, sort keys both ways)."""
    found: set[str] = set()
    constants = (value for name, value in vars(module).items() if name.isupper())
    for value in constants:
        if isinstance(value, ListSpec):
            value = spec_values(value)
        names = value if isinstance(value, tuple) else value.keys() if isinstance(value, dict) else ()
        found |= {name for name in names if isinstance(name, str)}
    return sorted(found | {f"-{name}" for name in found})


def params_for(module: ModuleType, names: str) -> st.SearchStrategy[dict[str, object]]:
    known = st.sampled_from(_choices(module) + TRICKY)
    # Mostly the list's own names and values, so most drawn queries have filters that hold.
    value = st.one_of(known, known, known, st.text(max_size=30), st.lists(known, max_size=3), st.integers())
    own_name = st.sampled_from([*names.split(), "sort"])
    keys = st.one_of(own_name, own_name, own_name, st.text(max_size=10))
    return st.dictionaries(keys, value, max_size=8)


@pytest.mark.parametrize("name", LISTS)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_parameters_read_as_a_query_that_reads_back_as_itself(name, data):
    module, parse, write, names = LISTS[name]
    first = parse(data.draw(params_for(module, names)))
    assert all(isinstance(error, str) and error for error in first.errors)
    assert all(len(error) < 200 for error in first.errors), "a message never repeats a long input whole"
    written = write(first.query)
    assert all(isinstance(value, str) and value for value in written.values())
    again = parse(written)
    assert (again.query, again.errors) == (first.query, [])
