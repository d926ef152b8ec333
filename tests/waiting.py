"""Waiting on a condition instead of sleeping for a guessed time."""

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], timeout_s: float = 20, every_s: float = 0.1) -> None:
    """Return once `condition()` is true; an AssertionError after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"still not so after {timeout_s:.0f} s"
        time.sleep(every_s)
