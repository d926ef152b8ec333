"""`make run`: the local OpenID provider (unless OIDC_ISSUER points elsewhere) and the app, prod mode."""

import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlsplit

from admin_app.devtools.oidc_provider import oidc_provider
from admin_app.settings import PROJECT_ROOT, get_settings

LOCAL_ISSUER_HOSTS = {"127.0.0.1", "localhost"}


def main() -> int:
    issuer = urlsplit(get_settings().OIDC_ISSUER)
    local = issuer.hostname in LOCAL_ISSUER_HOSTS
    provider = oidc_provider(issuer.port or 80) if local else nullcontext(get_settings().OIDC_ISSUER)
    reflex = Path(sys.executable).parent / "reflex"
    with provider as url:
        print(f"OpenID provider: {url} (demo users: sales@, support@, manager@, admin@, nobody@example.com)")
        return subprocess.call([str(reflex), "run", "--env", "prod"], cwd=PROJECT_ROOT)


if __name__ == "__main__":
    sys.exit(main())
