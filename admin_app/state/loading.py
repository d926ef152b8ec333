"""When a page says it is loading: only when its data is slow.

Each update a handler sends costs the worker a delta and an emit, and a spinner that flashes for a
quick page is noise; so a page's read starts first, and the loading update goes out only when the
read has not finished within LOADING_AFTER_S.
"""

import asyncio

LOADING_AFTER_S = 0.15


async def done_within(task: asyncio.Future, seconds: float = LOADING_AFTER_S) -> bool:
    """Wait up to `seconds` for `task`; True when it has finished (its result is not taken)."""
    done, _ = await asyncio.wait({task}, timeout=seconds)
    return bool(done)
