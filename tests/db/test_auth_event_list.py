"""The sign-in audit as a list: every entry reached through keyset pages, newest first, filtered by
kind, person, address and time."""

from datetime import UTC, date, datetime, timedelta

import pytest

from admin_app.db.lists import paging
from admin_app.db.lists.spec import Query
from admin_app.db.models import AuthEvent
from admin_app.db.staff.auth_events import MORE_FROM_ADDRESS, event_detail, record_auth_event
from admin_app.db.staff.search import AUTH_EVENT_LIST
from tests.db.pages import every_page

START = datetime(2026, 3, 1, tzinfo=UTC)
ADDRESSES = ("203.0.113.9", "198.51.100.7", "192.0.2.1")
PEOPLE = ("ann@example.com", "Bob@Example.com", "")
KINDS = ("sign_in", "refused", "sign_in_failed", "sign_out")


@pytest.fixture
def entries(session) -> list[AuthEvent]:
    """250 entries over five days, every third pair at the same moment (ties broken by id)."""
    made = []
    for n in range(250):
        made.append(
            record_auth_event(
                session=session,
                kind=KINDS[n % 4],
                at=START + timedelta(minutes=29 * (n // 2)),
                email=PEOPLE[n % 3],
                client_address=ADDRESSES[n % 7 % 3],
                detail=f"entry {n}",
            )
        )
    session.commit()
    return made


def newest_first(rows: list[AuthEvent]) -> list[int]:
    return [e.id for e in sorted(rows, key=lambda e: (e.at, e.id), reverse=True)]


def walk(session, query: Query, limit: int = 7) -> list[paging.Page]:
    return every_page(
        lambda after: AUTH_EVENT_LIST.rows(session=session, query=query, after=after, limit=limit)
    )


Q = AUTH_EVENT_LIST.query


def test_pages_reach_the_oldest_entry_and_lead_back(session, entries):
    forward = walk(session, Q())
    assert [e.id for page in forward for e in page.rows] == newest_first(entries)
    assert forward[-1].rows[-1].id == entries[0].id, "the oldest entry is on the last page"

    backward = [forward[-1]]
    while backward[-1].prev_cursor:
        backward.append(
            AUTH_EVENT_LIST.rows(session=session, query=Q(), before=backward[-1].prev_cursor, limit=7)
        )
    assert [[e.id for e in p.rows] for p in reversed(backward)] == [[e.id for e in p.rows] for p in forward]
    assert AUTH_EVENT_LIST.count(session=session, query=Q()).label == "250"


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        (Q(kind="refused"), lambda e: e.kind == "refused"),
        (Q(person="bob@example.com"), lambda e: e.email == "Bob@Example.com"),
        (Q(address="198.51.100.7"), lambda e: e.client_address == "198.51.100.7"),
        (
            Q(**{"from": "2026-03-02", "to": "2026-03-03"}),
            lambda e: date(2026, 3, 2) <= e.at.date() <= date(2026, 3, 3),
        ),
        (
            Q(kind="sign_in", person="ann@example.com", address="203.0.113.9"),
            lambda e: (e.kind, e.email, e.client_address) == ("sign_in", "ann@example.com", "203.0.113.9"),
        ),
        (Q(q="ENTRY 24"), lambda e: e.detail.startswith("entry 24")),
    ],
)
def test_each_filter_pages_through_its_entries_alone(session, entries, monkeypatch, query, keep):
    # Windows of ten rows: a filter's rows are found across several windows and the index's answer.
    monkeypatch.setattr(paging, "PROBE_WINDOW", 10)
    expected = newest_first([e for e in entries if keep(e)])
    assert expected, "the filter matches something"
    assert [e.id for page in walk(session, query) for e in page.rows] == expected
    assert AUTH_EVENT_LIST.count(session=session, query=query).value == len(expected)


def test_an_address_among_a_flood_is_found_on_the_first_page(session, entries):
    record_auth_event(
        session=session, kind="refused", at=START - timedelta(days=1), client_address="2001:db8::1"
    )
    session.commit()
    [page] = walk(session, Q(address="2001:db8::1"), limit=50)
    assert [(e.kind, e.client_address) for e in page.rows] == [("refused", "2001:db8::1")]


def test_the_url_is_read_with_a_message_for_each_value_ignored():
    parsed = AUTH_EVENT_LIST.parse(
        {"kind": "<script>", "person": " Ann@Example.com ", "address": "x" * 90, "from": "2026-13-01"}
    )
    assert parsed.query == Q(person="Ann@Example.com", address="x" * 64)
    assert len(parsed.errors) == 2
    assert AUTH_EVENT_LIST.parse(AUTH_EVENT_LIST.to_params(parsed.query)).query == parsed.query
    full = Q(q="scan", kind="refused", **{"from": "2026-03-01", "to": "2026-03-02"})
    assert AUTH_EVENT_LIST.parse(AUTH_EVENT_LIST.to_params(full)).query == full


def test_a_reversed_date_range_is_swapped_and_said_so():
    parsed = AUTH_EVENT_LIST.parse({"from": "2026-03-02", "to": "2026-03-01"})
    assert parsed.query.values == {"from": "2026-03-01", "to": "2026-03-02"}
    assert parsed.errors == ["The date range was reversed; it has been swapped."]


def test_an_entry_keeps_its_detail_bounded_and_in_plain_characters(session):
    record_auth_event(
        session=session,
        kind="refused",
        at=START,
        detail="line one\nline two \u202eevil\u200b <b>bold</b> Müller " + "x" * 600,
    )
    session.commit()
    session.expire_all()
    [page] = walk(session, Q())
    [entry] = page.rows
    assert entry.detail.startswith("line one?line two ?evil? <b>bold</b> Müller xxx")
    assert len(entry.detail) == 500


def test_a_counted_row_says_how_many_more_and_from_whom():
    def entry(email: str, detail: str, count: int) -> AuthEvent:
        return AuthEvent(at=START, kind="refused", email=email, detail=detail, count=count)

    assert event_detail(entry("", "load: no live session", 1)) == "load: no live session"
    assert event_detail(entry("", MORE_FROM_ADDRESS, 1)) == (
        "1 more from this address within a minute, whatever they asked"
    )
    assert event_detail(entry("", MORE_FROM_ADDRESS, 1234)) == (
        "1,234 more from this address within a minute, whatever they asked"
    )
    assert event_detail(entry("ann@example.com", "revoke needs sessions:admin", 19)) == (
        "revoke needs sessions:admin (19 more times within a minute)"
    )
