"""Apply Alembic migrations from Python (make targets, tests, bench)."""

from alembic.config import Config

from admin_app.settings import PROJECT_ROOT
from alembic import command


def upgrade_to_head(url: str) -> None:
    """Upgrade the database at `url` to the newest schema."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")
