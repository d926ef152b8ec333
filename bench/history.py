"""History benchmarks: the /history page's first page and count under each kind of filter."""

from collections.abc import Iterator

import sqlalchemy as sa
from sqlmodel import Session

from admin_app.db.history_list import HistoryQuery, count_history, search_history
from admin_app.db.session import engine_for
from bench.data_layer import SEARCH_TARGET_P95_MS, summary, timed


def history_kinds(session: Session) -> dict[str, HistoryQuery]:
    actor = session.scalar(sa.text("SELECT actor FROM version WHERE event = 'update' ORDER BY id LIMIT 1"))
    item = session.scalar(
        sa.text("SELECT item_id FROM version WHERE item_type = 'customer' ORDER BY id LIMIT 1")
    )
    return {
        "newest": HistoryQuery(),
        "one_record": HistoryQuery(item_type="customer", item_id=item),
        "one_staff_member": HistoryQuery(actor=actor),
        "record_type": HistoryQuery(item_type="billing_account_membership"),
        "field": HistoryQuery(field="login_activated"),
        "free_text": HistoryQuery(q="fraud"),
    }


def history_benchmarks(db: str, url: str, n: int) -> Iterator[dict]:
    with Session(engine_for(url)) as session:
        rows = session.scalar(sa.text("SELECT count(*) FROM version"))
        for name, query in history_kinds(session).items():
            figures = summary(timed(lambda q=query: search_history(session=session, query=q), n))
            count = summary(timed(lambda q=query: count_history(session=session, query=q), max(5, n // 5)))
            yield {
                "bench": "history_search",
                "db": db,
                "query": name,
                "rows": rows,
                **figures,
                "count_p95_ms": count["p95_ms"],
                "target_p95_ms": SEARCH_TARGET_P95_MS,
                "meets_target": figures["p95_ms"] <= SEARCH_TARGET_P95_MS,
            }
