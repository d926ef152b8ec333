"""`make run`, `make run-prod-demo` and `make run-prod`: the app built for production, with the local
OpenID provider in development (unless OIDC_ISSUER points elsewhere), never in production. With
REDIS_URL set, Reflex keeps state in Redis and runs WORKERS processes."""

import os
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlsplit

from admin_app.background.smtp_url import smtp_target
from admin_app.devtools.oidc_provider import oidc_provider
from admin_app.devtools.smtp_server import DEFAULT_BOUNCE, smtp_server
from admin_app.settings import PROJECT_ROOT, Settings, get_settings, without_password

LOCAL_ISSUER_HOSTS = {"127.0.0.1", "localhost"}
DEMO_USERS_NOTE = " (demo users: sales@, support@, manager@, admin@, nobody@example.com)"


def _local_mail(settings):
    """In development with a local SMTP_URL: the local mail server, which delivers, bounces MAIL_BOUNCE
    and reports back to this app; elsewhere, the configured relay."""
    target = smtp_target(settings.SMTP_URL)
    if settings.DEPLOYMENT != "development" or target.host not in LOCAL_ISSUER_HOSTS:
        return nullcontext(settings.SMTP_URL)
    return smtp_server(
        events_url=settings.APP_URL.rstrip("/") + "/api/mail-events",
        secret=settings.MAIL_EVENTS_SECRET,
        maildir=PROJECT_ROOT / "data" / "mail",
        bounce=os.environ.get("MAIL_BOUNCE", DEFAULT_BOUNCE),
        port=target.port,
    )


def main() -> int:
    settings = get_settings()
    issuer = urlsplit(settings.OIDC_ISSUER)
    local = issuer.hostname in LOCAL_ISSUER_HOSTS
    # Settings refuse a local issuer in production, so the development provider never starts there.
    start_provider = local and settings.DEPLOYMENT == "development"
    provider = oidc_provider(issuer.port or 80) if start_provider else nullcontext(settings.OIDC_ISSUER)
    reflex = Path(sys.executable).parent / "reflex"
    env = dict(os.environ)
    if settings.WORKERS:
        env["GRANIAN_WORKERS"] = str(settings.WORKERS)
    with provider as url, _local_mail(settings) as mail:
        for line in startup_summary(settings, url, mail, demo_users=start_provider):
            print(line)
        return subprocess.call([str(reflex), "run", "--env", "prod"], cwd=PROJECT_ROOT, env=env)


def startup_summary(settings: Settings, provider_url: str, mail_url: str, *, demo_users: bool) -> list[str]:
    """What `make run` prints before serving: where each service is, never a password."""
    state = without_password(settings.REDIS_URL) if settings.REDIS_URL else "this process (no Redis)"
    return [
        f"OpenID provider: {without_password(provider_url)}{DEMO_USERS_NOTE if demo_users else ''}",
        f"Mail: {without_password(mail_url)}",
        f"Database: {without_password(settings.DATABASE_URL)}; state: {state}",
    ]


if __name__ == "__main__":
    sys.exit(main())
