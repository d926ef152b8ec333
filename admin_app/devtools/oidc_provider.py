"""The local OpenID provider for development and tests (oidc-provider-mock) with the demo staff users.

`python -m admin_app.devtools.oidc_provider [--port 9400]` serves it in the foreground. Tests start it
on a socket they have bound themselves (`oidc_provider()` without a port): the port is theirs from the
start, so nothing can take it between choosing it and the provider listening.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

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


def _child_on_socket(listener: socket.socket, users: list[dict]) -> list[str]:
    users_json = json.dumps(users)
    return [
        sys.executable,
        "-m",
        "admin_app.devtools.oidc_provider",
        "--fd",
        str(listener.fileno()),
        "--users",
        users_json,
    ]


@contextmanager
def oidc_provider(
    port: int | None = None, timeout_s: float = 30, users: list[dict] | None = None
) -> Iterator[str]:
    """The issuer URL while a provider process serves `users` (the demo staff by default): on `port`, or
    without one on a listening socket bound here and handed to the process."""
    listener = None
    if port is None:
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        command = _child_on_socket(listener, users or DEMO_USERS)
    else:
        command = provider_command(port, users)
    issuer = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        pass_fds=(listener.fileno(),) if listener else (),
    )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if httpx2.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx2.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the OpenID provider did not start on port {port}")
            time.sleep(0.2)
        yield issuer
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        if listener:
            listener.close()


def serve_on_socket(fd: int, users: list[dict]) -> None:
    """The provider (as oidc-provider-mock's own command builds it) on an inherited listening socket."""
    import uvicorn
    from oidc_provider_mock import User, app

    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    claims = [User(sub=user["sub"], claims={k: v for k, v in user.items() if k != "sub"}) for user in users]
    uvicorn.run(app(require_nonce=True, user_claims=claims), interface="wsgi", fd=fd, log_config=None)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the local OpenID provider with the demo staff users.")
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--fd", type=int, help="serve on this inherited listening socket instead of a port")
    parser.add_argument("--users", help="the users as a JSON list (with --fd)")
    args = parser.parse_args()
    if args.fd is not None:
        serve_on_socket(args.fd, json.loads(args.users) if args.users else DEMO_USERS)
        return
    os.execv(provider_command(args.port)[0], provider_command(args.port))


if __name__ == "__main__":
    main()
