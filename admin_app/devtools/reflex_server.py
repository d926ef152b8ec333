"""Serve the real app with `reflex run --env prod` on a port and database of one's choosing."""

import fcntl
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

from admin_app.settings import PROJECT_ROOT

BUN = PROJECT_ROOT / ".tools" / "node_modules" / "bun" / "bin" / "bun.exe"
# Reflex copies its lockfiles between the project's reflex.lock/ and a server's web folder as the server
# starts: two servers starting at once from one project (test processes side by side) can read each
# other's half-written copy and refuse to build. A start waits for the one before it to be serving.
STARTING = PROJECT_ROOT / ".states" / "reflex-starting.lock"


class ServerFailed(RuntimeError):
    """The app exited or did not answer in time; the message ends with its log."""


# Below the range the kernel hands out to outgoing connections and to port-0 binds (Linux's default
# starts at 32768), so the many connections a test run opens never land on a port chosen for a server.
LOWEST_PORT = 20_000
_choices = random.SystemRandom()


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def free_port() -> int:
    """A TCP port nothing listens on right now, for a server that must bind it itself (`reflex run`,
    `redis-server`), chosen at random below the ephemeral range: between choosing and binding, only
    another server started on purpose could take it, and the servers here refuse a port in use."""
    candidates = range(LOWEST_PORT, max(LOWEST_PORT + 1000, _ephemeral_start()))
    for port in _choices.sample(candidates, 100):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {candidates.start} and {candidates.stop}")


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _wait_until_serving(process: subprocess.Popen, base_url: str, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"reflex run exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            ping = httpx2.get(f"{base_url}/ping", timeout=2)
            page = httpx2.get(f"{base_url}/no-access", timeout=5, follow_redirects=True)
            if ping.status_code == page.status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(1)
    raise ServerFailed(f"the app did not answer within {timeout_s:.0f}s:\n{log.read_text()[-4000:]}")


@contextmanager
def reflex_server(
    database_url: str,
    port: int,
    log: Path,
    timeout_s: float = 600,
    extra_env: dict[str, str] | None = None,
    app_url: str | None = None,
) -> Iterator[str]:
    """The app's base URL while `reflex run --env prod` serves it; stopped on exit.

    `app_url` is where browsers reach it (a load balancer's address); by default, the port itself.
    A port something else already answers on is refused: the checks would talk to that.
    """
    if _port_in_use(port):
        raise ServerFailed(f"port {port} is already in use; stop what runs there or choose another port")
    base_url = f"http://localhost:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "APP_URL": app_url or base_url,
        # Its own: Reflex empties the states folder as it starts, and two servers starting at once
        # in one folder fail on the files the other removed.
        "REFLEX_STATES_WORKDIR": str(log.with_suffix(".states")),
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "REFLEX_TELEMETRY_ENABLED": "false",
        **(extra_env or {}),
    }
    if BUN.exists():
        env.setdefault("REFLEX_BUN_PATH", str(BUN))
    reflex = shutil.which("reflex", path=str(Path(sys.executable).parent)) or "reflex"
    STARTING.parent.mkdir(exist_ok=True)
    with STARTING.open("w") as starting:
        fcntl.flock(starting, fcntl.LOCK_EX)
        with log.open("w") as output:
            process = subprocess.Popen(
                [reflex, "run", "--env", "prod", "--frontend-port", str(port)],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_serving(process, base_url, log, timeout_s)
        except BaseException:
            _stop(process)
            raise
    try:
        yield base_url
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Stop the server's whole process group (its workers too); one that already exited is stopped."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_executable() -> str | None:
    """The system Chromium when there is one; otherwise None (Playwright's own browser)."""
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None
