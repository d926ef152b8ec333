"""The servers that report usage under a license, and their daily pings: what the tables refuse, and
what the demo data holds."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from admin_app.db.licenses.usage import servers_of_license
from admin_app.db.models import License, LicenseInstance, UsagePing, id_of
from admin_app.seed.__main__ import load
from admin_app.seed.generate import PING_DAYS_KEPT, REFERENCE_DATE
from admin_app.state.license_detail import ServerRow, server_row
from tests.conftest import empty_tables
from tests.db.test_seed import TINY, scalar
from tests.factories import NOW, add_licenses


def instance(license: License, **overrides) -> LicenseInstance:
    fields = {
        "license_id": id_of(license),
        "instance_id": "3f1c2a9e-0b7d-4c55-9a61-2f0e8d4b7c10",
        "hostname": "gitlab.acmeinc.ninja",
        "version": "17.4.2",
        "first_ping_at": NOW - timedelta(days=10),
        "last_ping_at": NOW,
        "active_users": 40,
        "peak_users": 45,
    }
    return LicenseInstance(**{**fields, **overrides})


def refused(session: Session, *rows: object) -> bool:
    """True when the database refuses to store `rows` (nothing of them is kept)."""
    session.add_all(rows)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return True
    return False


@pytest.fixture
def license(session) -> License:
    return add_licenses(session, [{"license_type": "offline"}])[0]


def test_a_server_reports_once_per_license_and_instance_id(session, license):
    session.add(instance(license))
    session.commit()
    assert refused(session, instance(license, hostname="another.example.net"))
    other = add_licenses(session, [{"license_type": "offline"}])[0]
    # The same installation under another license (a renewal) is another row.
    assert not refused(session, instance(other))


@pytest.mark.parametrize(
    "change",
    [
        {"active_users": -1, "peak_users": 0},
        {"active_users": 10, "peak_users": 9},
        {"first_ping_at": NOW + timedelta(seconds=1)},
    ],
    ids=["negative users", "peak below active", "first ping after the last"],
)
def test_a_server_row_that_contradicts_itself_is_refused(session, license, change):
    assert refused(session, instance(license, **change))
    assert session.exec(select(LicenseInstance)).all() == []


def test_a_server_reports_at_most_once_a_day(session, license):
    server = instance(license)
    session.add(server)
    session.commit()
    ping = {"license_instance_id": id_of(server), "day": date(2026, 11, 21), "received_at": NOW}
    session.add(UsagePing(**ping, active_users=40))
    session.commit()
    assert refused(session, UsagePing(**ping, active_users=41))
    assert refused(session, UsagePing(**{**ping, "day": date(2026, 11, 22)}, active_users=-1))
    assert not refused(session, UsagePing(**{**ping, "day": date(2026, 11, 22)}, active_users=0))


def test_a_ping_needs_its_server_and_a_server_its_license(session, license):
    assert refused(
        session, UsagePing(license_instance_id=999, day=NOW.date(), active_users=1, received_at=NOW)
    )
    assert refused(session, instance(license, license_id=id_of(license) + 1000))


def test_removing_a_license_removes_its_servers_and_their_pings(session, license):
    server = instance(license)
    session.add(server)
    session.commit()
    session.add(UsagePing(license_instance_id=id_of(server), day=NOW.date(), active_users=3, received_at=NOW))
    session.commit()
    session.execute(sa.delete(License).where(sa.column("id") == license.id))
    session.commit()
    assert session.exec(select(LicenseInstance)).all() == []
    assert session.exec(select(UsagePing)).all() == []


@pytest.fixture
def seeded(db_url) -> str:
    empty_tables(db_url)
    load(db_url, TINY, seed=7)
    return db_url


def test_the_demo_servers_are_consistent(seeded):
    contradictions = {
        "peak below active": "SELECT count(*) FROM license_instance WHERE peak_users < active_users",
        "first ping after the last": """SELECT count(*) FROM license_instance
            WHERE first_ping_at > last_ping_at""",
        "server of a cloud license": """SELECT count(*) FROM license_instance i JOIN license l
            ON l.id = i.license_id WHERE l.license_type = 'cloud'""",
        "server before its license started": """SELECT count(*) FROM license_instance i JOIN license l
            ON l.id = i.license_id WHERE i.first_ping_at < l.starts_at""",
        "ping outside its server's first and last": """SELECT count(*) FROM usage_ping p
            JOIN license_instance i ON i.id = p.license_instance_id
            WHERE p.received_at < i.first_ping_at OR p.received_at > i.last_ping_at""",
        "ping above its server's peak": """SELECT count(*) FROM usage_ping p
            JOIN license_instance i ON i.id = p.license_instance_id WHERE p.active_users > i.peak_users""",
        "server without pings": """SELECT count(*) FROM license_instance i
            WHERE NOT EXISTS (SELECT 1 FROM usage_ping p WHERE p.license_instance_id = i.id)""",
        "server with more than a few days of pings": f"""SELECT count(*) FROM (SELECT license_instance_id
            FROM usage_ping GROUP BY license_instance_id HAVING count(*) > {PING_DAYS_KEPT}) many""",
        "newest ping not the server's active users": """SELECT count(*) FROM license_instance i
            JOIN usage_ping p ON p.license_instance_id = i.id
            WHERE p.received_at = i.last_ping_at AND p.active_users <> i.active_users""",
    }
    assert {name: scalar(seeded, sql) for name, sql in contradictions.items()} == dict.fromkeys(
        contradictions, 0
    )


def test_the_demo_servers_have_the_cases_sales_looks_for(seeded):
    stale = (REFERENCE_DATE - timedelta(days=14)).isoformat()
    cases = {
        "self-managed licenses with servers": "SELECT count(DISTINCT license_id) FROM license_instance",
        "self-managed licenses without": """SELECT count(*) FROM license l WHERE l.license_type <> 'cloud'
            AND NOT EXISTS (SELECT 1 FROM license_instance i WHERE i.license_id = l.id)""",
        "licenses with several servers": """SELECT count(*) FROM (SELECT license_id FROM license_instance
            GROUP BY license_id HAVING count(*) > 1) several""",
        "servers that stopped reporting": f"""SELECT count(*) FROM license_instance
            WHERE last_ping_at < '{stale}'""",
        "servers reporting up to the reference date": f"""SELECT count(*) FROM license_instance
            WHERE last_ping_at >= '{(REFERENCE_DATE - timedelta(days=2)).isoformat()}'""",
        "host names nothing like the company's": """SELECT count(*) FROM license_instance
            WHERE hostname LIKE '%.internal' OR hostname LIKE '%.example.net'""",
        "host names of the company's own": """SELECT count(*) FROM license_instance
            WHERE hostname LIKE '%.ninja'""",
    }
    found = {name: scalar(seeded, sql) for name, sql in cases.items()}
    assert all(found.values()), found
    servers = scalar(seeded, "SELECT count(DISTINCT license_id) FROM license_instance")
    self_managed = scalar(
        seeded,
        f"SELECT count(*) FROM license WHERE license_type <> 'cloud' AND starts_at <= '{REFERENCE_DATE}'",
    )
    assert servers > self_managed / 2


def test_a_license_page_lists_its_servers_last_reported_first_with_the_quiet_ones_stale(session, license):
    other = add_licenses(session, [{"license_type": "offline"}])[0]
    session.add_all(
        [
            instance(
                license,
                instance_id="a",
                hostname="dev-box.example.net",
                first_ping_at=NOW - timedelta(days=90),
                last_ping_at=NOW - timedelta(days=31),
            ),
            instance(license, instance_id="b", hostname="gitlab.acmeinc.ninja", last_ping_at=NOW),
            instance(
                license,
                instance_id="c",
                hostname="ci-runner-03.internal",
                last_ping_at=NOW - timedelta(days=29),
                first_ping_at=NOW - timedelta(days=40),
            ),
            instance(other, instance_id="d", hostname="scm.other.test"),
        ]
    )
    session.commit()
    listed = servers_of_license(
        session=session, license_id=id_of(license), now=NOW, stale_after=timedelta(days=30)
    )
    assert [(s.hostname, s.stale) for s in listed] == [
        ("gitlab.acmeinc.ninja", False),
        ("ci-runner-03.internal", False),
        ("dev-box.example.net", True),
    ]
    assert server_row(listed[0]) == ServerRow(
        "gitlab.acmeinc.ninja", "17.4.2", 40, 45, "2026-11-22 12:00 UTC", False
    )
    assert (
        servers_of_license(
            session=session, license_id=id_of(other) + 1, now=NOW, stale_after=timedelta(days=30)
        )
        == []
    )
