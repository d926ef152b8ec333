"""A bare Socket.IO client that speaks Reflex's event protocol, to send events with no UI in the way."""

import json
import time
import uuid
from dataclasses import dataclass, field

import simple_websocket


@dataclass
class ReflexSocket:
    """One connection to the app's event websocket, with the cookies a browser would send."""

    base_url: str
    cookie: str
    token: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        url = (
            self.base_url.replace("http", "ws", 1) + f"/_event/?EIO=4&transport=websocket&token={self.token}"
        )
        self.ws = simple_websocket.Client.connect(
            url, headers={"Origin": self.base_url, "Cookie": self.cookie}
        )
        assert self.ws.receive(timeout=10).startswith("0"), "engine.io open"
        self.ws.send("40/_event,")
        while not (self.ws.receive(timeout=10) or "").startswith("40/_event"):
            pass

    def send_event(self, name: str, payload: dict, path: str = "/licenses/") -> list[dict]:
        """Send one event and collect what the server answers within a moment."""
        event = {"name": name, "payload": payload, "router_data": {"pathname": path, "asPath": path}}
        self.ws.send("42/_event," + json.dumps(["event", event]))
        answers, deadline = [], time.monotonic() + 3
        while time.monotonic() < deadline:
            message = self.ws.receive(timeout=0.5)
            if message == "2":
                self.ws.send("3")
            elif message and message.startswith("42/_event,"):
                answers.append(json.loads(message[len("42/_event,") :])[1])
        return answers

    def close(self) -> None:
        self.ws.close()
