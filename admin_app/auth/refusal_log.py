"""Refusals go to the sign-in audit, but nobody may fill it by repeating a refused request (a script, a
stuck tab, a scan of the callback or the API) with a new detail each time.

A refusal without a session is counted per kind and client address, whatever it asked: within a
minute, the first is a row and the rest are one row with their count ("N more from this address").
A signed-in person's refusals stay as informative as they are: counted per person, address and
detail. A count row is written once, when its window closes, and never updated (the audit is
append-only for the app's role)."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from admin_app.db.staff.auth_events import MORE_FROM_ADDRESS

logger = logging.getLogger(__name__)
WINDOW_S = 60.0
MAX_KEYS = 10_000


@dataclass(frozen=True)
class Refusal:
    """One refused request as the audit records it; `email` is empty when there was no session."""

    kind: str
    email: str
    client_address: str
    detail: str

    @property
    def window_key(self) -> tuple[str, ...]:
        """What is counted together: without a session, everything from one address."""
        if not self.email:
            return (self.kind, self.client_address)
        return (self.kind, self.email, self.client_address, self.detail)

    @property
    def repeats(self) -> "Refusal":
        """The refusal a window's count row names."""
        return self if self.email else replace(self, detail=MORE_FROM_ADDRESS)


Write = Callable[[Refusal, int], Awaitable[None]]


@dataclass
class _Window:
    opened: float
    counted: Refusal
    repeats: int = 0


class RefusalLog:
    """Per process: the first refusal of a window is written at once; the repeats within WINDOW_S are
    counted and written as one row when the window closes."""

    def __init__(self, write: Write, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic):
        self._write, self._window_s, self._clock = write, window_s, clock
        self._open: dict[tuple[str, ...], _Window] = {}

    async def record(self, refusal: Refusal) -> None:
        key, now = refusal.window_key, self._clock()
        window = self._open.get(key)
        if window is not None and now - window.opened < self._window_s:
            window.repeats += 1
            if window.repeats == 1:
                asyncio.get_running_loop().call_later(
                    self._window_s - (now - window.opened), self._close_soon, key, window
                )
            return
        if window is not None:
            # Its time is up but its timer has not run yet: its count is written before a new one opens.
            await self._close(key, window)
        if len(self._open) >= MAX_KEYS:
            await self.flush()
        self._open[key] = _Window(opened=now, counted=refusal.repeats)
        await self._write(refusal, 1)

    async def _close(self, key: tuple[str, ...], window: _Window) -> None:
        if self._open.get(key) is window:
            del self._open[key]
            if window.repeats:
                await self._write(window.counted, window.repeats)

    def _close_soon(self, key: tuple[str, ...], window: _Window) -> None:
        task = asyncio.get_running_loop().create_task(self._close(key, window))
        task.add_done_callback(_report_failure)

    def clear(self) -> None:
        """Forget every open window without writing (each test starts from an empty log)."""
        self._open.clear()

    async def flush(self) -> None:
        """Write every counted repeat now (a full table of windows, or shutting down)."""
        windows, self._open = self._open, {}
        for window in windows.values():
            if window.repeats:
                await self._write(window.counted, window.repeats)


def _report_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("could not record repeated refusals", exc_info=task.exception())
