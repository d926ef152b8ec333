"""Saved views: named per person and page, one name once (in any case), only the owner renames or
removes, bad names answered beside the field, nothing written when refused."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from admin_app.db.models import SavedView
from admin_app.db.staff import saved_views
from admin_app.db.staff.saved_views import remove_view, rename_view, save_view, view_href, views_of

ANN, BO = "sub-ann", "sub-bo"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def save(session: Session, name: str, page: str = "/licenses", owner: str = ANN, **params: str):
    outcome = save_view(session=session, owner_subject=owner, page=page, name=name, params=params)
    session.commit()
    return outcome


def stored(session: Session) -> list[tuple[str, str, str, str]]:
    rows = session.exec(select(SavedView).order_by(SavedView.id)).all()
    return [(v.owner_subject, v.page, v.name, v.query) for v in rows]


def test_a_view_keeps_the_lists_parameters_and_leads_back_to_them(session):
    outcome = save(session, "  Expiring   ultimate ", q="acme & co", plan="ultimate", sort="expires")
    assert outcome.ok
    assert stored(session) == [
        (ANN, "/licenses", "Expiring ultimate", "plan=ultimate&q=acme+%26+co&sort=expires")
    ]
    assert view_href(outcome.value) == "/licenses?plan=ultimate&q=acme+%26+co&sort=expires"
    assert view_href(save(session, "Everything", page="/customers").value) == "/customers"


def test_each_person_sees_only_their_own_views_in_the_sidebars_order(session):
    save(session, "zeta", page="/history")
    save(session, "Alpha", page="/history")
    save(session, "mine", page="/customers")
    save(session, "beta", page="/licenses")
    save(session, "Bo's", page="/licenses", owner=BO)
    assert [(v.page, v.name) for v in views_of(session=session, owner_subject=ANN)] == [
        ("/licenses", "beta"),
        ("/customers", "mine"),
        ("/history", "Alpha"),
        ("/history", "zeta"),
    ]
    assert [v.name for v in views_of(session=session, owner_subject=BO)] == ["Bo's"]


def test_one_name_once_per_page_in_any_case_but_again_on_another_page_or_person(session):
    assert save(session, "Renewals").ok
    again = save(session, "RENEWALS")
    assert again.field_errors == {"name": "You already have a view named “RENEWALS” on Licenses."}
    assert save(session, "renewals", page="/subscriptions").ok
    assert save(session, "Renewals", owner=BO).ok
    assert len(stored(session)) == 3


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the view a name."),
        ("   ", "Give the view a name."),
        (None, "Give the view a name."),
        ("x" * 61, "A name has at most 60 characters (this one has 61)."),
        ("bad\u200bname", "A name cannot hold control characters."),
        ("bell\x07", "A name cannot hold control characters."),
    ],
)
def test_a_name_that_cannot_be_one_is_answered_beside_the_field(session, name, message):
    assert save(session, name).field_errors == {"name": message}
    assert stored(session) == []


def test_emoji_quotes_and_wildcards_are_just_a_name(session):
    assert save(session, '🚀 100%_"done" it\'s').ok
    assert stored(session)[0][2] == '🚀 100%_"done" it\'s'


def test_only_the_lists_take_views_and_a_huge_search_is_refused(session):
    assert (
        save(session, "Sessions", page="/admin/sessions").message == "Views can be saved from the lists only."
    )
    assert "too long" in save(session, "Huge", q="x" * 2100).message
    assert stored(session) == []


def test_a_person_keeps_at_most_so_many_views(session, monkeypatch):
    monkeypatch.setattr(saved_views, "MAX_VIEWS_PER_PERSON", 2)
    assert save(session, "one").ok and save(session, "two").ok
    assert "the most one person may keep" in save(session, "three").message
    assert save(session, "Bo's first", owner=BO).ok
    assert [v[2] for v in stored(session)] == ["one", "two", "Bo's first"]


def test_renaming_checks_the_name_again_and_allows_a_change_of_case(session):
    first = save(session, "Renewals").value
    save(session, "Churn")
    assert rename_view(session=session, owner_subject=ANN, view_id=first.id, name="churn").field_errors == {
        "name": "You already have a view named “churn” on Licenses."
    }
    assert rename_view(session=session, owner_subject=ANN, view_id=first.id, name="").field_errors
    assert rename_view(session=session, owner_subject=ANN, view_id=first.id, name="RENEWALS").ok
    session.commit()
    assert [v[2] for v in stored(session)] == ["RENEWALS", "Churn"]


@pytest.mark.parametrize("view_id", ["1", 1.0, True, None, -1, 10**12])
def test_an_id_that_is_not_an_own_view_changes_nothing(session, view_id):
    save(session, "Mine")
    for act in (
        lambda: rename_view(session=session, owner_subject=ANN, view_id=view_id, name="x"),
        lambda: remove_view(session=session, owner_subject=ANN, view_id=view_id),
    ):
        assert act().message == saved_views.NOT_FOUND
    assert [v[2] for v in stored(session)] == ["Mine"]


def test_only_the_owner_renames_or_removes_a_view(session):
    view = save(session, "Ann's").value
    assert (
        rename_view(session=session, owner_subject=BO, view_id=view.id, name="Bo's now").message
        == saved_views.NOT_FOUND
    )
    assert remove_view(session=session, owner_subject=BO, view_id=view.id).message == saved_views.NOT_FOUND
    session.commit()
    assert [v[2] for v in stored(session)] == ["Ann's"]
    assert remove_view(session=session, owner_subject=ANN, view_id=view.id).ok
    session.commit()
    assert stored(session) == []


def test_the_database_keeps_one_name_once_even_when_two_saves_race(session):
    save(session, "Race")
    duplicate = SavedView(
        owner_subject=ANN,
        page="/licenses",
        name="race",
        name_key="race",
        query="",
        created_at=datetime.now(UTC),
    )
    session.add(duplicate)
    with pytest.raises(IntegrityError):
        session.commit()


def test_a_name_of_exactly_the_longest_length_is_kept(session):
    assert save(session, "x" * 60).ok
    assert stored(session)[0][2] == "x" * 60


def test_a_name_with_a_lone_surrogate_is_refused_as_a_control_character(session):
    assert save(session, "bad\ud800name").field_errors == {"name": "A name cannot hold control characters."}
    assert stored(session) == []


def test_a_search_of_exactly_the_longest_length_is_kept_and_one_character_more_is_refused(session):
    assert save(session, "Longest", q="x" * 1998).ok
    too_long = save(session, "Too long", q="x" * 1999)
    assert too_long.message == "This search is too long to save as a view. Shorten the search text."
    assert [len(v[3]) for v in stored(session)] == [2000]


def test_a_refused_duplicate_keeps_the_views_saved_before_it_in_the_same_transaction(session):
    save(session, "Renewals")
    assert save_view(session=session, owner_subject=ANN, page="/licenses", name="Churn", params={}).ok
    duplicate = save_view(session=session, owner_subject=ANN, page="/licenses", name="renewals", params={})
    assert duplicate.field_errors == {"name": "You already have a view named “renewals” on Licenses."}
    session.commit()
    assert [v[2] for v in stored(session)] == ["Renewals", "Churn"]


def test_a_save_that_loses_a_race_for_its_name_is_answered_beside_the_field(session):
    def the_other_tab_saves_first(*_):
        with Session(session.get_bind()) as other:
            save_view(session=other, owner_subject=ANN, page="/history", name="Race", params={})
            other.commit()

    event.listen(session, "before_flush", the_other_tab_saves_first, once=True)
    lost = save_view(session=session, owner_subject=ANN, page="/history", name="RACE", params={"q": "x"})
    assert lost.field_errors == {"name": "You already have a view named “RACE” on History."}
    assert stored(session) == [(ANN, "/history", "Race", "")]


def test_a_view_of_a_page_the_app_no_longer_lists_comes_last(session):
    save(session, "Recent", page="/history")
    session.add(
        SavedView(owner_subject=ANN, page="/retired", name="Old", name_key="old", query="", created_at=NOW)
    )
    session.commit()
    save(session, "Active", page="/licenses")
    assert [(v.page, v.name) for v in views_of(session=session, owner_subject=ANN)] == [
        ("/licenses", "Active"),
        ("/history", "Recent"),
        ("/retired", "Old"),
    ]


def test_renaming_and_removing_answer_with_the_view_as_it_now_is(session):
    view = save(session, "Renewals").value
    assert rename_view(session=session, owner_subject=ANN, view_id=view.id, name="   ").field_errors == {
        "name": "Give the view a name."
    }
    renamed = rename_view(session=session, owner_subject=ANN, view_id=view.id, name=" Due   soon ")
    assert (renamed.value.id, renamed.value.name, renamed.value.name_key) == (view.id, "Due soon", "due soon")
    removed = remove_view(session=session, owner_subject=ANN, view_id=view.id)
    assert (removed.value.id, removed.value.name) == (view.id, "Due soon")
    session.commit()
    assert stored(session) == []


def test_a_view_with_a_high_id_is_renamed_like_any_other(session):
    session.add(
        SavedView(
            id=2**31 - 1,
            owner_subject=ANN,
            page="/licenses",
            name="High",
            name_key="high",
            query="",
            created_at=NOW,
        )
    )
    session.commit()
    assert rename_view(session=session, owner_subject=ANN, view_id=2**31 - 1, name="Higher").ok


@pytest.mark.parametrize("view_id", [0, 2**31, 2**32, 3**31])
def test_ids_beyond_32_bits_are_not_found_even_where_sqlite_could_store_them(session, view_id):
    # SQLite stores any 64-bit id; PostgreSQL's ids stop below 2**31, and it would refuse the query.
    # Both answer the same.
    on_sqlite = session.get_bind().dialect.name == "sqlite"
    if on_sqlite:
        session.add(
            SavedView(
                id=view_id,
                owner_subject=ANN,
                page="/licenses",
                name="Far",
                name_key="far",
                query="",
                created_at=NOW,
            )
        )
        session.commit()
    assert (
        rename_view(session=session, owner_subject=ANN, view_id=view_id, name="x").message
        == saved_views.NOT_FOUND
    )
    assert remove_view(session=session, owner_subject=ANN, view_id=view_id).message == saved_views.NOT_FOUND
    session.commit()
    assert [v[2] for v in stored(session)] == (["Far"] if on_sqlite else [])
