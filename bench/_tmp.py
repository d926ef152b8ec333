import sys
import time

import sqlalchemy as sa
from sqlmodel import Session

from admin_app.db.licenses import LicenseQuery, search_licenses
from admin_app.db.reconciliations import ReconciliationQuery, search_reconciliations
from admin_app.db.session import engine_for
from bench.__main__ import POSTGRES_URL, SQLITE_URL

KINDS = {
    "active_only_term": LicenseQuery(q="software", active="only"),
    "term_and_two_filters": LicenseQuery(q="software", plan="starter", status="expired"),
    "two_chars_rare": LicenseQuery(q="qx"),
    "r_term_and_two_filters": ReconciliationQuery(q="labs", status="skipped", plan="premium"),
    "r_two_chars_rare": ReconciliationQuery(q="qx"),
}
url = POSTGRES_URL if sys.argv[1] == "pg" else SQLITE_URL
engine = engine_for(url)
timings = []


@sa.event.listens_for(engine, "before_cursor_execute")
def before(conn, cursor, statement, params, context, executemany):
    conn.info["t"] = time.perf_counter()


@sa.event.listens_for(engine, "after_cursor_execute")
def after(conn, cursor, statement, params, context, executemany):
    timings.append(((time.perf_counter() - conn.info["t"]) * 1000, statement, params))


with Session(engine) as s:
    for name in sys.argv[2:]:
        q = KINDS[name]
        fn = search_reconciliations if isinstance(q, ReconciliationQuery) else search_licenses
        fn(session=s, query=q)
        timings.clear()
        fn(session=s, query=q)
        print("==", name)
        for ms, st, p in timings:
            print(round(ms, 2), " ".join(st.split())[:3000], p)
