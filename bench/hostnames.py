"""Host name search benchmarks: licenses found from a part of a server's host name, as sales ask for
them (licenses_on_host), as the Licenses list's host name filter shows them (its first page and its
count) and as the palette's Servers group does."""

from collections.abc import Iterator

import sqlalchemy as sa
from sqlmodel import Session

from admin_app.db.find_anything import Kind, find_kind
from admin_app.db.licenses.hostnames import licenses_on_host
from admin_app.db.licenses.search import LICENSE_LIST
from admin_app.db.session import engine_for
from bench.data_layer import SEARCH_TARGET_P95_MS, summary, timed


def hostname_terms(session: Session) -> dict[str, str]:
    """Terms taken from the data itself: a whole host name of a company's own domain, the demo's
    commonest domain, a part of one server's name (a few servers) and a term no server has."""

    def host(pattern: str) -> str:
        return session.scalar(
            sa.text(
                "SELECT hostname FROM license_instance WHERE hostname LIKE :p ORDER BY id LIMIT 1 OFFSET 100"
            ),
            {"p": pattern},
        )

    return {
        "full_hostname": host("gitlab.%.ninja"),
        "common_domain": "ninja",
        # "ild-03.acmeinc" of build-03.acmeinc-dev.io: the third server of a company's licenses.
        "rare_fragment": host("build-03.%-dev.io").removesuffix("-dev.io")[2:],
        "matches_nothing": "zzqqxx",
    }


def hostname_benchmarks(db: str, url: str, n: int) -> Iterator[dict]:
    with Session(engine_for(url)) as session:
        servers = session.scalar(sa.text("SELECT count(*) FROM license_instance"))
        for name, term in hostname_terms(session).items():
            query = LICENSE_LIST.query(host=term)
            figures = summary(timed(lambda t=term: licenses_on_host(session, t, 50), n))
            list_page = summary(timed(lambda q=query: LICENSE_LIST.rows(session=session, query=q), n))
            count = summary(
                timed(lambda q=query: LICENSE_LIST.count(session=session, query=q), max(5, n // 5))
            )
            palette = summary(timed(lambda t=term: find_kind(session=session, kind=Kind.SERVER, term=t), n))
            yield {
                "bench": "hostname_search",
                "db": db,
                "query": name,
                "servers": servers,
                "found": len(licenses_on_host(session, term, 50).licenses),
                **figures,
                "list_page_p95_ms": list_page["p95_ms"],
                "list_count_p95_ms": count["p95_ms"],
                "palette_p95_ms": palette["p95_ms"],
                "target_p95_ms": SEARCH_TARGET_P95_MS,
                "meets_target": max(figures["p95_ms"], list_page["p95_ms"], palette["p95_ms"])
                <= SEARCH_TARGET_P95_MS,
            }
