"""Saved views: a staff member names the list they are looking at (its search, filters and sort, as
URL parameters) and finds it again under the page in the sidebar. Each person sees only their own.

Not part of the change history: a view is a bookmark of the person who made it, not a change to the
data the history is about.
"""

import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlencode

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from admin_app.db.lists.query_params import record_id
from admin_app.db.models import SavedView
from admin_app.db.outcomes import Outcome, invalid, refused

# The lists a view can be saved from (their URL is the whole of what they show).
PAGES = {
    "/licenses": "Licenses",
    "/subscriptions": "Subscriptions",
    "/reconciliations": "Reconciliations",
    "/customers": "Customers",
    "/billing-accounts": "Billing accounts",
    "/memberships": "Memberships",
    "/login-status": "Login status",
    "/history": "History",
    "/audit": "Sign-in audit",
}
MAX_NAME_LENGTH = 60
MAX_VIEWS_PER_PERSON = 40
MAX_QUERY_LENGTH = 2000
NOT_FOUND = "That saved view no longer exists. Nothing was changed."


def _clean_name(raw: object) -> tuple[str, str]:
    """(the name as shown, a message when it cannot be one)."""
    name = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not name:
        return "", "Give the view a name."
    if len(name) > MAX_NAME_LENGTH:
        return "", f"A name has at most {MAX_NAME_LENGTH} characters (this one has {len(name)})."
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in name):
        return "", "A name cannot hold control characters."
    return name, ""


def _name_key(name: str) -> str:
    return name.casefold()[:MAX_NAME_LENGTH]


def _taken(session: Session, owner_subject: str, page: str, name: str, except_id: int | None = None) -> str:
    clash = select(SavedView.id).where(
        SavedView.owner_subject == owner_subject,
        SavedView.page == page,
        SavedView.name_key == _name_key(name),
    )
    if except_id is not None:
        clash = clash.where(SavedView.id != except_id)
    if session.exec(clash).first() is None:
        return ""
    return f"You already have a view named “{name}” on {PAGES[page]}."


def views_of(*, session: Session, owner_subject: str) -> list[SavedView]:
    """One person's views, page by page in the sidebar's order, then by name."""
    views = session.exec(select(SavedView).where(SavedView.owner_subject == owner_subject)).all()
    order = list(PAGES)
    return sorted(views, key=lambda v: (order.index(v.page) if v.page in order else len(order), v.name_key))


def save_view(
    *,
    session: Session,
    owner_subject: str,
    page: str,
    name: str,
    params: Mapping[str, str],
    now: datetime | None = None,
) -> Outcome[SavedView]:
    """Save `params` (the list's own URL parameters) of `page` as `name` for `owner_subject`."""
    if page not in PAGES:
        return refused("Views can be saved from the lists only.")
    name, problem = _clean_name(name)
    if problem:
        return invalid({"name": problem})
    query = urlencode(sorted((str(k), str(v)) for k, v in params.items()))
    if len(query) > MAX_QUERY_LENGTH:
        return refused("This search is too long to save as a view. Shorten the search text.")
    owned = session.exec(select(func.count()).where(SavedView.owner_subject == owner_subject)).one()
    if owned >= MAX_VIEWS_PER_PERSON:
        return refused(
            f"You have {MAX_VIEWS_PER_PERSON} saved views, the most one person may keep. Remove one first."
        )
    taken = _taken(session, owner_subject, page, name)
    if taken:
        return invalid({"name": taken})
    view = SavedView(
        owner_subject=owner_subject,
        page=page,
        name=name,
        name_key=_name_key(name),
        query=query,
        created_at=now or datetime.now(UTC),
    )
    session.add(view)
    try:
        session.flush()
    except IntegrityError:
        # Saved twice at once from two tabs: the unique key keeps one.
        session.rollback()
        return invalid({"name": f"You already have a view named “{name}” on {PAGES[page]}."})
    return Outcome(value=view)


def _own_view(session: Session, owner_subject: str, view_id: object) -> SavedView | None:
    """The view, when it exists and is this person's: another's view id is as good as a missing one."""
    if record_id(view_id) is None:
        return None
    view = session.get(SavedView, view_id)
    return view if view is not None and view.owner_subject == owner_subject else None


def rename_view(*, session: Session, owner_subject: str, view_id: int, name: str) -> Outcome[SavedView]:
    view = _own_view(session, owner_subject, view_id)
    if view is None:
        return refused(NOT_FOUND)
    name, problem = _clean_name(name)
    if problem:
        return invalid({"name": problem})
    taken = _taken(session, owner_subject, view.page, name, except_id=view.id)
    if taken:
        return invalid({"name": taken})
    view.name, view.name_key = name, _name_key(name)
    session.add(view)
    session.flush()
    return Outcome(value=view)


def remove_view(*, session: Session, owner_subject: str, view_id: int) -> Outcome[SavedView]:
    view = _own_view(session, owner_subject, view_id)
    if view is None:
        return refused(NOT_FOUND)
    session.delete(view)
    session.flush()
    return Outcome(value=view)


def view_href(view: SavedView) -> str:
    """Where the view leads: its list with its parameters."""
    return view.page + (f"?{view.query}" if view.query else "")
