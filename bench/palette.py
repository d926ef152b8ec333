"""Command palette benchmarks: one term through every kind of record, as staff type it. The page asks
for the kinds side by side, each on its own connection (state/palette.py); the figure is that wait,
with each kind's own time and the one-after-another total beside it."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from sqlmodel import Session

from admin_app.db.find_anything import Kind, find_anything, find_kind
from admin_app.db.session import engine_for
from bench.data_layer import summary, timed

PALETTE_TARGET_P95_MS = 50


def palette_terms(session: Session) -> dict[str, str]:
    """Terms staff type into the palette, taken from the data itself."""

    def one(sql: str) -> str:
        return session.scalar(sa.text(sql))

    return {
        "customer_email": one("SELECT email FROM customer WHERE id = 100000"),
        "last_name": one("SELECT last_name FROM customer WHERE id = 100000"),
        "common_word": "software",
        "three_letters": "rob",
        "zuora_id": one("SELECT zuora_account_id FROM billing_account WHERE id = 50000"),
        "account_name": one("SELECT name FROM billing_account WHERE id = 50000"),
        "subscription": one("SELECT name FROM subscription WHERE id = 50000"),
        "matches_nothing": "zzqqxx",
    }


def palette_benchmarks(db: str, url: str, n: int) -> Iterator[dict]:
    engine = engine_for(url)
    kinds = list(Kind)
    with Session(engine) as session, ThreadPoolExecutor(max_workers=len(kinds)) as threads:

        def one_kind(kind: Kind, term: str) -> list:
            with Session(engine) as own:
                return find_kind(session=own, kind=kind, term=term)

        def side_by_side(term: str) -> list:
            return [hit for hits in threads.map(lambda k: one_kind(k, term), kinds) for hit in hits]

        for name, term in palette_terms(session).items():
            figures = summary(timed(lambda t=term: side_by_side(t), n))
            in_turn = summary(
                timed(lambda t=term: find_anything(session=session, term=t, kinds=set(kinds)), n)
            )
            by_kind = {
                kind.value: summary(
                    timed(lambda k=kind, t=term: find_kind(session=session, kind=k, term=t), n)
                )["p95_ms"]
                for kind in kinds
            }
            yield {
                "bench": "palette",
                "db": db,
                "query": name,
                **figures,
                "one_after_another_p95_ms": in_turn["p95_ms"],
                "p95_ms_by_kind": by_kind,
                "target_p95_ms": PALETTE_TARGET_P95_MS,
                "meets_target": figures["p95_ms"] <= PALETTE_TARGET_P95_MS,
            }
