"""Data-layer benchmarks: license search (page 1 and deep), counts, and the streamed CSV export."""

import itertools
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from admin_app.db.licenses.search import LICENSE_LIST
from admin_app.db.lists.spec import Query
from admin_app.db.session import engine_for
from admin_app.web.csv_export import csv_chunks
from admin_app.web.exports import csv_header, csv_rows

SEARCH_TARGET_P95_MS = 20
DEEP_PAGE = 100
Q = LICENSE_LIST.query


@dataclass(frozen=True)
class QueryKind:
    """A kind of search staff make, named as the benchmark reports it."""

    name: str
    query: Query


def query_kinds(session: Session) -> list[QueryKind]:
    """The query kinds of the issue, with terms taken from the data itself."""
    rare_email = session.scalar(sa.text("SELECT email FROM license WHERE id = 500000"))
    return [
        QueryKind("no_search", Q()),
        QueryKind("common_word", Q(q="software")),
        # In about 3 % of rows: too few for the newest 2,000 to fill a page, too many to sort them all.
        QueryKind("mid_word", Q(q="acme")),
        QueryKind("rare_email", Q(q=rare_email)),
        QueryKind("one_char", Q(q="e")),
        QueryKind("two_chars", Q(q="ar")),
        QueryKind("two_chars_rare", Q(q="qx")),
        QueryKind("matches_nothing", Q(q="zzqqxx")),
        QueryKind("two_filters", Q(plan="ultimate", trial="paid")),
        QueryKind("term_and_two_filters", Q(q="software", plan="starter", status="expired")),
        QueryKind("sorted_by_users", Q(q="robotics", sort="-users")),
        # What make load's searches mostly are: a term typed on a page already filtered and sorted.
        QueryKind("term_and_plan_by_users", Q(q="partners", plan="premium", sort="-users")),
        QueryKind("active_only", Q(active="only")),
        QueryKind("active_only_by_company", Q(active="only", sort="company")),
        QueryKind("active_only_term", Q(q="software", active="only")),
        QueryKind("active_only_plan", Q(active="only", plan="ultimate")),
    ]


def timed(fn: Callable[[], object], n: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float | int]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(ordered[-1], 2),
        "n": len(ordered),
    }


def _deep_cursor(session: Session, query: Query) -> tuple[str | None, int]:
    after, page = None, 1
    while page < DEEP_PAGE:
        result = LICENSE_LIST.rows(session=session, query=query, after=after)
        if not result.next_cursor:
            break
        after, page = result.next_cursor, page + 1
    return after, page


def search_benchmarks(db: str, url: str, n: int) -> Iterator[dict]:
    """p50/p95 of license search per query kind, on page 1 and on a deep page, and of its count."""
    with Session(engine_for(url)) as session:
        rows = session.scalar(sa.text("SELECT count(*) FROM license"))
        for kind in query_kinds(session):
            deep_cursor, deep_page = _deep_cursor(session, kind.query)
            for page_name, after, page_number in (("first", None, 1), ("deep", deep_cursor, deep_page)):
                samples = timed(
                    lambda q=kind.query, a=after: LICENSE_LIST.rows(session=session, query=q, after=a), n
                )
                figures = summary(samples)
                yield {
                    "bench": "license_search",
                    "db": db,
                    "query": kind.name,
                    "page": page_name,
                    "page_number": page_number,
                    "rows": rows,
                    **figures,
                    "target_p95_ms": SEARCH_TARGET_P95_MS,
                    "meets_target": figures["p95_ms"] <= SEARCH_TARGET_P95_MS,
                }
            samples = timed(lambda q=kind.query: LICENSE_LIST.count(session=session, query=q), max(5, n // 5))
            yield {"bench": "license_count", "db": db, "query": kind.name, "rows": rows, **summary(samples)}


def _export(url: str, n_rows: int) -> int:
    with Session(engine_for(url)) as session:
        licenses = LICENSE_LIST.every(session=session, query=Q())
        columns = LICENSE_LIST.export_columns
        rows = itertools.islice(csv_rows(columns, licenses), n_rows)
        return sum(len(chunk) for chunk in csv_chunks(csv_header(columns), rows))


def export_benchmarks(db: str, url: str) -> Iterator[dict]:
    """Time (untraced) and peak Python memory (traced, a second pass) of the streamed CSV export."""
    for n_rows in (10_000, 50_000, 100_000):
        started = time.perf_counter()
        size = _export(url, n_rows)
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        _export(url, n_rows)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        yield {
            "bench": "license_export_csv",
            "db": db,
            "rows_exported": n_rows,
            "seconds": round(elapsed, 2),
            "rows_per_s": round(n_rows / elapsed),
            "csv_mb": round(size / 1e6, 1),
            "peak_python_mem_mb": round(peak / 1e6, 2),
        }
