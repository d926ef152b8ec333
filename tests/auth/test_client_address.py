"""X-Forwarded-For is believed only from configured proxies, hop by hop from the right."""

import pytest
import reflex as rx
from pydantic import ValidationError

from admin_app.auth.client_address import client_address, of_state, trusted_proxies
from admin_app.settings import Settings, get_settings

BALANCER = trusted_proxies(Settings(TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.7"))


def test_without_trusted_proxies_the_peer_is_the_client_whatever_it_forwards():
    assert client_address("198.51.100.4", "203.0.113.9", ()) == "198.51.100.4"


def test_a_trusted_balancer_passes_on_the_address_it_saw():
    assert client_address("10.1.2.3", "203.0.113.9", BALANCER) == "203.0.113.9"


def test_an_untrusted_peer_cannot_claim_an_address():
    assert client_address("198.51.100.4", "203.0.113.9", BALANCER) == "198.51.100.4"


def test_entries_the_client_wrote_before_the_balancer_are_not_believed():
    # The client sent "X-Forwarded-For: 1.2.3.4"; the balancer appended the address it saw.
    assert client_address("10.1.2.3", "1.2.3.4, 203.0.113.9", BALANCER) == "203.0.113.9"


def test_a_chain_of_trusted_proxies_is_followed_to_the_first_untrusted_hop():
    assert client_address("10.1.2.3", "203.0.113.9, 192.0.2.7", BALANCER) == "203.0.113.9"


def test_garbage_in_the_header_is_kept_short_and_stops_the_walk():
    assert client_address("10.1.2.3", "x" * 500, BALANCER) == "x" * 64
    assert client_address("10.1.2.3", "", BALANCER) == "10.1.2.3"


def test_a_misconfigured_proxy_list_is_refused_at_start():
    with pytest.raises(ValidationError, match="TRUSTED_PROXIES"):
        Settings(TRUSTED_PROXIES="10.0.0.0/8, balancer.internal")


@pytest.mark.parametrize(("trusted", "recorded"), [("", "198.51.100.4"), ("198.51.100.0/24", "203.0.113.9")])
def test_a_websocket_event_believes_x_forwarded_for_only_from_a_trusted_proxy(monkeypatch, trusted, recorded):
    monkeypatch.setenv("TRUSTED_PROXIES", trusted)
    get_settings.cache_clear()
    # What Reflex hands the backend for a websocket: the upgrade request's headers and the peer.
    headers = {"asgi-scope-client": "198.51.100.4", "x-forwarded-for": "203.0.113.9"}
    tab = rx.State(_reflex_internal_init=True)
    tab.router_data = tab._update_router_vars({"headers": headers, "ip": "198.51.100.4", "pathname": "/"}, {})
    try:
        assert of_state(tab) == recorded
    finally:
        get_settings.cache_clear()


def test_a_peer_that_is_not_an_address_is_not_a_trusted_proxy():
    assert client_address("balancer.internal", "203.0.113.9", BALANCER) == "balancer.internal"


def test_a_trusted_peer_that_forwarded_nothing_is_itself_the_client():
    assert client_address("10.1.2.3", "", BALANCER) == "10.1.2.3"
    assert client_address("10.1.2.3", " , ", BALANCER) == "10.1.2.3"


def websocket_tab(headers: dict[str, str], ip: str) -> rx.State:
    tab = rx.State(_reflex_internal_init=True)
    tab.router_data = tab._update_router_vars({"headers": headers, "ip": ip, "pathname": "/"}, {})
    return tab


@pytest.mark.parametrize(
    ("headers", "recorded"),
    [
        # The socket's peer as the server saw it wins over the address the client reported.
        ({"asgi-scope-client": "198.51.100.4"}, "198.51.100.4"),
        ({}, "192.0.2.200"),
        # A trusted proxy that forwarded nothing is the client.
        ({"asgi-scope-client": "10.1.2.3"}, "10.1.2.3"),
        ({"asgi-scope-client": "10.1.2.3", "x-forwarded-for": "203.0.113.9"}, "203.0.113.9"),
    ],
)
def test_a_websocket_events_address_is_the_sockets_peer_and_only_then_the_reported_one(
    monkeypatch, headers, recorded
):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    get_settings.cache_clear()
    try:
        assert of_state(websocket_tab(headers, "192.0.2.200")) == recorded
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    ("peer", "headers", "recorded"),
    [
        (("10.1.2.3", 443), [(b"x-forwarded-for", b"203.0.113.9")], "203.0.113.9"),
        (("10.1.2.3", 443), [], "10.1.2.3"),
        (("198.51.100.4", 443), [(b"x-forwarded-for", b"203.0.113.9")], "198.51.100.4"),
        (None, [(b"x-forwarded-for", b"203.0.113.9")], ""),
    ],
)
def test_an_http_requests_address_believes_x_forwarded_for_only_from_a_trusted_proxy(
    monkeypatch, peer, headers, recorded
):
    from starlette.requests import Request

    from admin_app.auth.client_address import of_request

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    get_settings.cache_clear()
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": peer})
    try:
        assert of_request(request) == recorded
    finally:
        get_settings.cache_clear()
