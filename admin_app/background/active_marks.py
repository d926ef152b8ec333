"""The app's lifespan task that keeps the active-license marks current (licenses.mark_active_licenses)."""

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError

from admin_app.db.licenses.search import renew_active_marks
from admin_app.db.session import get_engine

logger = logging.getLogger(__name__)

# Until the marks are renewed after midnight UTC, or after a license was written, searches work the
# rule out row by row: correct, only slower.
POLL_SECONDS = 60


def renew_marks() -> int:
    """Renew the marks if the day turned or a license changed; the number of marks changed."""
    return renew_active_marks(get_engine())


async def keep_active_license_marks() -> None:
    """Renew the marks now and then every POLL_SECONDS until the app stops."""
    while True:
        try:
            changed = await asyncio.to_thread(renew_marks)
            if changed:
                logger.info("active-license marks renewed: %d changed", changed)
        except SQLAlchemyError:
            logger.exception("the active-license marks could not be renewed this round")
        await asyncio.sleep(POLL_SECONDS)
