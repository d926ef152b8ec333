"""The app's lifespan task that ends the open tabs of sessions as they lapse (idle or absolute timeout),
as sign-out and revocation end them at once (auth.tabs)."""

import asyncio
import functools
import logging
from datetime import UTC, datetime

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.identity import session_policy
from admin_app.auth.tabs import end_tabs, use_app
from admin_app.db.session import in_session
from admin_app.db.staff.sessions import SessionPolicy, lapsed_between
from admin_app.settings import get_settings

logger = logging.getLogger(__name__)

# How often each worker looks for sessions that lapsed; a lapsed tab waits at most this long.
LAPSE_CHECK_SECONDS = 15


def _lapsed(session: Session, since: datetime, until: datetime, policy: SessionPolicy) -> list[str]:
    return lapsed_between(session=session, since=since, until=until, policy=policy)


async def follow_session_ends(app: rx.App) -> None:
    """Keep the app for ending tabs; every LAPSE_CHECK_SECONDS end the tabs of the sessions that lapsed
    meanwhile (every worker runs this task; a tab is ended once, by whichever worker comes first)."""
    use_app(app)
    since = datetime.now(UTC)
    while True:
        await asyncio.sleep(LAPSE_CHECK_SECONDS)
        until, policy = datetime.now(UTC), session_policy(get_settings())
        try:
            lapsed = await in_session(functools.partial(_lapsed, since=since, until=until, policy=policy))
            await end_tabs(lapsed)
        except SQLAlchemyError:
            logger.warning("the tabs of lapsed sessions could not be looked up this round; trying again")
            continue
        since = until
