"""The command palette's search: every kind at once, a few of each in its list's order, only the kinds
asked for, and input that cannot use the indexes answered with nothing rather than a slow scan."""

from datetime import date

import pytest

from admin_app.db.find_anything import PER_KIND, Found, Kind, find_anything, palette_term
from admin_app.db.models import Reconciliation
from tests.factories import add_account, add_customer, add_licenses, license_fields, subscription_row


@pytest.fixture
def quokkas(session) -> dict[Kind, list[str]]:
    """Records whose text holds "quokka", and as many that do not; what each kind should find first."""
    customers = [
        add_customer(session, last_name=f"Quokka{n}", email=f"person{n}@wombat.test", company="Wombat")
        for n in (6, 2, 4, 0, 5, 3, 1)
    ]
    customers.append(add_customer(session, last_name="Aardvark", email="a@quokka-labs.test", company="Q"))
    for n in range(3):
        add_customer(session, last_name=f"Other{n}", email=f"other{n}@wombat.test", company="Wombat")
    licenses = add_licenses(
        session,
        [license_fields(company="Quokka Labs", issued_at=license_fields()["issued_at"]) for _ in range(2)]
        + [license_fields(company="Wombat Ltd") for _ in range(3)],
    )
    quokka_account = add_account(
        session, sold_to={"first_name": "S", "last_name": "T", "email": "s@t.test"}, name="Quokka Labs GmbH"
    )
    other_account = add_account(
        session, sold_to={"first_name": "U", "last_name": "V", "email": "u@v.test"}, name="Wombat Ltd"
    )
    session.add_all(
        [
            subscription_row(quokka_account.id, "A-S00000002"),
            subscription_row(other_account.id, "A-S00000001"),
        ]
    )
    reconciliation = Reconciliation(
        billing_account_id=quokka_account.id,
        customer_name="Quokka Labs GmbH",
        subscription_name="A-S00000002",
        status="done",
        reconciliation_date=date(2026, 7, 1),
        user_count=10,
        currency="EUR",
    )
    session.add(reconciliation)
    session.commit()
    by_last_name = sorted(customers, key=lambda c: (c.last_name, c.id))
    newest_first = sorted(licenses[:2], key=lambda lic: (lic.issued_at, lic.id), reverse=True)
    return {
        Kind.CUSTOMER: [str(c.id) for c in by_last_name[:PER_KIND]],
        Kind.LICENSE: [str(lic.id) for lic in newest_first],
        Kind.BILLING_ACCOUNT: [str(quokka_account.id)],
        Kind.SUBSCRIPTION: ["A-S00000002"],
        Kind.RECONCILIATION: [str(reconciliation.id)],
    }


def keys_by_kind(found: list[Found]) -> dict[Kind, list[str]]:
    grouped: dict[Kind, list[str]] = {}
    for hit in found:
        grouped.setdefault(hit.kind, []).append(hit.key)
    return grouped


def test_one_term_finds_a_few_of_every_kind_in_each_lists_order(session, quokkas, probe_window):
    found = find_anything(session=session, term="  QUOKKA ", kinds=set(Kind))
    assert keys_by_kind(found) == quokkas
    assert [hit.kind for hit in found] == sorted((hit.kind for hit in found), key=list(Kind).index)


def test_what_each_hit_shows(session, quokkas):
    found: dict[Kind, Found] = {}
    for hit in find_anything(session=session, term="quokka", kinds=set(Kind)):
        found.setdefault(hit.kind, hit)
    assert found[Kind.CUSTOMER].title.endswith("Aardvark")
    assert found[Kind.CUSTOMER].detail == "a@quokka-labs.test · Q"
    assert found[Kind.LICENSE].title == "Quokka Labs"
    assert found[Kind.BILLING_ACCOUNT].title == "Quokka Labs GmbH"
    assert found[Kind.BILLING_ACCOUNT].detail.startswith("Zuora ")
    assert found[Kind.SUBSCRIPTION].title == "A-S00000002"
    assert found[Kind.RECONCILIATION].detail == "A-S00000002 · 2026-07-01 · done"


def test_only_the_kinds_asked_for_are_searched(session, quokkas):
    found = find_anything(session=session, term="quokka", kinds={Kind.LICENSE, Kind.SUBSCRIPTION})
    assert keys_by_kind(found) == {Kind.LICENSE: quokkas[Kind.LICENSE], Kind.SUBSCRIPTION: ["A-S00000002"]}
    assert find_anything(session=session, term="quokka", kinds=set()) == []


def test_an_email_finds_its_customer(session, quokkas):
    found = find_anything(session=session, term="a@quokka-labs.test", kinds={Kind.CUSTOMER})
    assert [hit.detail for hit in found] == ["a@quokka-labs.test · Q"]


def test_wildcards_and_quotes_are_literal_text(session):
    add_customer(session, company='100%_Quokka "Co"')
    add_customer(session, company="1000 Quokka Co")
    found = find_anything(session=session, term='100%_quokka "c', kinds={Kind.CUSTOMER})
    assert [hit.detail.split(" · ")[1] for hit in found] == ['100%_Quokka "Co"']


@pytest.mark.parametrize(
    "term",
    ["", "   ", "ab", "a-b-c", "%_%", "x" * 300, "\x00quokka", "\ud800quokka", None, 42],
    ids=["empty", "blank", "two", "no-run", "wildcards", "too-long", "nul", "broken-unicode", "none", "int"],
)
def test_terms_no_index_can_serve_find_nothing_without_a_query(session, quokkas, term, monkeypatch):
    assert palette_term(term) == ""
    monkeypatch.setattr(session, "exec", None)
    monkeypatch.setattr(session, "scalars", None)
    monkeypatch.setattr(session, "execute", None)
    assert find_anything(session=session, term=term, kinds=set(Kind)) == []


def test_a_run_of_three_in_any_script_is_enough(session):
    add_customer(session, company="Zoë 🚀 Äpfel")
    assert palette_term(" 🚀 Äpf ") == "🚀 Äpf"
    found = find_anything(session=session, term="🚀 Äpf", kinds={Kind.CUSTOMER})
    assert [hit.detail.split(" · ")[1] for hit in found] == ["Zoë 🚀 Äpfel"]
