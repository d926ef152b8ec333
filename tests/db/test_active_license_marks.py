"""The marks of each company's active license: made for a day, renewed when it turns, forgotten when a
license changes, indexed for search, and made once when two workers try at the same moment."""

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from admin_app.background.active_marks import renew_marks
from admin_app.db import migrate
from admin_app.db.licenses import search as licenses_module
from admin_app.db.licenses.search import (
    LICENSE_LIST,
    active_marks_current,
    mark_active_licenses,
    renew_active_marks,
)
from admin_app.db.lists import paging
from admin_app.db.models import ActiveLicenseMarks, License
from admin_app.db.session import engine_for
from admin_app.settings import get_settings
from alembic import command
from tests.conftest import empty_tables, fresh_postgres_database
from tests.db.pages import with_statements
from tests.factories import add_licenses, day

TODAY = date(2026, 3, 1)
ACTIVE = LICENSE_LIST.query(active="only")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def active_ids(session: Session, today: date, q: str = "") -> set[int]:
    query = LICENSE_LIST.query(q=q, active="only")
    return {row.id for row in LICENSE_LIST.rows(session=session, query=query, today=today).rows}


def marked_ids(session: Session) -> set[int]:
    return set(session.exec(sa.select(License.id).where(License.active_mark)).scalars())


@pytest.fixture
def two_companies(session):
    """Renewal Ltd: one license now, its renewal from April. Lapsing Inc: one license that expires on
    2 March."""
    return add_licenses(
        session,
        [
            {
                "company": "Renewal Ltd",
                "issued_at": at("2025-01-01"),
                "starts_at": day("2025-01-01"),
                "expires_at": day("2026-06-01"),
            },
            {
                "company": "Renewal Ltd",
                "issued_at": at("2026-02-01"),
                "starts_at": day("2026-04-01"),
                "expires_at": day("2027-04-01"),
            },
            {
                "company": "Lapsing Inc",
                "licensee_name": "Olga Oddity",
                "issued_at": at("2025-03-02"),
                "starts_at": day("2025-03-02"),
                "expires_at": day("2026-03-02"),
            },
        ],
    )


def test_marks_are_made_for_a_day_and_renewed_when_it_turns(session, two_companies):
    current, renewal, lapsing = two_companies
    assert not active_marks_current(session, TODAY)
    assert mark_active_licenses(session=session, today=TODAY) == 2
    assert active_marks_current(session, TODAY)
    assert marked_ids(session) == {current.id, lapsing.id} == active_ids(session, TODAY)
    assert mark_active_licenses(session=session, today=TODAY) == 0

    # The next day Lapsing Inc's license has expired: until the marks are renewed, searches work the
    # rule out row by row and give the new day's answer.
    next_day = date(2026, 3, 2)
    assert not active_marks_current(session, next_day)
    assert active_ids(session, next_day) == {current.id}
    assert mark_active_licenses(session=session, today=next_day) == 1
    assert marked_ids(session) == {current.id} == active_ids(session, next_day)

    renewal_day = date(2026, 4, 1)
    assert mark_active_licenses(session=session, today=renewal_day) == 2
    assert marked_ids(session) == {renewal.id} == active_ids(session, renewal_day)
    assert LICENSE_LIST.count(session=session, query=ACTIVE, today=renewal_day).value == 1


@pytest.mark.parametrize(
    ("change", "forgets"),
    [
        ("INSERT INTO license_copy", True),
        ("UPDATE license SET expires_at = :day WHERE company = 'Lapsing Inc'", True),
        ("UPDATE license SET starts_at = :day WHERE company = 'Lapsing Inc'", True),
        ("UPDATE license SET issued_at = issued_at WHERE company = 'Lapsing Inc'", True),
        ("UPDATE license SET company = 'Lapsed Inc' WHERE company = 'Lapsing Inc'", True),
        ("DELETE FROM license WHERE company = 'Lapsing Inc'", True),
        ("UPDATE license SET licensee_name = 'Zed Quokka' WHERE company = 'Lapsing Inc'", False),
        ("UPDATE license SET user_count = 99", False),
    ],
)
def test_a_license_written_after_the_marks_were_made_makes_them_stale(
    session, two_companies, change, forgets
):
    mark_active_licenses(session=session, today=TODAY)
    if change == "INSERT INTO license_copy":
        add_licenses(session, [{"company": "Newcomer GmbH", "issued_at": at("2026-02-27")}])
    else:
        session.execute(sa.text(change), {"day": day("2025-12-31")} if ":day" in change else {})
        session.commit()
    assert active_marks_current(session, TODAY) is not forgets
    mark_active_licenses(session=session, today=TODAY)
    # Whichever way the marks were kept, a search among active licenses agrees with the rule.
    with_marks = active_ids(session, TODAY)
    session.execute(sa.update(ActiveLicenseMarks).values(marked_on=None))
    assert with_marks == active_ids(session, TODAY)


