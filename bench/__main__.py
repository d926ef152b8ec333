"""`make bench`: builds the large databases once, then prints one JSON object per measurement."""

import argparse
import json
import os
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from admin_app.db.licenses.search import renew_active_marks
from admin_app.db.migrate import create_database_if_missing, upgrade_to_head
from admin_app.db.session import engine_for
from admin_app.seed.__main__ import load, reset
from admin_app.seed.generate import SCALES
from admin_app.settings import PROJECT_ROOT
from bench.browser import browser_benchmarks
from bench.data_layer import export_benchmarks, search_benchmarks
from bench.history import history_benchmarks
from bench.hostnames import hostname_benchmarks
from bench.palette import palette_benchmarks
from bench.reconciliations import chart_benchmarks, reconciliation_search_benchmarks
from bench.session_end import session_end_benchmarks
from bench.subscriptions import subscription_benchmarks

RESULTS = PROJECT_ROOT / "bench" / "results"
SQLITE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'bench.db'}"
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/customer_admin_bench"
)


def ensure_large_database(url: str) -> None:
    """Build the large demo data once; later runs reuse it."""
    create_database_if_missing(url)
    upgrade_to_head(url)
    with engine_for(url).connect() as connection:
        licenses = connection.execute(sa.text("SELECT count(*) FROM license")).scalar()
    if licenses != SCALES["large"].licenses:
        print(f"building the large database at {url} (a few minutes, once)", file=sys.stderr)
        if licenses:
            reset(url)
        load(url, SCALES["large"])
    # What the app does when it starts and when the day turns.
    renew_active_marks(engine_for(url))


def emit(record: dict, out) -> None:
    line = json.dumps(record, ensure_ascii=False)
    print(line, flush=True)
    out.write(line + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmarks at 1,000,000 licenses and 1,000,000 reconciliations."
    )
    parser.add_argument("--db", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument(
        "--only",
        default="search,hostnames,subscriptions,palette,history,export,charts,browser,session-end",
        help="comma-separated: search, hostnames, subscriptions, palette, history, export, charts, "
        "browser, session-end (on PostgreSQL only, whatever --db says)",
    )
    parser.add_argument("-n", type=int, default=50, help="timed repetitions per query")
    args = parser.parse_args(argv)
    databases = {"sqlite": SQLITE_URL, "postgres": POSTGRES_URL}
    parts = set(args.only.split(","))
    RESULTS.mkdir(parents=True, exist_ok=True)
    with (RESULTS / "latest.jsonl").open("w") as out:
        if "session-end" in parts:
            try:
                for record in session_end_benchmarks(POSTGRES_URL, RESULTS / "session-end"):
                    emit(record, out)
            except OperationalError as error:
                emit(
                    {"bench": "setup", "db": "postgres", "error": f"database unreachable: {error.orig}"}, out
                )
        if parts == {"session-end"}:
            return 0
        for db in args.db.split(","):
            url = databases[db]
            try:
                ensure_large_database(url)
            except OperationalError as error:
                emit({"bench": "setup", "db": db, "error": f"database unreachable: {error.orig}"}, out)
                continue
            if "search" in parts:
                for record in search_benchmarks(db, url, args.n):
                    emit(record, out)
            if "search" in parts:
                for record in reconciliation_search_benchmarks(db, url, args.n):
                    emit(record, out)
            if "hostnames" in parts:
                for record in hostname_benchmarks(db, url, args.n):
                    emit(record, out)
            if "subscriptions" in parts:
                for record in subscription_benchmarks(db, url, args.n):
                    emit(record, out)
            if "palette" in parts:
                for record in palette_benchmarks(db, url, args.n):
                    emit(record, out)
            if "history" in parts:
                for record in history_benchmarks(db, url, args.n):
                    emit(record, out)
            if "charts" in parts:
                for record in chart_benchmarks(db, url, args.n):
                    emit(record, out)
            if "export" in parts:
                for record in export_benchmarks(db, url):
                    emit(record, out)
            if "browser" in parts:
                for record in browser_benchmarks(db, url, Path(RESULTS / f"reflex-{db}.log")):
                    emit(record, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
