"""A bare Socket.IO client that speaks Reflex's event protocol, to send events with no UI in the way.

Built on wsproto over a plain socket, so bytes that arrive together with the handshake
response (the Engine.IO open packet often does) are never lost.
"""

import json
import socket
import time
import uuid
from urllib.parse import urlsplit

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
        target = f"/_event/?EIO=4&transport=websocket&token={uuid.uuid4()}"
        headers = [(b"Origin", base_url.encode()), (b"Cookie", cookie.encode())]
        self.sock.sendall(self.ws.send(Request(host=parts.netloc, target=target, extra_headers=headers)))
        assert self._next_message(timeout=15).startswith("0"), "Engine.IO open packet"
        self._send_text("40/_event,")
        deadline = time.monotonic() + 15
        while not self._next_message(timeout=deadline - time.monotonic()).startswith("40/_event"):
            pass

    def _send_text(self, text: str) -> None:
        self.sock.sendall(self.ws.send(TextMessage(data=text)))

    def _pump(self) -> None:
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

    def send_event(self, name: str, payload: dict, path: str = "/licenses/") -> list[dict]:
        """Send one event and collect what the server answers within a few seconds."""
        event = {"name": name, "payload": payload, "router_data": {"pathname": path, "asPath": path}}
        self._send_text("42/_event," + json.dumps(["event", event]))
        answers, deadline = [], time.monotonic() + 3
        while time.monotonic() < deadline:
            self._pump()
            while self.messages:
                message = self.messages.pop(0)
                if message == "2":
                    self._send_text("3")
                elif message.startswith("42/_event,"):
                    answers.append(json.loads(message[len("42/_event,") :])[1])
        return answers

    def close(self) -> None:
        self.sock.close()
