"""How the app's database engine is set up, beyond what the fault tests cover."""

import sqlalchemy as sa
from sqlmodel import Session

from admin_app.db.session import engine_for


def test_postgres_plans_every_search_for_its_own_term(postgres_url):
    """A statement psycopg prepared must not fall back to one plan for every term: a plan that cannot
    see how common the term is read whole indexes for a rare one (33 -> 100 ms in make bench)."""
    with Session(engine_for(postgres_url)) as session:
        assert session.scalar(sa.text("SHOW plan_cache_mode")) == "force_custom_plan"


def test_postgres_answers_a_page_without_starting_parallel_workers(postgres_url):
    """A deep page spent 6-10 ms of its 15 starting two parallel workers (make bench)."""
    with Session(engine_for(postgres_url)) as session:
        assert session.scalar(sa.text("SHOW max_parallel_workers_per_gather")) == "0"


def test_postgres_costs_a_cached_page_near_a_sequential_one(postgres_url):
    """At the default cost of a random page (4), PostgreSQL read a search window's 2,000 rows in full
    and sorted them instead of walking them in order to a page (active licenses, page 1, 3.6 -> 8.5
    ms p95 in make bench)."""
    with Session(engine_for(postgres_url)) as session:
        assert float(session.scalar(sa.text("SHOW random_page_cost"))) == 1.1


def test_postgres_search_index_holds_the_plan_and_the_type(postgres_url):
    """A term on a list filtered by plan was the term's candidates ANDed with the plan's B-tree:
    "software" among starter licenses built bitmaps of 40,000 and 136,000 rows for 5,345 (62 -> 34 ms
    p95 in make bench once the search index held the plan)."""
    with Session(engine_for(postgres_url)) as session:
        definition = session.scalar(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_license_search_trgm'")
        )
    assert definition.endswith("USING gin (search_text gin_trgm_ops, plan, license_type)")
