"""Reconciliation benchmarks: search (page 1 and deep), and each chart from filter change to figure ready."""

from collections.abc import Iterator

import sqlalchemy as sa
from sqlmodel import Session

from admin_app.charts import reconciliations as charts
from admin_app.db.lists.spec import Query, today_utc
from admin_app.db.reconciliations import stats
from admin_app.db.reconciliations.search import RECONCILIATION_LIST as LIST
from admin_app.db.session import engine_for
from bench.data_layer import DEEP_PAGE, SEARCH_TARGET_P95_MS, summary, timed

CHART_TARGET_P95_MS = 300
FIGURE_TARGET_BYTES = 100_000
CHARTS = (
    ("status", charts.status_by_quarter),
    ("invoiced", charts.invoiced_by_quarter),
    ("skip_reasons", charts.skip_reasons),
    ("failure_rate", charts.failure_rate_by_quarter),
    ("top_accounts", None),
    ("seats_added", charts.seats_added_by_quarter),
    ("failure_classes", charts.failures_by_class),
    ("failure_ages", charts.failures_by_age),
)
CHART_FILTERS = {
    "everything": LIST.query(),
    "one_quarter": LIST.query(**{"from": "2025-07-01", "to": "2025-09-30"}),
    "mid_month_range": LIST.query(**{"from": "2021-02-15", "to": "2025-08-10"}),
    "plan_and_channel": LIST.query(plan="ultimate", channel="direct"),
    "failed_only": LIST.query(status="failed"),
    "two_years_in_eur": LIST.query(currency="EUR", **{"from": "2024-01-01", "to": "2025-12-31"}),
}


def search_kinds(session: Session) -> dict[str, Query]:
    """The license benchmark's kinds of search, with terms taken from the reconciliation data."""
    customer, subscription = session.execute(
        sa.text("SELECT customer_name, subscription_name FROM reconciliation WHERE id = 500000")
    ).one()
    return {
        "no_search": LIST.query(),
        "common_word": LIST.query(q="labs"),
        "exact_customer": LIST.query(q=customer),
        "subscription_name": LIST.query(q=subscription),
        "one_char": LIST.query(q="e"),
        "two_chars": LIST.query(q="ar"),
        "two_chars_rare": LIST.query(q="qx"),
        "matches_nothing": LIST.query(q="zzqqxx"),
        "two_filters": LIST.query(status="failed", currency="EUR"),
        "term_and_two_filters": LIST.query(q="labs", status="skipped", plan="premium"),
        "sorted_by_customer": LIST.query(sort="customer"),
        "sorted_by_users": LIST.query(q="robotics", sort="-users"),
    }


def _deep_cursor(session: Session, query: Query) -> tuple[str | None, int]:
    after, page = None, 1
    while page < DEEP_PAGE:
        result = LIST.rows(session=session, query=query, after=after)
        if not result.next_cursor:
            break
        after, page = result.next_cursor, page + 1
    return after, page


def reconciliation_search_benchmarks(db: str, url: str, n: int) -> Iterator[dict]:
    """p50/p95 of reconciliation search per kind, on page 1 and on a deep page, and of its count."""
    with Session(engine_for(url)) as session:
        rows = session.scalar(sa.text("SELECT count(*) FROM reconciliation"))
        for name, query in search_kinds(session).items():
            deep_cursor, deep_page = _deep_cursor(session, query)
            for page_name, after, page_number in (("first", None, 1), ("deep", deep_cursor, deep_page)):
                samples = timed(lambda q=query, a=after: LIST.rows(session=session, query=q, after=a), n)
                figures = summary(samples)
                yield {
                    "bench": "reconciliation_search",
                    "db": db,
                    "query": name,
                    "page": page_name,
                    "page_number": page_number,
                    "rows": rows,
                    **figures,
                    "target_p95_ms": SEARCH_TARGET_P95_MS,
                    "meets_target": figures["p95_ms"] <= SEARCH_TARGET_P95_MS,
                }
            samples = timed(lambda q=query: stats.count_for_table(session=session, query=q), max(5, n // 5))
            yield {"bench": "reconciliation_count", "db": db, "query": name, "rows": rows, **summary(samples)}


def _figure(name: str, build, rows: list, query: Query):
    if name == "top_accounts":
        return charts.top_accounts(rows, query.value("currency") or stats.DEFAULT_TOP_CURRENCY)
    return build(rows)


def chart_benchmarks(db: str, url: str, n: int) -> Iterator[dict]:
    """Each chart from a filter change to its figure: the SQL aggregate plus the pandas/Plotly shaping."""
    with Session(engine_for(url)) as session:
        rows = session.scalar(sa.text("SELECT count(*) FROM reconciliation"))
        for filter_name, query in CHART_FILTERS.items():
            aggregates = stats.chart_aggregates(query, today_utc())
            for (name, build), aggregate in zip(CHARTS, aggregates, strict=True):

                def ready(aggregate=aggregate, name=name, build=build, query=query):
                    return _figure(name, build, aggregate(session), query)

                samples = timed(ready, max(10, n // 2))
                figure = ready()
                size = len(figure.to_json()) if figure is not None else 0
                figures = summary(samples)
                yield {
                    "bench": "reconciliation_chart",
                    "db": db,
                    "filters": filter_name,
                    "chart": name,
                    "rows": rows,
                    **figures,
                    "figure_bytes": size,
                    "target_p95_ms": CHART_TARGET_P95_MS,
                    "meets_target": figures["p95_ms"] <= CHART_TARGET_P95_MS and size <= FIGURE_TARGET_BYTES,
                }
