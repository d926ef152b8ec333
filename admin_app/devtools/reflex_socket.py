"""A bare Socket.IO client that speaks Reflex's event protocol: events with no UI in the way (tests, load).

Built on wsproto over a plain socket, so bytes that arrive together with the handshake
response (the Engine.IO open packet often does) are never lost.
"""

import json
import socket
import time
import uuid
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from wsproto import ConnectionType, WSConnection
from wsproto.events import CloseConnection, Ping, Request, TextMessage


class ReflexSocket:
    """One connection to the app's event websocket, with the cookies a browser would send."""

    def __init__(self, base_url: str, cookie: str) -> None:
        parts = urlsplit(base_url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=1)
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.messages: list[str] = []
        self.partial = ""
        self.token = str(uuid.uuid4())
        target = f"/_event/?EIO=4&transport=websocket&token={self.token}"
        headers = [(b"Origin", base_url.encode()), (b"Cookie", cookie.encode())]
        self.sock.sendall(self.ws.send(Request(host=parts.netloc, target=target, extra_headers=headers)))
        assert self._next_message(timeout=15).startswith("0"), "Engine.IO open packet"
        self._send_text("40/_event,")
        deadline = time.monotonic() + 15
        while not self._next_message(timeout=deadline - time.monotonic()).startswith("40/_event"):
            pass

    def _send_text(self, text: str) -> None:
        self.sock.sendall(self.ws.send(TextMessage(data=text)))

    def _pump(self, wait: float = 1.0) -> None:
        self.sock.settimeout(wait)
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return
        if not data:
            raise ConnectionError("the server closed the websocket")
        self.ws.receive_data(data)
        for event in self.ws.events():
            if isinstance(event, TextMessage):
                self.partial += event.data
                if event.message_finished:
                    self.messages.append(self.partial)
                    self.partial = ""
            elif isinstance(event, Ping):
                self.sock.sendall(self.ws.send(event.response()))
            elif isinstance(event, CloseConnection):
                raise ConnectionError("the server closed the websocket")

    def _next_message(self, timeout: float) -> str:
        deadline = time.monotonic() + max(timeout, 0)
        while not self.messages:
            if time.monotonic() > deadline:
                raise AssertionError("no message from the server in time")
            self._pump()
        return self.messages.pop(0)

    def send_event(
        self,
        name: str,
        payload: dict,
        path: str = "/licenses/",
        until: Callable[[dict], bool] | None = None,
        timeout: float = 30,
    ) -> list[dict]:
        """Send one event and collect what the server answers: until an answer `until` accepts (an
        AssertionError if none comes within `timeout`), or without `until`, for a few seconds."""
        event = {"name": name, "payload": payload, "router_data": {"pathname": path, "asPath": path}}
        self._send_text("42/_event," + json.dumps(["event", event]))
        answers, deadline = [], time.monotonic() + (timeout if until else 3)
        while time.monotonic() < deadline:
            self._pump()
            while self.messages:
                message = self.messages.pop(0)
                if message == "2":
                    self._send_text("3")
                elif message.startswith("42/_event,"):
                    answers.append(json.loads(message[len("42/_event,") :])[1])
                    if until is not None and until(answers[-1]):
                        return answers
        if until is not None:
            raise AssertionError(f"{name}: the awaited answer did not come in {timeout:.0f} s: {answers}")
        return answers

    def round_trip(
        self,
        name: str,
        payload: dict,
        as_path: str,
        pathname: str,
        timeout: float = 30,
        quiet: float = 0.25,
        done: Callable[[dict], bool] | None = None,
    ) -> tuple[float, list[dict]]:
        """Send one event; return the seconds until its last update arrived, and the updates.

        Reflex sends no "done" message: the last update is the one `done` accepts, or without
        `done`, the one followed by `quiet` seconds of silence (the silence itself is not counted).
        A quiet gap misjudges a busy server, whose updates can be further apart than that.
        """
        query = dict(parse_qsl(urlsplit(as_path).query))
        router = {"pathname": pathname, "asPath": as_path, "query": query}
        started = time.monotonic()
        self._send_text(
            "42/_event," + json.dumps(["event", {"name": name, "payload": payload, "router_data": router}])
        )
        answers: list[dict] = []
        last = None
        while time.monotonic() - started < timeout:
            if done is None and last is not None and time.monotonic() - last > quiet:
                return last - started, answers
            self._pump(wait=0.05)
            while self.messages:
                message = self.messages.pop(0)
                if message == "2":
                    self._send_text("3")
                elif message.startswith("42/_event,"):
                    answers.append(json.loads(message[len("42/_event,") :])[1])
                    last = time.monotonic()
                    if done is not None and done(answers[-1]):
                        return last - started, answers
        raise TimeoutError(f"{name}: no answer in {timeout:.0f} s")

    def close(self) -> None:
        self.sock.close()


def carries_an_event(frame: str) -> bool:
    """Whether a Socket.IO frame a browser sent holds a Reflex event: an event packet ("42"), or the
    connect packet ("40") in which the browser sends a tab's first event (its hydrate) as it connects."""
    return frame.startswith("42") or (frame.startswith("40") and '"event"' in frame)


def sets(var: str, accept: Callable[[object], bool]) -> Callable[[dict], bool]:
    """A `done` test: the update sets the state var `var` to a value `accept` takes."""

    def found(node: object) -> bool:
        if not isinstance(node, dict):
            return False
        for key, value in node.items():
            if key.removesuffix("_rx_state_") == var and accept(value):
                return True
            if isinstance(value, dict) and found(value):
                return True
        return False

    return lambda update: found(update.get("delta", update))
