"""`make migrate` / `make run-prod`: create the database if needed and apply the migrations, once, as a
step of its own (workers never migrate at start)."""

import sys

from admin_app.db.migrate import create_database_if_missing, upgrade_to_head
from admin_app.settings import get_settings


def main() -> int:
    url = get_settings().DATABASE_URL
    create_database_if_missing(url)
    upgrade_to_head(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
