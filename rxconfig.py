"""Reflex configuration, from the same settings object as the rest of the app."""

import os
from urllib.parse import urlsplit

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from admin_app.settings import get_settings

settings = get_settings()
# With Redis, a worker keeps a tab's state in memory while it holds the tab's lock, and writes it back
# when another worker asks for it or the lease ends: most events then skip reading, unpickling,
# pickling and writing the page's states (about 3 ms of CPU per event; `make load` in the README).
# The lease ends after 3 s and the lock expires after 20 s: an overloaded worker that writes the
# state back late still holds the lock (with Reflex's 5 s of 10 s, `make load` at 200 sessions lost
# page state that way); a worker that dies leaves its tabs waiting at most those 20 s.
os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")
os.environ.setdefault("REFLEX_OPLOCK_HOLD_TIME", "3s")
LOCK_EXPIRATION_MS = 20_000
app_origin = "{0.scheme}://{0.netloc}".format(urlsplit(settings.APP_URL))

config = rx.Config(
    app_name="admin_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    disable_plugins=[SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="inherit", accent_color="indigo", radius="medium"),
        ),
    ],
    # Behind a load balancer APP_URL is the balancer's address: the browser's websocket goes there too,
    # not to the port one instance happens to listen on.
    api_url=app_origin,
    deploy_url=app_origin,
    cors_allowed_origins=[app_origin],
    redis_url=settings.REDIS_URL,
    redis_lock_expiration=LOCK_EXPIRATION_MS,
)
