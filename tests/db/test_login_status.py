"""Login status: rule 6, detected from the history, and a reason for every switch that needs one."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from admin_app.db.customers.login_status import (
    LOGIN_STATUS_LIST,
    disabled_on_purpose,
    disabled_on_purpose_of,
    set_login_activated,
)
from admin_app.db.history.audit import Actor, record_version
from admin_app.db.lists.paging import Page, ResultCount
from admin_app.db.lists.spec import Query
from admin_app.db.models import Customer, Version
from admin_app.db.session import engine_for
from tests.factories import NOW, add_customer

DISABLED_AT = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)


def query(q: str = "", kind: str | None = None, sort: str = "") -> Query:
    return LOGIN_STATUS_LIST.query(q=q, sort=sort, **({"kind": kind} if kind else {}))


def search_not_activated(session, query: Query, **paging) -> tuple[Page, dict[int, object]]:
    """A page of the list, and for each customer on it disabled on purpose, by whom."""
    page = LOGIN_STATUS_LIST.rows(session=session, query=query, **paging)
    whys = disabled_on_purpose_of(session, page.rows)
    return page, {c.id: why for c, why in zip(page.rows, whys, strict=True) if why is not None}


def count_not_activated(session, query: Query, **cap) -> ResultCount:
    return LOGIN_STATUS_LIST.count(session=session, query=query, **cap)


def disabled_by_staff(session) -> Customer:
    customer = add_customer(session, login_activated=False)
    record_version(
        session,
        item_type="customer",
        item_id=customer.id,
        event="create",
        actor=Actor("portal-signup"),
        changes={},
        at=NOW,
    )
    record_version(
        session,
        item_type="customer",
        item_id=customer.id,
        event="update",
        actor=Actor("lee@example.com"),
        changes={"login_activated": [True, False]},
        at=DISABLED_AT,
        reason="Chargeback fraud",
    )
    session.commit()
    return customer


def switch(session, customer, activated: bool, *, reason="", confirmed=False, lock_version=None):
    outcome = set_login_activated(
        session,
        customer_id=customer.id,
        activated=activated,
        lock_version=customer.lock_version if lock_version is None else lock_version,
        confirmed=confirmed,
        actor=Actor("support@example.com"),
        reason=reason,
        now=NOW,
    )
    session.commit()
    session.expire_all()
    return outcome


def test_rule_6_a_login_disabled_on_purpose_is_detected_from_the_history(session):
    customer = disabled_by_staff(session)
    found = disabled_on_purpose(session, customer_id=customer.id)
    assert (found.actor, found.reason) == ("lee@example.com", "Chargeback fraud")
    assert found.at.replace(tzinfo=None) == DISABLED_AT.replace(tzinfo=None)
    never = add_customer(session, login_activated=False)
    assert disabled_on_purpose(session, customer_id=never.id) is None


def test_rule_6_re_activation_needs_a_reason_then_a_confirmation(session):
    customer = disabled_by_staff(session)
    assert switch(session, customer, True).field_errors == {"reason": "Reason can't be blank."}
    held = switch(session, customer, True, reason="Customer verified by phone")
    assert held.needs_confirmation
    assert held.message == (
        "This login was disabled on purpose by lee@example.com on 2026-03-04 10:30 UTC (“Chargeback fraud”). "
        "Re-activate it only with a written reason; it goes into the history."
    )
    assert session.get(Customer, customer.id).login_activated is False

    done = switch(session, customer, True, reason="Customer verified by phone", confirmed=True)

    assert done.ok and session.get(Customer, customer.id).login_activated is True
    latest = session.exec(select(Version).order_by(Version.id.desc())).first()
    assert (latest.changes, latest.reason) == (
        {"login_activated": [False, True]},
        "Customer verified by phone",
    )


def test_a_never_activated_login_is_activated_without_ceremony(session):
    customer = add_customer(session, login_activated=False)
    outcome = switch(session, customer, True)
    assert outcome.ok and (outcome.value.id, outcome.value.login_activated) == (customer.id, True)
    session.expire_all()
    assert session.get(Customer, customer.id).login_activated is True
    [version] = session.exec(select(Version).where(Version.item_id == customer.id)).all()
    assert version.changes == {"login_activated": [False, True]}


def test_deactivating_takes_a_reason_and_makes_the_next_re_activation_careful(session):
    customer = add_customer(session)
    assert switch(session, customer, False).field_errors == {"reason": "Reason can't be blank."}
    assert switch(session, customer, False, reason="Owner left the company").ok
    session.expire_all()
    assert session.get(Customer, customer.id).login_activated is False
    assert disabled_on_purpose(session, customer_id=customer.id).reason == "Owner left the company"
    customer = session.get(Customer, customer.id)
    assert switch(session, customer, True, reason="Back").needs_confirmation


def test_a_stale_switch_is_refused(session):
    customer = add_customer(session)
    outcome = switch(session, customer, False, reason="x", lock_version=5)
    assert "changed" in outcome.message
    assert session.get(Customer, customer.id).login_activated is True


def test_the_list_splits_disabled_on_purpose_from_never_activated(session):
    on_purpose = disabled_by_staff(session)
    never = add_customer(session, login_activated=False)
    add_customer(session)  # active: not listed

    def listed(kind=None):
        page, disabled = search_not_activated(session, query(kind=kind))
        assert count_not_activated(session, query(kind=kind)).value == len(page.rows)
        return {c.id for c in page.rows}, disabled

    everyone, disabled = listed()
    assert everyone == {on_purpose.id, never.id}
    assert disabled[on_purpose.id].actor == "lee@example.com" and never.id not in disabled
    assert listed("disabled")[0] == {on_purpose.id}
    assert listed("never")[0] == {never.id}
    assert LOGIN_STATUS_LIST.parse({"kind": "bogus"}).errors == ["Unknown kind 'bogus' was ignored."]


def test_a_switch_off_recorded_without_a_reason_is_shown_without_one(session):
    customer = add_customer(session, login_activated=False)
    record_version(
        session,
        item_type="customer",
        item_id=customer.id,
        event="update",
        actor=Actor("lee@example.com"),
        changes={"login_activated": [True, False]},
        at=DISABLED_AT,
    )
    session.commit()
    found = disabled_on_purpose(session, customer_id=customer.id)
    assert found.reason == ""
    assert found.warning() == (
        "This login was disabled on purpose by lee@example.com on 2026-03-04 10:30 UTC. "
        "Re-activate it only with a written reason; it goes into the history."
    )


def test_switching_to_the_state_the_login_is_in_or_an_unknown_customer_is_refused(session):
    active = add_customer(session)
    never = add_customer(session, login_activated=False)
    assert switch(session, active, True).message == "The login is already active."
    assert switch(session, never, False, reason="x").message == "The login is already disabled."
    unknown = Customer(id=999_999, lock_version=0)
    assert switch(session, unknown, True).message == "There is no customer with this id."
    assert session.exec(select(Version)).all() == []


def test_switching_a_login_off_never_waits_for_a_confirmation(session):
    # The history's latest login change is a switch-off, although the login is on again (restored
    # from a backup, say): switching it off is still just a switch with a reason.
    customer = add_customer(session)
    record_version(
        session,
        item_type="customer",
        item_id=customer.id,
        event="update",
        actor=Actor("lee@example.com"),
        changes={"login_activated": [True, False]},
        at=DISABLED_AT,
        reason="Chargeback fraud",
    )
    session.commit()
    outcome = switch(session, customer, False, reason="Owner left the company")
    assert outcome.ok and not outcome.needs_confirmation
    assert session.get(Customer, customer.id).login_activated is False


STALE_BY_LEE = (
    "This customer was changed by lee@example.com at 2026-11-22 12:00 UTC after you opened it. "
    "Nothing was saved; reload to see the change."
)


def changed_elsewhere(db_url: str, customer: Customer) -> None:
    """Another staff member switches the login off, in a session of their own."""
    with Session(engine_for(db_url)) as other:
        outcome = set_login_activated(
            other,
            customer_id=customer.id,
            activated=False,
            lock_version=0,
            confirmed=False,
            actor=Actor("lee@example.com"),
            reason="Chargeback fraud",
            now=NOW,
        )
        assert outcome.ok
        other.commit()


def test_a_stale_switch_names_who_changed_the_customer_and_when(session, db_url):
    customer = add_customer(session)
    changed_elsewhere(db_url, customer)
    # This session still holds the customer as it was opened: the write itself finds it stale.
    raced = set_login_activated(
        session,
        customer_id=customer.id,
        activated=False,
        lock_version=0,
        confirmed=False,
        actor=Actor("support@example.com"),
        reason="Owner left the company",
        now=NOW,
    )
    assert raced.message == STALE_BY_LEE
    session.expire_all()
    # Opened again, the old lock version is refused before anything is tried.
    reloaded = session.get(Customer, customer.id)
    assert switch(session, reloaded, True, reason="Back", confirmed=True, lock_version=0).message == (
        STALE_BY_LEE
    )
    assert [v.actor for v in session.exec(select(Version))] == ["lee@example.com"]


def add_not_activated(session, count: int, **fields) -> list[Customer]:
    customers = [
        Customer(
            first_name=fields.get("first_name", "Pat"),
            last_name=f"{fields.get('last_name', 'Member')}{n:03d}",
            email=f"pat{n}@{fields.get('domain', 'many')}.test",
            country="US",
            login_activated=False,
            created_at=NOW,
            updated_at=NOW,
        )
        for n in range(count)
    ]
    session.add_all(customers)
    session.commit()
    return customers


def test_the_list_shows_fifty_rows_a_page_and_pages_both_ways(session):
    add_not_activated(session, 51)

    def names(page) -> list[str]:
        return [c.last_name for c in page.rows]

    default, _ = search_not_activated(session, query())
    assert names(default) == [f"Member{n:03d}" for n in range(50)]

    def page(**cursor):
        return search_not_activated(session, query(), limit=2, **cursor)[0]

    first = page()
    second = page(after=first.next_cursor)
    third = page(after=second.next_cursor)
    back = page(before=third.prev_cursor)
    assert [names(p) for p in (first, second, third, back)] == [
        ["Member000", "Member001"],
        ["Member002", "Member003"],
        ["Member004", "Member005"],
        ["Member002", "Member003"],
    ]


def test_the_list_and_its_count_search_by_name_and_stop_counting_at_the_cap(session):
    zed, zoe = (
        add_customer(session, first_name="Zed", login_activated=False),
        add_customer(session, first_name="Zoe", login_activated=False),
    )
    add_customer(session, first_name="Zed", last_name="Active")  # active: not listed
    add_not_activated(session, 3, first_name="Pat")

    def found(q: str) -> set[int]:
        page, _ = search_not_activated(session, query(q=q))
        return {c.id for c in page.rows}

    assert found("Zed") == {zed.id}
    assert found("Z") == {zed.id, zoe.id}
    assert count_not_activated(session, query(q="Zed")) == ResultCount(1, True)
    assert count_not_activated(session, query(q="Zo")) == ResultCount(1, True)
    assert count_not_activated(session, query(), cap=4) == ResultCount(4, False)
    assert count_not_activated(session, query(), cap=5) == ResultCount(5, True)
    # A term no stored text can contain (a lone surrogate) finds nothing, and is never sent to the database.
    assert count_not_activated(session, query(q="\ud800")) == ResultCount(0, True)
    assert found("\ud800") == set()


@pytest.mark.parametrize("kind", ["disabled", "never"])
def test_only_the_customers_own_switch_off_after_creation_counts_as_disabled(session, kind):
    on_purpose = disabled_by_staff(session)
    created_off = add_customer(session, login_activated=False)
    renamed = add_customer(session, login_activated=False)
    same_id_elsewhere = add_customer(session, login_activated=False)
    for item_type, item_id, event, changes in [
        ("customer", created_off.id, "create", {"login_activated": [None, False]}),
        ("customer", renamed.id, "update", {"first_name": ["Ann", "Anna"]}),
        ("billing_account", same_id_elsewhere.id, "update", {"login_activated": [True, False]}),
        # Another record with the same id, created after the switch-off: not this customer's history.
        ("billing_account", on_purpose.id, "create", {"name": [None, "ACME"]}),
    ]:
        record_version(
            session,
            item_type=item_type,
            item_id=item_id,
            event=event,
            actor=Actor("lee@example.com"),
            changes=changes,
            at=NOW,
        )
    session.commit()
    page, disabled = search_not_activated(session, query(kind=kind))
    count = count_not_activated(session, query(kind=kind))
    expected = {on_purpose.id} if kind == "disabled" else {created_off.id, renamed.id, same_id_elsewhere.id}
    assert ({c.id for c in page.rows}, count) == (expected, ResultCount(len(expected), True))
    assert set(disabled) == ({on_purpose.id} if kind == "disabled" else set())


@pytest.mark.parametrize(
    ("params", "query", "errors", "back"),
    [
        ({}, query(), [], {}),
        (
            {"q": "  Zed  ", "kind": "never", "sort": "-name"},
            query(q="Zed", kind="never", sort="-name"),
            [],
            {"q": "Zed", "kind": "never", "sort": "-name"},
        ),
        ({"kind": "disabled", "sort": "name"}, query(kind="disabled"), [], {"kind": "disabled"}),
        (
            {"q": 5, "kind": "bogus", "sort": "-email"},
            query(),
            ["Unknown sort '-email' was ignored.", "Unknown kind 'bogus' was ignored."],
            {},
        ),
    ],
    ids=["nothing", "everything", "ascending", "unknown"],
)
def test_the_lists_address_is_read_with_messages_for_what_is_ignored_and_written_back(
    params, query, errors, back
):
    parsed = LOGIN_STATUS_LIST.parse(params)
    assert (parsed.query, parsed.errors) == (query, errors)
    assert LOGIN_STATUS_LIST.to_params(query) == back


def test_choosing_the_name_sort_again_flips_it_and_there_is_no_other():
    flipped = LOGIN_STATUS_LIST.with_sort(query(kind="never"), "name")
    assert LOGIN_STATUS_LIST.to_params(flipped) == {"kind": "never", "sort": "-name"}
    assert LOGIN_STATUS_LIST.with_sort(flipped, "email") == flipped
