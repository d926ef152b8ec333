"""Refusals go to the sign-in audit, but a client repeating the same refused request (a script, a
stuck tab, a scan of the callback) must not write one row per request: within a minute, identical
refusals from one client are one row, and one more row with the count of the repeats."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)
WINDOW_S = 60.0
MAX_KEYS = 10_000
Key = tuple[str, str, str, str]  # kind, email, client address, detail
Write = Callable[[Key, int], Awaitable[None]]


@dataclass
class _Window:
    opened: float
    repeats: int = 0


class RefusalLog:
    """Per process: the first refusal of a kind, person, address and detail is written at once; the
    repeats within WINDOW_S are counted and written as one row when the window closes."""

    def __init__(self, write: Write, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic):
        self._write, self._window_s, self._clock = write, window_s, clock
        self._open: dict[Key, _Window] = {}

    async def record(self, key: Key) -> None:
        now = self._clock()
        window = self._open.get(key)
        if window is not None and now - window.opened < self._window_s:
            window.repeats += 1
            if window.repeats == 1:
                asyncio.get_running_loop().call_later(
                    self._window_s - (now - window.opened), self._close_soon, key
                )
            return
        if len(self._open) >= MAX_KEYS:
            await self.flush()
        self._open[key] = _Window(opened=now)
        await self._write(key, 1)

    def _close_soon(self, key: Key) -> None:
        window = self._open.pop(key, None)
        if window is not None and window.repeats:
            task = asyncio.get_running_loop().create_task(self._write(key, window.repeats))
            task.add_done_callback(_report_failure)

    def clear(self) -> None:
        """Forget every open window without writing (each test starts from an empty log)."""
        self._open.clear()

    async def flush(self) -> None:
        """Write every counted repeat now (a full table of windows, or shutting down)."""
        windows, self._open = self._open, {}
        for key, window in windows.items():
            if window.repeats:
                await self._write(key, window.repeats)


def _report_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("could not record repeated refusals", exc_info=task.exception())
