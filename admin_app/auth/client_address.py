"""The address a request came from: the peer, or behind configured proxies what they forwarded.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only hop by hop from the
right, and only while the hop that added an entry is a trusted proxy (TRUSTED_PROXIES)."""

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from reflex.state import BaseState
from starlette.requests import Request

from admin_app.settings import Settings, get_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=4)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in configured)


def trusted_proxies(settings: Settings) -> tuple[Network, ...]:
    """The configured proxies (addresses or CIDR ranges)."""
    return _networks(tuple(settings.trusted_proxies))


def _is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str, forwarded_for: str, trusted: Sequence[Network]) -> str:
    """The first address, from the right, that no trusted proxy vouches for."""
    address = peer
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    while hops and _is_trusted(address, trusted):
        address = hops.pop()
    return address[:64]


def of_request(request: Request) -> str:
    """The client address of an HTTP request."""
    peer = request.client.host if request.client else ""
    return client_address(peer, request.headers.get("x-forwarded-for", ""), trusted_proxies(get_settings()))


def of_state(state: BaseState) -> str:
    """The client address behind a websocket event (Reflex keeps the peer as `asgi-scope-client`)."""
    raw_headers = state.router.headers.raw_headers
    peer = raw_headers.get("asgi-scope-client") or state.router.session.client_ip
    return client_address(peer, raw_headers.get("x-forwarded-for", ""), trusted_proxies(get_settings()))
