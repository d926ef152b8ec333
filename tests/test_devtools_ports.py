"""Ports for the servers the tests start: chosen where no outgoing connection can land on them."""

import socket

import httpx2

from admin_app.devtools.oidc_provider import oidc_provider
from admin_app.devtools.reflex_server import LOWEST_PORT, _ephemeral_start, free_port


def test_a_chosen_port_is_free_and_below_the_range_outgoing_connections_use():
    ports = {free_port() for _ in range(20)}
    assert all(LOWEST_PORT <= port < _ephemeral_start() for port in ports)
    assert len(ports) > 1
    for port in ports:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", port))


def test_the_provider_process_serves_on_the_socket_bound_before_it_started():
    with oidc_provider() as issuer:
        discovery = httpx2.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
    assert discovery["issuer"] == issuer
    assert discovery["token_endpoint"].startswith(issuer + "/")
    # Stopped: the socket is closed with it, and the port can be bound again.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", int(issuer.rsplit(":", 1)[1])))
