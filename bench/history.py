"""History benchmarks: the /history page's first page and count under each kind of filter."""

from collections.abc import Iterator

import sqlalchemy as sa
from sqlmodel import Session

from admin_app.db.history.search import HISTORY_LIST
from admin_app.db.lists.spec import Query
from admin_app.db.session import engine_for
from bench.data_layer import SEARCH_TARGET_P95_MS, summary, timed


def history_kinds(session: Session) -> dict[str, Query]:
    actor = session.scalar(sa.text("SELECT actor FROM version WHERE event = 'update' ORDER BY id LIMIT 1"))
    item = session.scalar(
        sa.text("SELECT item_id FROM version WHERE item_type = 'customer' ORDER BY id LIMIT 1")
    )
    return {
        "newest": HISTORY_LIST.query(),
        "one_record": HISTORY_LIST.query(type="customer", record=str(item)),
        "one_staff_member": HISTORY_LIST.query(actor=actor),
        "record_type": HISTORY_LIST.query(type="billing_account_membership"),
        "field": HISTORY_LIST.query(field="login_activated"),
        "free_text": HISTORY_LIST.query(q="fraud"),
    }


def history_benchmarks(db: str, url: str, n: int) -> Iterator[dict]:
    with Session(engine_for(url)) as session:
        rows = session.scalar(sa.text("SELECT count(*) FROM version"))
        for name, query in history_kinds(session).items():
            figures = summary(timed(lambda q=query: HISTORY_LIST.rows(session=session, query=q), n))
            count = summary(
                timed(lambda q=query: HISTORY_LIST.count(session=session, query=q), max(5, n // 5))
            )
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
