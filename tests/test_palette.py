"""The palette's state: which kinds a role may search, and where each hit and group leads."""

from admin_app.auth.permissions import ROLE_PERMISSIONS, Permission
from admin_app.db.find_anything import Found, Kind
from admin_app.state.palette import grouped, readable_kinds


def test_every_role_of_the_design_reads_every_kind_and_no_role_reads_none():
    for role in ("sales", "support", "manager", "admin"):
        assert readable_kinds((role,)) == set(Kind)
    assert readable_kinds(()) == set()
    assert readable_kinds(("intern",)) == set()


def test_a_role_searches_only_the_kinds_its_permissions_read(monkeypatch):
    monkeypatch.setitem(ROLE_PERMISSIONS, "sales", frozenset({Permission.LICENSES_READ}))
    assert readable_kinds(("sales",)) == {Kind.LICENSE, Kind.SERVER, Kind.SUBSCRIPTION}
    monkeypatch.setitem(ROLE_PERMISSIONS, "sales", frozenset({Permission.CUSTOMERS_READ}))
    assert readable_kinds(("sales",)) == {Kind.CUSTOMER, Kind.BILLING_ACCOUNT}
    monkeypatch.setitem(ROLE_PERMISSIONS, "sales", frozenset({Permission.RECONCILIATIONS_READ}))
    assert readable_kinds(("sales",)) == {Kind.RECONCILIATION}


def test_hits_lead_to_their_records_and_groups_to_their_lists():
    found = [
        Found(Kind.CUSTOMER, "7", "Ann Lee", "ann@x.test · X"),
        Found(Kind.CUSTOMER, "9", "Bo Lee", "bo@x.test · X"),
        Found(Kind.SUBSCRIPTION, "A-S/01 ?", "A-S/01 ?", "Premium"),
    ]
    groups = grouped(found, "lee & co")
    assert [(g.label, g.all_href) for g in groups] == [
        ("Customers", "/customers?q=lee+%26+co"),
        ("Subscriptions", "/subscriptions?q=lee+%26+co"),
    ]
    assert [h.href for h in groups[0].hits] == ["/customers/7", "/customers/9"]
    assert groups[1].hits[0].href == "/subscriptions/A-S%2F01%20%3F"
