"""What every support write from a page needs: who is acting, and a plain answer when the database is away."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypedDict, TypeVar

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.client_address import of_state
from admin_app.auth.identity import identity_for_cookie_header
from admin_app.db.history.audit import NO_ACTOR_MESSAGE, Actor, NoActor
from admin_app.db.outcomes import Outcome, refused
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session


async def acting_staff(state: rx.State) -> Actor:
    """Who is acting, for the history: email, subject, session and address, with a new request id for
    this action. The gate has already checked the session; without one the email is empty and the
    data layer refuses to record (NoActor)."""
    identity = await identity_for_cookie_header(state.router.headers.cookie)
    if identity is None:
        return Actor(email="")
    return Actor(
        email=identity.email,
        subject=identity.subject,
        session_id=identity.session_id,
        client_address=of_state(state),
    )


T = TypeVar("T")


async def attempt(work: Callable[[Session], Outcome[T]]) -> Outcome[T]:
    """The outcome of `work` in one transaction; an unreachable database is a refusal like any other
    (nothing was written), so each page shows it where it shows its own messages."""
    try:
        return await in_session(work)
    except SQLAlchemyError:
        return refused(DATABASE_UNAVAILABLE)
    except NoActor:
        return refused(NO_ACTOR_MESSAGE)


def form_text(form: object, name: str) -> str:
    """A submitted form's field as text: "" when the form or the field is not what a browser sends."""
    value = form.get(name) if isinstance(form, dict) else None
    return value if isinstance(value, str) else ""


class Audited(TypedDict):
    """Who makes a change, why and when: what every audited write of the data layer takes."""

    actor: Actor
    reason: str
    now: datetime


def audited(actor: Actor, form: object) -> Audited:
    """The change's actor, the form's reason, and now."""
    return {"actor": actor, "reason": form_text(form, "reason"), "now": datetime.now(UTC)}
