"""Limits for routes anyone on the network can call: how much of a body is read, and how often one
client address may try."""

import time
from collections import deque
from collections.abc import Callable

from starlette.requests import Request

MAX_ADDRESSES = 10_000


async def bounded_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is (or says it is) longer than `limit` bytes: nothing past the
    limit is read or kept."""
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isascii() or not declared.isdigit() or int(declared) > limit):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


class AttemptsPerAddress:
    """Per process: at most `limit` attempts from one client address within `window_s` seconds."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit, self._window_s, self._clock = limit, window_s, clock
        self._attempts: dict[str, deque[float]] = {}

    def retry_after(self, address: str) -> int:
        """0 when this attempt may go on (and it is counted); otherwise the seconds until one may."""
        now = self._clock()
        attempts = self._attempts.get(address)
        if attempts is None:
            if len(self._attempts) >= MAX_ADDRESSES:
                self._forget_quiet(now)
            attempts = self._attempts[address] = deque()
        while attempts and now - attempts[0] >= self._window_s:
            attempts.popleft()
        if len(attempts) >= self._limit:
            return max(1, int(attempts[0] + self._window_s - now + 0.999))
        attempts.append(now)
        return 0

    def _forget_quiet(self, now: float) -> None:
        """Drop addresses with no attempt in the window, so a scan from many addresses cannot grow the table
        for ever; when every address is busy, start again from empty."""
        quiet = [a for a, times in self._attempts.items() if not times or now - times[-1] >= self._window_s]
        for address in quiet:
            del self._attempts[address]
        if len(self._attempts) >= MAX_ADDRESSES:
            self._attempts.clear()

    def clear(self) -> None:
        """Forget every attempt (each test starts from none)."""
        self._attempts.clear()
