"""The local OpenID provider for development and tests (oidc-provider-mock) with the demo staff users.

`python -m admin_app.devtools.oidc_provider [--port 9400]` serves it in the foreground.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

DEMO_USERS = [
    {
        "sub": "sales@example.com",
        "email": "sales@example.com",
        "name": "Sam Sales",
        "groups": ["customer-admin-sales"],
    },
    {
        "sub": "support@example.com",
        "email": "support@example.com",
        "name": "Sasha Support",
        "groups": ["customer-admin-support"],
    },
    {
        "sub": "manager@example.com",
        "email": "manager@example.com",
        "name": "Morgan Manager",
        "groups": ["customer-admin-managers"],
    },
    {
        "sub": "admin@example.com",
        "email": "admin@example.com",
        "name": "Alex Admin",
        "groups": ["customer-admin-admins"],
    },
    {"sub": "nobody@example.com", "email": "nobody@example.com", "name": "Noa Nobody", "groups": []},
]


def provider_command(port: int, users: list[dict] | None = None) -> list[str]:
    executable = Path(sys.executable).parent / "oidc-provider-mock"
    command = [str(executable), "--port", str(port), "--require-nonce", "true"]
    for user in users or DEMO_USERS:
        command += ["--user-claims", json.dumps(user)]
    return command


@contextmanager
def oidc_provider(port: int, timeout_s: float = 30, users: list[dict] | None = None) -> Iterator[str]:
    """The issuer URL while a provider process serves `users` (the demo staff by default) on `port`."""
    issuer = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(
        provider_command(port, users),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the OpenID provider did not start on port {port}")
            time.sleep(0.2)
        yield issuer
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the local OpenID provider with the demo staff users.")
    parser.add_argument("--port", type=int, default=9400)
    args = parser.parse_args()
    os.execv(provider_command(args.port)[0], provider_command(args.port))


if __name__ == "__main__":
    main()
