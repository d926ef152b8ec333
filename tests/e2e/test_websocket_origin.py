"""The event websocket accepts the app's own origin and refuses any other (CORS is the app's origin only)."""

import base64
import os
import socket
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.both_shapes]


def upgrade_status(base_url: str, origin: str) -> int:
    """Status of a websocket upgrade to the event endpoint with the given Origin header."""
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(request.encode())
        status_line = connection.recv(1024).split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1])


def test_a_websocket_from_the_apps_own_origin_is_accepted(app_server):
    assert upgrade_status(app_server, app_server) == 101


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost:1", "null"])
def test_a_websocket_from_a_foreign_origin_is_refused(app_server, origin):
    assert upgrade_status(app_server, origin) != 101
