"""What every support write from a page needs: who is acting, and a plain answer when the database is away."""

from collections.abc import Callable

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.identity import identity_for_cookie_header
from admin_app.db.audit import NO_ACTOR_MESSAGE, NoActor
from admin_app.db.outcomes import Outcome, refused
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session


async def acting_staff(state: rx.State) -> str:
    """The signed-in staff member's email, for the history (the gate has already checked the session)."""
    identity = await identity_for_cookie_header(state.router.headers.cookie)
    return identity.email if identity else ""


async def attempt(work: Callable[[Session], Outcome]) -> Outcome:
    """The outcome of `work` in one transaction; an unreachable database is a refusal like any other
    (nothing was written), so each page shows it where it shows its own messages."""
    try:
        return await in_session(work)
    except SQLAlchemyError:
        return refused(DATABASE_UNAVAILABLE)
    except NoActor:
        return refused(NO_ACTOR_MESSAGE)
