"""A Redis server of one's own on a free port, which a test or a fault drill can restart.

It keeps nothing on disk (as the machine's Redis here), so a restart loses every key: what a
production Redis without persistence does to Reflex's state.
"""

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis


class RedisProcess:
    """`redis-server` on 127.0.0.1:`port`, started, stopped and restarted on demand."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self._process: subprocess.Popen | None = None

    def start(self, timeout_s: float = 10) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server is not installed")
        self._process = subprocess.Popen(
            [executable, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"redis-server did not answer on port {self.port} within {timeout_s:.0f}s")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def restart(self) -> None:
        """Stop and start again on the same port: every key is gone."""
        self.stop()
        self.start()


@contextmanager
def redis_server(port: int) -> Iterator[RedisProcess]:
    server = RedisProcess(port)
    server.start()
    try:
        yield server
    finally:
        server.stop()
