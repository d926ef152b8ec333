"""State of the saved views in the sidebar: the signed-in person's own, and the dialogs that save,
rename and remove one. A view saves what the list's state on the server holds, never a URL the
browser sends."""

from dataclasses import dataclass
from typing import TypeVar

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from admin_app.auth.gate import SIGNED_IN, app_states, requires
from admin_app.auth.identity import identity_for_cookie_header
from admin_app.auth.permissions import is_allowed
from admin_app.db.lists.listing import ListQuery
from admin_app.db.models import SavedView
from admin_app.db.outcomes import Outcome, refused
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.db.staff import saved_views as db
from admin_app.state.app_state import AppState
from admin_app.state.events import Payload, Reply
from admin_app.state.list_page import ListPageState
from admin_app.state.writes import attempt, form_text

NOT_SIGNED_IN = "Your session has ended. Sign in again."
T = TypeVar("T")


@dataclass
class SavedViewItem:
    id: int = 0
    name: str = ""
    page: str = ""
    href: str = ""


def _item(view: SavedView) -> SavedViewItem:
    return SavedViewItem(view.id or 0, view.name, view.page, db.view_href(view))


def _list_state(path: str) -> type[ListPageState[ListQuery, object]] | None:
    """The state of the list page at `path` (each declares its `_path`)."""
    found = [
        cls
        for cls in app_states()
        if issubclass(cls, ListPageState) and getattr(cls, "_path", None) == path.rstrip("/")
    ]
    return found[0] if found else None


class SavedViewsState(AppState):
    """The person's views and the one dialog open about them ("save", "rename", "remove" or "")."""

    views: list[SavedViewItem] = []
    dialog: str = ""
    target: SavedViewItem = SavedViewItem()
    name_error: str = ""
    message: str = ""
    _loaded: bool = False

    async def _subject(self) -> str:
        identity = await identity_for_cookie_header(self.router.headers.cookie)
        return identity.subject if identity else ""

    async def _refresh(self, subject: str) -> None:
        try:
            self.views = await in_session(
                lambda s: [_item(view) for view in db.views_of(session=s, owner_subject=subject)]
            )
        except SQLAlchemyError:
            self.message = DATABASE_UNAVAILABLE
            return
        self._loaded = True

    async def _load_once(self, subject: str) -> None:
        """The sidebar's views, once per tab and person (the gate empties them when the person changes);
        UserState.load calls it on every page, so it costs no event of its own."""
        if not self._loaded:
            await self._refresh(subject)

    def _open(self, dialog: str, view_id: object) -> None:
        found = [view for view in self.views if view.id == view_id]
        self.dialog, self.name_error, self.message = dialog, "", ""
        self.target = found[0] if found else SavedViewItem()

    @rx.event
    @requires(SIGNED_IN)
    def open_save(self) -> None:
        self._open("save", None)

    @rx.event
    @requires(SIGNED_IN)
    def open_rename(self, view_id: int) -> None:
        self._open("rename", view_id)

    @rx.event
    @requires(SIGNED_IN)
    def open_remove(self, view_id: int) -> None:
        self._open("remove", view_id)

    @rx.event
    @requires(SIGNED_IN)
    def close(self, open_: bool = False) -> None:
        if not open_:
            self.dialog = ""

    def _answer(self, outcome: Outcome[T], done: str) -> Reply:
        self.name_error = outcome.field_errors.get("name", "")
        self.message = outcome.message
        if not outcome.ok:
            return None
        self.dialog = ""
        return rx.toast.success(done)

    @rx.event
    @requires(SIGNED_IN)
    async def save(self, form: Payload) -> Reply:
        """Save the list this tab shows, as its state on the server holds it, under the typed name.
        The person must be allowed to read that list."""
        identity = await identity_for_cookie_header(self.router.headers.cookie)
        path = self.router.url.path
        list_cls = _list_state(path)
        if identity is None:
            outcome = refused(NOT_SIGNED_IN)
        elif list_cls is None or not is_allowed(identity.roles, list_cls._read_permission):
            outcome = refused("Views can be saved from the lists your role may read.")
        else:
            listed = await self.get_state(list_cls)
            params = listed._to_params(listed._query())
            name = form_text(form, "name")
            outcome = await attempt(
                lambda s: db.save_view(
                    session=s, owner_subject=identity.subject, page=list_cls._path, name=name, params=params
                )
            )
        page = db.PAGES.get(path.rstrip("/"), "its list")
        answer = self._answer(outcome, f"View saved. It is in the sidebar under {page}.")
        if outcome.ok and identity is not None:
            await self._refresh(identity.subject)
        return answer

    @rx.event
    @requires(SIGNED_IN)
    async def rename(self, form: Payload) -> Reply:
        subject, view_id = await self._subject(), self.target.id
        name = form_text(form, "name")
        outcome = await attempt(
            lambda s: db.rename_view(session=s, owner_subject=subject, view_id=view_id, name=name)
        )
        answer = self._answer(outcome, "View renamed.")
        if outcome.ok:
            await self._refresh(subject)
        return answer

    @rx.event
    @requires(SIGNED_IN)
    async def remove(self) -> Reply:
        subject, view_id = await self._subject(), self.target.id
        outcome = await attempt(lambda s: db.remove_view(session=s, owner_subject=subject, view_id=view_id))
        answer = self._answer(outcome, f"View “{self.target.name}” removed.")
        if outcome.ok or outcome.message == db.NOT_FOUND:
            await self._refresh(subject)
        return answer
