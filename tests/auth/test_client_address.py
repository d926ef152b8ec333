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
