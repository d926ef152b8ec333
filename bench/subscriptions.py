"""Subscription list benchmarks: the /subscriptions page's first page and count per kind of search."""

from collections.abc import Iterator

import sqlalchemy as sa
from sqlmodel import Session

from admin_app.db.lists.spec import Query
from admin_app.db.session import engine_for
from admin_app.db.subscriptions.search import SUBSCRIPTION_LIST
from bench.data_layer import SEARCH_TARGET_P95_MS, summary, timed


def subscription_kinds(session: Session) -> dict[str, Query]:
    name = session.scalar(sa.text("SELECT name FROM subscription WHERE id = 50000"))
    return {
        "no_search": SUBSCRIPTION_LIST.query(),
        "by_term_end": SUBSCRIPTION_LIST.query(sort="-term_end"),
        "by_seats": SUBSCRIPTION_LIST.query(sort="-seats"),
        "one_name": SUBSCRIPTION_LIST.query(q=name),
        "account_word": SUBSCRIPTION_LIST.query(q="robotics"),
        "word_and_two_filters": SUBSCRIPTION_LIST.query(q="software", plan="premium", channel="direct"),
        "two_filters": SUBSCRIPTION_LIST.query(status="cancelled", deployment="saas"),
        "matches_nothing": SUBSCRIPTION_LIST.query(q="zzqqxx"),
    }


def subscription_benchmarks(db: str, url: str, n: int) -> Iterator[dict]:
    with Session(engine_for(url)) as session:
        rows = session.scalar(sa.text("SELECT count(*) FROM subscription"))
        for name, query in subscription_kinds(session).items():
            figures = summary(timed(lambda q=query: SUBSCRIPTION_LIST.rows(session=session, query=q), n))
            count = summary(
                timed(lambda q=query: SUBSCRIPTION_LIST.count(session=session, query=q), max(5, n // 5))
            )
            yield {
                "bench": "subscription_search",
                "db": db,
                "query": name,
                "rows": rows,
                **figures,
                "count_p95_ms": count["p95_ms"],
                "target_p95_ms": SEARCH_TARGET_P95_MS,
                "meets_target": figures["p95_ms"] <= SEARCH_TARGET_P95_MS,
            }
