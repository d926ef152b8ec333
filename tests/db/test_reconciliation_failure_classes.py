"""A failed reconciliation's class in SQL, from the same table as in Python, on SQLite and PostgreSQL:
the list's failure-class filter, and the open failures by class and by age on the charts."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from admin_app.db.lists.spec import ChoiceFilter
from admin_app.db.models import BillingAccount, Reconciliation
from admin_app.db.reconciliations import failures
from admin_app.db.reconciliations.failures import (
    FAILURE_CLASSES,
    FAILURE_PATTERNS,
    FailurePattern,
    classify_failure,
    failure_class_sql,
)
from admin_app.db.reconciliations.search import RECONCILIATION_LIST as LIST
from admin_app.db.reconciliations.stats import (
    AGE_BUCKETS,
    failure_age_params,
    failure_class_params,
    open_failures_by_age,
    open_failures_by_class,
    parse_chart_query,
)
from admin_app.seed import words
from tests.db.test_reconciliation_explain import DEMO_ERROR_CLASSES, VARIANTS

UNCLASSIFIED_ERRORS = (
    "Zuora API error: 422 Unprocessable Entity while creating the amendment for A-S99999999; "
    "the rate plan charge was retired on 2025-06-30 and no replacement charge is configured",
    "Subscription A-S00004291 could not be amended",
    "",
    "100% of 50_users",
)
ERRORS = (*words.ERROR_MESSAGES, *(e for errors in VARIANTS.values() for e in errors), *UNCLASSIFIED_ERRORS)
TODAY = date(2026, 6, 30)


@pytest.fixture
def account(session) -> BillingAccount:
    found = BillingAccount(zuora_account_id="a" * 32, name="ACME Corp", salesforce_account_id="001A")
    session.add(found)
    session.flush()
    return found


def add(session, account, *rows: dict) -> list[Reconciliation]:
    """Reconciliations of `account`, failed unless a row says otherwise."""
    made = [
        Reconciliation(
            billing_account_id=account.id,
            customer_name=account.name,
            subscription_name="A-S00000001",
            plan=row.get("plan", "premium"),
            channel=row.get("channel", "direct"),
            status=row.get("status", "failed"),
            reconciliation_date=row.get("day", TODAY),
            user_count=10,
            currency=row.get("currency", "USD"),
            error_message=row.get("error"),
        )
        for row in rows
    ]
    session.add_all(made)
    session.commit()
    return made


def sql_classes(session) -> dict[int, str]:
    r = Reconciliation
    statement = sa.select(col(r.id), failure_class_sql(col(r.error_message)))
    return {int(row_id): key for row_id, key in session.execute(statement)}


def test_the_table_is_lowercase_ascii_fragments_both_databases_apply_alike():
    fragments = [f for p in FAILURE_PATTERNS for alternative in p.alternatives for f in alternative]
    assert fragments and all(f and f.isascii() and f == f.lower() for f in fragments)
    assert [p.failure for p in FAILURE_PATTERNS] == [f for f in FAILURE_CLASSES if f.key != "unclassified"]


def test_every_demo_error_and_variant_has_the_same_class_in_sql_as_in_python(session, account):
    made = add(session, account, *({"error": error} for error in ERRORS), {"error": None})
    in_sql = sql_classes(session)
    assert {r.error_message: in_sql[r.id] for r in made if r.error_message is not None} == {
        error: classify_failure(error).key for error in ERRORS
    }
    assert {error: in_sql[r.id] for r, error in zip(made, ERRORS, strict=False)} == {
        **DEMO_ERROR_CLASSES,
        **{error: key for key, errors in VARIANTS.items() for error in errors},
        **dict.fromkeys(UNCLASSIFIED_ERRORS, "unclassified"),
    }
    assert in_sql[made[-1].id] == "unclassified", "no error at all is unclassified"


def test_fragments_are_taken_literally_in_sql(session, account, monkeypatch):
    literal = failures.FailureClass("literal", "Literal", "Failed.")
    table = (FailurePattern(literal, (("50%_off/", "x"),)), *FAILURE_PATTERNS)
    monkeypatch.setattr(failures, "FAILURE_PATTERNS", table)
    errors = (
        "Coupon 50%_OFF/ then x",
        "Coupon 50 percent off/ then x",
        "Coupon 50%Xoff/ then x",
        "x 50%_off/",
    )
    made = add(session, account, *({"error": error} for error in errors))
    in_sql = sql_classes(session)
    assert [in_sql[r.id] for r in made] == [classify_failure(e).key for e in errors]
    assert [in_sql[r.id] for r in made] == ["literal", "unclassified", "unclassified", "unclassified"]


def test_the_failure_filter_keeps_failed_reconciliations_of_the_class(session, account):
    rate, timeout, done_429, none, odd = add(
        session,
        account,
        {"error": words.ERROR_MESSAGES[0]},
        {"error": "Timeout from Zuora"},
        {"error": words.ERROR_MESSAGES[0], "status": "done"},
        {"error": None},
        {"error": UNCLASSIFIED_ERRORS[0]},
    )

    def ids(**values: str) -> list[int]:
        return [r.id for r in LIST.every(session=session, query=LIST.query(**values))]

    assert ids(failure="rate_limited") == [rate.id], "a class implies failed"
    assert ids(failure="timed_out") == [timeout.id]
    assert sorted(ids(failure="unclassified")) == sorted([none.id, odd.id])
    assert ids(failure="rate_limited", status="done") == []
    assert ids(failure="account_blocked") == []
    assert LIST.count(session=session, query=LIST.query(failure="rate_limited")).value == 1
    assert done_429.id not in ids(failure="rate_limited")


def test_the_failure_filter_is_read_and_written_as_the_list_describes_it():
    parsed = LIST.parse({"failure": "rate_limited", "status": "failed"})
    assert parsed.errors == []
    assert parsed.query == LIST.query(failure="rate_limited", status="failed")
    assert LIST.to_params(parsed.query) == {"failure": "rate_limited", "status": "failed"}
    bad = LIST.parse({"failure": "Billing system rate limit"})
    assert bad.query == LIST.query()
    assert bad.errors == ["Unknown failure class 'Billing system rate limit' was ignored."]
    [described] = [f for f in LIST.filters if isinstance(f, ChoiceFilter) and f.name == "failure"]
    assert described.label == "Failure class"
    assert described.options == {f.key: f.label for f in FAILURE_CLASSES}
    assert described.options["unclassified"] == "Unclassified"


def test_the_charts_leave_the_failure_filter_to_the_table():
    assert parse_chart_query({"failure": "rate_limited"}).query == LIST.query()


def test_open_failures_by_class_count_failed_rows_under_the_charts_filters(session, account):
    add(
        session,
        account,
        {"error": words.ERROR_MESSAGES[0]},
        {"error": "Zuora API error: Too Many Requests while updating subscription A-S00012345"},
        {"error": "Timeout from Zuora", "channel": "reseller"},
        {"error": None},
        {"error": words.ERROR_MESSAGES[0], "status": "done"},
        {"error": "Payment method declined: card expired", "day": date(2025, 1, 2)},
    )
    everything = open_failures_by_class(session=session, query=LIST.query())
    assert everything == [
        ("rate_limited", "Billing system rate limit", 2),
        ("timed_out", "Billing system timeout", 1),
        ("payment_declined", "Payment declined", 1),
        ("unclassified", "Unclassified", 1),
    ]
    assert open_failures_by_class(session=session, query=LIST.query(status="failed")) == everything
    assert open_failures_by_class(session=session, query=LIST.query(channel="reseller")) == [
        ("timed_out", "Billing system timeout", 1)
    ]
    since = LIST.query(**{"from": "2026-01-01"})
    assert [key for key, _, _ in open_failures_by_class(session=session, query=since)] == [
        "rate_limited",
        "timed_out",
        "unclassified",
    ]
    assert open_failures_by_class(session=session, query=LIST.query(status="done")) == []
    assert open_failures_by_class(session=session, query=LIST.query(plan="starter")) == []


def test_open_failures_by_age_count_days_from_the_reconciliation_date(session, account):
    def day(days_ago: int) -> date:
        return TODAY - timedelta(days=days_ago)

    add(
        session,
        account,
        *({"error": "Timeout from Zuora", "day": day(n)} for n in (-3, 0, 29, 30, 90, 91, 400)),
        {"error": "Timeout from Zuora", "day": day(10), "status": "done"},
        {"error": "Timeout from Zuora", "day": day(45), "currency": "EUR"},
    )
    assert open_failures_by_age(session=session, query=LIST.query(), today=TODAY) == [
        ("under_30", "Under 30 days", 3),
        ("30_90", "30 to 90 days", 3),
        ("over_90", "Over 90 days", 2),
    ]
    assert open_failures_by_age(session=session, query=LIST.query(currency="EUR"), today=TODAY) == [
        ("under_30", "Under 30 days", 0),
        ("30_90", "30 to 90 days", 1),
        ("over_90", "Over 90 days", 0),
    ]
    a_day_later = open_failures_by_age(session=session, query=LIST.query(), today=TODAY + timedelta(days=1))
    assert [n for _, _, n in a_day_later] == [2, 3, 3]
    assert open_failures_by_age(session=session, query=LIST.query(status="skipped"), today=TODAY) == []
    assert open_failures_by_age(session=session, query=LIST.query(plan="starter"), today=TODAY) == []


def test_each_age_bucket_starts_the_day_after_the_one_before_it_ends():
    assert AGE_BUCKETS[0].days(TODAY)[0] is not None and AGE_BUCKETS[0].days(TODAY)[1] is None
    for younger, older in pairwise(AGE_BUCKETS):
        assert older.days(TODAY)[1] == younger.days(TODAY)[0] - timedelta(days=1)
    assert AGE_BUCKETS[-1].days(TODAY)[0] is None


def test_an_age_bar_opens_the_open_failures_of_its_dates_within_the_charts_range(session, account):
    query = LIST.query(channel="reseller")
    assert failure_age_params(query, "under_30", TODAY) == {
        "channel": "reseller",
        "status": "failed",
        "from": "2026-06-01",
    }
    assert failure_age_params(query, "30_90", TODAY) == {
        "channel": "reseller",
        "status": "failed",
        "from": "2026-04-01",
        "to": "2026-05-31",
    }
    assert failure_age_params(query, "over_90", TODAY) == {
        "channel": "reseller",
        "status": "failed",
        "to": "2026-03-31",
    }
    q2 = LIST.query(**{"from": "2026-04-01", "to": "2026-06-30"})
    assert failure_age_params(q2, "under_30", TODAY) == {
        "status": "failed",
        "from": "2026-06-01",
        "to": "2026-06-30",
    }
    assert failure_age_params(q2, "over_90", TODAY) is None, "no date of the range is that old"
    assert failure_age_params(query, "under_30'; --", TODAY) is None
    # Each opened slice holds exactly the rows the bar counted.
    add(
        session,
        account,
        *({"error": "Timeout from Zuora", "day": TODAY - timedelta(days=n)} for n in (0, 29, 30, 90, 91)),
    )
    for key, _, count in open_failures_by_age(session=session, query=LIST.query(), today=TODAY):
        params = failure_age_params(LIST.query(), key, TODAY)
        assert params is not None
        opened = LIST.parse(params)
        assert opened.errors == []
        assert LIST.count(session=session, query=opened.query).value == count


def test_a_class_bar_opens_the_open_failures_of_its_class(session, account):
    query = LIST.query(plan="premium", **{"from": "2026-01-01"})
    assert failure_class_params(query, "rate_limited") == {
        "from": "2026-01-01",
        "plan": "premium",
        "status": "failed",
        "failure": "rate_limited",
    }
    assert failure_class_params(query, "Billing system rate limit") is None
    assert failure_class_params(query, "") is None
    add(session, account, {"error": words.ERROR_MESSAGES[0]}, {"error": None}, {"error": "Timeout"})
    for key, _, count in open_failures_by_class(session=session, query=LIST.query()):
        params = failure_class_params(LIST.query(), key)
        assert params is not None
        opened = LIST.parse(params)
        assert opened.errors == []
        assert [r.id for r in select_failed(session, opened.query)] == [
            r.id for r in LIST.every(session=session, query=opened.query)
        ]
        assert LIST.count(session=session, query=opened.query).value == count


def select_failed(session, query):
    """The failed rows whose Python class is the query's, newest first (the list's order)."""
    key = query.value("failure")
    rows = session.exec(
        select(Reconciliation)
        .where(col(Reconciliation.status) == "failed")
        .order_by(col(Reconciliation.reconciliation_date).desc(), col(Reconciliation.id).desc())
    )
    return [r for r in rows if classify_failure(r.error_message or "").key == key]