def test_a_renamed_active_license_is_found_by_its_new_name_among_active_ones(
    session, two_companies, monkeypatch
):
    _, _, lapsing = two_companies
    mark_active_licenses(session=session, today=TODAY)
    session.execute(sa.update(License).where(License.id == lapsing.id).values(licensee_name="Zed Quokka"))
    session.commit()
    assert active_marks_current(session, TODAY)
    # A window of one row (the renewal) first, then the index of active licenses.
    monkeypatch.setattr(paging, "PROBE_WINDOW", 1)
    found, statements = with_statements(session, lambda: active_ids(session, TODAY, q="zed quokka"))
    assert found == {lapsing.id}
    assert active_ids(session, TODAY, q="oddity") == set()
    if session.get_bind().dialect.name == "sqlite":
        assert any("license_active_fts MATCH" in s for s in statements)
        session.execute(
            sa.text("INSERT INTO license_active_fts(license_active_fts) VALUES ('integrity-check')")
        )


def test_a_second_worker_waits_for_the_first_and_finds_the_marks_made(session, two_companies, db_url):
    result: list[int] = []

    def second_worker() -> None:
        with Session(engine_for(db_url)) as own:
            result.append(mark_active_licenses(session=own, today=TODAY))

    second = threading.Thread(target=second_worker)
    with Session(engine_for(db_url)) as first:
        # The first worker holds the marks' row, as mark_active_licenses does while it marks.
        first.execute(sa.update(ActiveLicenseMarks).values(marked_on=ActiveLicenseMarks.marked_on))
        try:
            second.start()
            second.join(timeout=0.5)
            assert second.is_alive(), "the second worker went ahead while the first held the marks"
            first.execute(sa.update(ActiveLicenseMarks).values(marked_on=TODAY))
        finally:
            first.commit()
    second.join(timeout=10)
    assert result == [0]


def test_the_app_task_renews_the_marks_of_the_configured_database(
    session, two_companies, db_url, monkeypatch
):
    today = datetime.now(UTC).date()
    expected = active_ids(session, today)
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    try:
        assert renew_marks() == len(expected)
        assert renew_marks() == 0
    finally:
        get_settings.cache_clear()
    assert active_marks_current(session, today)
    assert marked_ids(session) == expected


def test_a_renewal_that_changed_many_marks_vacuums_the_license_table(postgres_url, monkeypatch):
    """Else PostgreSQL's index-only scans would read the heap of every page a mark changed."""
    empty_tables(postgres_url)
    engine = engine_for(postgres_url)
    with Session(engine) as session:
        add_licenses(session, [{"company": f"Vacuumed {n}"} for n in range(3)])

    def vacuums() -> int:
        with engine.connect() as connection:
            sql = "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'license'"
            return connection.execute(sa.text(sql)).scalar_one()

    before = vacuums()
    monkeypatch.setattr(licenses_module, "MARKS_WORTH_A_VACUUM", 4)
    assert renew_active_marks(engine) == 3
    assert vacuums() == before
    with engine.begin() as connection:
        connection.execute(sa.update(License).values(active_mark=False))
        connection.execute(sa.update(ActiveLicenseMarks).values(marked_on=None))
    monkeypatch.setattr(licenses_module, "MARKS_WORTH_A_VACUUM", 3)
    assert renew_active_marks(engine) == 3
    assert vacuums() == before + 1


def _round_trip(url: str) -> None:
    with Session(engine_for(url)) as session:
        add_licenses(session, [{"company": "Round Trip Ltd"}])
        mark_active_licenses(session=session)
    command.downgrade(migrate._config(url), "0015")
    with engine_for(url).begin() as connection:
        assert "active_mark" not in {c["name"] for c in sa.inspect(connection).get_columns("license")}
        connection.execute(sa.text("UPDATE license SET company = 'Renamed Ltd'"))
    migrate.upgrade_to_head(url)
    with Session(engine_for(url)) as session:
        assert not active_marks_current(session, datetime.now(UTC).date())
        assert mark_active_licenses(session=session) == 1
        assert {
            r.company for r in LICENSE_LIST.rows(session=session, query=LICENSE_LIST.query(q="renamed")).rows
        } == {"Renamed Ltd"}
        assert len(active_ids(session, datetime.now(UTC).date(), q="renamed")) == 1
    engine_for(url).dispose()


def test_the_marks_migration_goes_down_and_up_again_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'round_trip.db'}"
    migrate.upgrade_to_head(url)
    _round_trip(url)


def test_the_marks_migration_goes_down_and_up_again_on_postgresql():
    with fresh_postgres_database("customer_admin_marks") as url:
        _round_trip(url)
