"""A license found from a part of its servers' host names: whole names and parts of them in any case,
typed text taken literally (wildcards, quotes, backslashes, emoji, any length), a message for a term
too short to look up, the Licenses list's host name filter and the palette's Servers group."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from admin_app.db import migrate
from admin_app.db.find_anything import PER_KIND, Found, Kind, find_anything
from admin_app.db.licenses import hostnames
from admin_app.db.licenses.hostnames import HOST_TERM_TOO_SHORT, HostSearch, LicenseOnHost, licenses_on_host
from admin_app.db.licenses.search import LICENSE_LIST
from admin_app.db.models import License, LicenseInstance, id_of
from admin_app.db.session import engine_for
from admin_app.seed.__main__ import load
from admin_app.state.palette import grouped
from alembic import command
from tests.conftest import empty_tables, fresh_postgres_database
from tests.db.test_seed import TINY
from tests.factories import NOW, add_licenses


def add_servers(session: Session, license: License, *hostnames: str) -> list[LicenseInstance]:
    """Servers of `license` with these host names (stored as pings store them, in lower case)."""
    servers = [
        LicenseInstance(
            license_id=id_of(license),
            instance_id=f"instance-{n}-{hostname[:40]}",
            hostname=hostname,
            version="17.4.2",
            first_ping_at=NOW - timedelta(days=10),
            last_ping_at=NOW,
            active_users=10,
            peak_users=12,
        )
        for n, hostname in enumerate(hostnames)
    ]
    session.add_all(servers)
    session.commit()
    return servers


@pytest.fixture
def hosts(session) -> list[License]:
    """Acme runs two servers under .ninja, Globex a build server, Initech an internal box and none more."""
    acme, globex, initech, quiet = add_licenses(
        session,
        [
            {"company": "Acme Inc", "license_type": "offline"},
            {"company": "Globex", "license_type": "offline"},
            {"company": "Initech", "license_type": "legacy"},
            {"company": "Quiet Co", "license_type": "offline"},
        ],
    )
    add_servers(session, acme, "gitlab.acmeinc.ninja", "ci-runner-01.acmeinc.ninja")
    add_servers(session, globex, "build-01.globex-dev.io")
    add_servers(session, initech, "dev-box.example.net")
    return [acme, globex, initech, quiet]


def found(session: Session, term: object, limit: int = 50) -> list[tuple[str, tuple[str, ...]]]:
    search = licenses_on_host(session, term, limit)
    assert search.message == ""
    return [(lic.company, lic.hostnames) for lic in search.licenses]


def test_a_whole_host_name_finds_its_license_and_company(session, hosts):
    assert licenses_on_host(session, "gitlab.acmeinc.ninja", 10) == HostSearch(
        [LicenseOnHost(id_of(hosts[0]), "Acme Inc", ("gitlab.acmeinc.ninja",))]
    )


@pytest.mark.parametrize("term", ["ninja", "acmeinc.ninja", "ACMEINC.Ninja", "  Ninja  ", "cme"])
def test_a_part_of_a_host_name_in_any_case_finds_every_matching_server(session, hosts, term):
    assert found(session, term) == [("Acme Inc", ("ci-runner-01.acmeinc.ninja", "gitlab.acmeinc.ninja"))]


@pytest.mark.parametrize("servers_read", [hostnames.SERVERS_READ, 1], ids=["one-read", "a-server-a-read"])
def test_the_newest_servers_license_comes_first_and_the_limit_counts_licenses(
    session, hosts, servers_read, monkeypatch
):
    monkeypatch.setattr(hostnames, "SERVERS_READ", servers_read)
    assert found(session, "-01.") == [
        ("Globex", ("build-01.globex-dev.io",)),
        ("Acme Inc", ("ci-runner-01.acmeinc.ninja",)),
    ]
    assert found(session, "-01.", limit=1) == [("Globex", ("build-01.globex-dev.io",))]
    ids = [lic.license_id for lic in licenses_on_host(session, "-01.", 10).licenses]
    assert ids == [id_of(hosts[1]), id_of(hosts[0])]
    assert found(session, "acmeinc", limit=0) == []
    # A license found again through an older server is one license, with all its matching names.
    assert found(session, "ninja", limit=1) == [
        ("Acme Inc", ("ci-runner-01.acmeinc.ninja", "gitlab.acmeinc.ninja"))
    ]


def test_a_name_no_server_has_finds_nothing(session, hosts):
    assert found(session, "gitlab.acmeinc.ninjas") == []
    assert found(session, "initech") == []


@pytest.mark.parametrize("term", ["", "  ", "ab", " n ", "é😀", None, 42])
def test_a_term_shorter_than_three_characters_is_answered_without_a_query(session, hosts, term, monkeypatch):
    for method in ("exec", "execute", "scalars", "scalar"):
        monkeypatch.setattr(session, method, None)
    assert licenses_on_host(session, term, 10) == HostSearch([], HOST_TERM_TOO_SHORT)
    assert HOST_TERM_TOO_SHORT == "Type at least 3 characters of a host name"


@pytest.mark.parametrize(
    "term",
    [
        "%%%",
        "___",
        "%_%",
        "a%a",
        "n_n",
        "'; DROP TABLE license_instance; --",
        '"ninja"',
        "\\\\\\",
        "ninja*",
        "NOT ninja",
        "nin OR ja",
        "😀😀😀",
        "\x00ninja",
        "\ud800ninja",
        "x" * 10_000,
        "ninja" * 2_000,
    ],
)
def test_hostile_text_finds_only_literal_matches_and_never_raises(session, hosts, term):
    assert found(session, term) == []


# Characters that mean something to LIKE, to FTS5 or to SQL, beside the letters of host names.
ALPHABET = "abn-._%'\"\\*^:() ANDORNOTß😀"
HOSTNAMES = [
    "gitlab.acmeinc.ninja",
    "50%off_sale.ninja",
    'o\'brien-"quoted".test',
    "back\\slash.local",
    "ab_ab%ab.internal",
    "and-or-not.near.test",
    "straße-😀.example.net",
    "abba.internal",
]


@pytest.fixture
def odd_hosts(session) -> list[str]:
    """Host names with the characters a term might take for syntax, one license each."""
    licenses = add_licenses(session, [{"company": f"Company {n}"} for n in range(len(HOSTNAMES))])
    for license, hostname in zip(licenses, HOSTNAMES, strict=True):
        add_servers(session, license, hostname)
    return HOSTNAMES


terms = st.one_of(
    st.text(alphabet=ALPHABET, min_size=3, max_size=8),
    st.sampled_from(HOSTNAMES).flatmap(
        lambda name: st.tuples(st.integers(0, len(name) - 3), st.integers(3, 8)).map(
            lambda cut: name[cut[0] : cut[0] + cut[1]].upper()
        )
    ),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(term=terms)
def test_a_term_finds_exactly_the_host_names_that_contain_it(session, odd_hosts, term):
    needle = term.strip().lower()
    search = licenses_on_host(session, term, 50)
    if len(needle) < 3:
        assert search.message == HOST_TERM_TOO_SHORT
        return
    assert sorted(h for lic in search.licenses for h in lic.hostnames) == sorted(
        h for h in odd_hosts if needle in h
    )


def test_the_index_follows_a_renamed_or_removed_server(session, hosts):
    gitlab = session.exec(
        select(LicenseInstance).where(LicenseInstance.hostname == "gitlab.acmeinc.ninja")
    ).one()
    gitlab.hostname = "gitlab.acme-corp.dev"
    session.commit()
    assert found(session, "gitlab") == [("Acme Inc", ("gitlab.acme-corp.dev",))]
    assert found(session, "acmeinc") == [("Acme Inc", ("ci-runner-01.acmeinc.ninja",))]
    gitlab.last_ping_at = NOW + timedelta(days=1)
    session.commit()
    assert found(session, "acme-corp") == [("Acme Inc", ("gitlab.acme-corp.dev",))]
    session.delete(gitlab)
    session.commit()
    assert found(session, "acme-corp") == []


def test_the_demo_servers_are_found_by_their_host_names(db_url):
    """The demo loader builds the indexes after its rows: every server is found."""
    empty_tables(db_url)
    load(db_url, TINY, seed=7)
    with Session(engine_for(db_url)) as session:
        servers = session.exec(select(LicenseInstance.license_id, LicenseInstance.hostname)).all()
        on_ninja = {license_id for license_id, hostname in servers if "ninja" in hostname}
        assert on_ninja
        search = licenses_on_host(session, "NINJA", len(servers))
        assert {lic.license_id for lic in search.licenses} == on_ninja
        query = LICENSE_LIST.query(host="ninja")
        assert LICENSE_LIST.count(session=session, query=query).value == len(on_ninja)
        license_id, hostname = servers[len(servers) // 2]
        assert license_id in {lic.license_id for lic in licenses_on_host(session, hostname, 50).licenses}


def rows_of(session: Session, params: dict[str, object]) -> tuple[list[str], list[str]]:
    parsed = LICENSE_LIST.parse(params)
    page = LICENSE_LIST.rows(session=session, query=parsed.query)
    assert LICENSE_LIST.count(session=session, query=parsed.query).value == len(page.rows)
    return sorted(row.company for row in page.rows), parsed.errors


def test_the_licenses_list_filters_by_host_name(session, hosts):
    assert rows_of(session, {"host": "Ninja"}) == (["Acme Inc"], [])
    assert rows_of(session, {"host": "-01."}) == (["Acme Inc", "Globex"], [])
    assert rows_of(session, {"host": "-01.", "q": "glob"}) == (["Globex"], [])
    assert rows_of(session, {"host": "-01.", "type": "legacy"}) == ([], [])
    assert rows_of(session, {"host": "50%_'\"\\😀"}) == ([], [])
    assert rows_of(session, {"host": "x" * 10_000}) == ([], [])


def test_a_host_name_filter_too_short_is_dropped_with_a_message(session, hosts):
    companies, errors = rows_of(session, {"host": " nj "})
    assert companies == ["Acme Inc", "Globex", "Initech", "Quiet Co"]
    assert errors == ["Host name 'nj' is not long enough to look up (3 characters or more) and was ignored."]


def test_the_host_name_filter_is_in_the_bar_and_round_trips():
    [host] = [f for f in LICENSE_LIST.filters if f.names == ("host",)]
    assert host.label == "Host name"
    assert getattr(host, "in_bar", False)
    query = LICENSE_LIST.parse({"host": "  acmeinc.NINJA ", "plan": "premium"}).query
    assert LICENSE_LIST.to_params(query) == {"host": "acmeinc.NINJA", "plan": "premium"}
    assert LICENSE_LIST.parse(LICENSE_LIST.to_params(query)).query == query


def test_the_palette_groups_servers_under_their_licenses(session, hosts):
    acme, globex = (str(id_of(lic)) for lic in hosts[:2])
    found_hits = find_anything(session=session, term="ACMEINC", kinds={Kind.LICENSE, Kind.SERVER})
    assert found_hits == [
        Found(Kind.SERVER, acme, "ci-runner-01.acmeinc.ninja", "Acme Inc"),
        Found(Kind.SERVER, acme, "gitlab.acmeinc.ninja", "Acme Inc"),
    ]
    [group] = grouped(found_hits, "acmeinc")
    assert (group.label, group.all_href) == ("Servers", "/licenses?host=acmeinc")
    assert [hit.href for hit in group.hits] == [f"/licenses/{acme}", f"/licenses/{acme}"]
    servers = find_anything(session=session, term="-01.", kinds={Kind.SERVER})
    assert servers == []  # the palette needs three letters or digits in a row
    servers = find_anything(session=session, term="build-01", kinds=set(Kind))
    assert [(hit.kind, hit.key) for hit in servers] == [(Kind.SERVER, globex)]


def test_the_palette_shows_at_most_five_servers(session):
    [big] = add_licenses(session, [{"company": "Many Servers", "license_type": "offline"}])
    add_servers(session, big, *(f"runner-{n:02d}.fleet.test" for n in range(PER_KIND + 2)))
    hits = find_anything(session=session, term="fleet", kinds={Kind.SERVER})
    assert [hit.title for hit in hits] == [f"runner-{n:02d}.fleet.test" for n in range(PER_KIND)]


def _servers_kept_through_the_migration(url: str) -> None:
    command.downgrade(migrate._config(url), "0022")
    with Session(engine_for(url), expire_on_commit=False) as session:
        [license] = add_licenses(session, [{"company": "Before 0023", "license_type": "offline"}])
        add_servers(session, license, "gitlab.before-migration.ninja")
    migrate.upgrade_to_head(url)
    with Session(engine_for(url)) as session:
        assert found(session, "before-migration") == [("Before 0023", ("gitlab.before-migration.ninja",))]
        [lic] = add_licenses(session, [{"company": "After 0023", "license_type": "offline"}])
        add_servers(session, lic, "gitlab.after-migration.ninja")
        assert found(session, "migration.ninja") == [
            ("After 0023", ("gitlab.after-migration.ninja",)),
            ("Before 0023", ("gitlab.before-migration.ninja",)),
        ]
    engine_for(url).dispose()


def test_the_migration_indexes_the_servers_already_there_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'hostnames.db'}"
    migrate.upgrade_to_head(url)
    _servers_kept_through_the_migration(url)


def test_the_migration_indexes_the_servers_already_there_on_postgresql():
    with fresh_postgres_database("customer_admin_hostnames") as url:
        _servers_kept_through_the_migration(url)
