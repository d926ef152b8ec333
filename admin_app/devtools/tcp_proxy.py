"""A TCP proxy whose link can be cut and restored: a real network fault for tests and fault drills.

The app talks to PostgreSQL (or Redis) through it; `cut()` drops every open connection and refuses
new ones, as a restarting server does, and `restore()` lets connections through again. In front of
two app instances it is a load balancer: `switch_to()` moves the traffic from one to the other.
"""

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress

BUFFER = 65536


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `upstream` (host, port) until cut."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._cut = False
        # Connections made per upstream: which instance a load balancer sent the browser to.
        self.connections: Counter[tuple[str, int]] = Counter()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._cut:
                client.close()
                continue
            upstream = self.upstream
            try:
                server = socket.create_connection(upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open.update((client, server))
                self.connections[upstream] += 1
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(BUFFER):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                self._close(end)

    def _close(self, end: socket.socket) -> None:
        with self._lock:
            self._open.discard(end)
        with suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()

    def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        self._cut = True
        self._drop_open()

    def switch_to(self, upstream: tuple[str, int]) -> None:
        """Send new connections to `upstream` and drop the open ones, as a load balancer does when the
        instance behind them leaves the pool."""
        self.upstream = upstream
        self._drop_open()

    def send_new_to(self, upstream: tuple[str, int]) -> None:
        """Send new connections to `upstream` and keep the open ones where they are, as a balancer
        spreading browsers over instances does."""
        self.upstream = upstream

    def _drop_open(self) -> None:
        with self._lock:
            ends = list(self._open)
        for end in ends:
            self._close(end)

    def restore(self) -> None:
        self._cut = False

    def close(self) -> None:
        self.cut()
        self._listener.close()


@contextmanager
def tcp_proxy(host: str, port: int) -> Iterator[TcpProxy]:
    proxy = TcpProxy((host, port))
    try:
        yield proxy
    finally:
        proxy.close()
