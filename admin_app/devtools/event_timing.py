"""Where a websocket event's time goes on the server: on only for `make load` (EVENT_TIMING_DIR set).

Each app worker appends one JSON line per event to `<EVENT_TIMING_DIR>/<pid>.jsonl`: when Reflex
queued it (`received`, epoch seconds), and the milliseconds it spent in each stage, in the order
they happen:

- `queued`: received → its task starts (behind the tab's earlier events, or a busy event loop);
- `lock`: waiting for the tab's state lock (Redis lock or in-process lock);
- `load`: reading and unpickling the tab's states (Redis manager only; included in `lock` otherwise);
- `gate`: the AuthGate middleware (the session check and the permission check);
- `handler`: the event handler itself, including the database work it awaits;
- `delta`: computing the changed vars to send; `emit`: handing them to the websocket;
- `save`: pickling and writing the touched states back (Redis manager only), then releasing the lock;
- `other`: the rest of Reflex's work on the event (router data, finding the substate, task switches).

Within those, `db` is the time the handler's `in_session` work ran in a database thread (queries and
shaping their rows), `db_wait` the time it waited for a free database thread, and `redis` the time
in Redis commands. `done` is when the event finished, `emits` when each of its updates was handed to
the websocket, and `updates` how many updates it sent (each a delta computed and emitted).

Reflex is patched, not forked: the wrappers sit on the functions its event processor calls by name,
so an upgrade that renames one makes `install` fail loudly rather than measure nothing.
"""

import contextlib
import contextvars
import json
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STAGES = ("queued", "lock", "load", "gate", "handler", "delta", "emit", "save", "other")
WITHIN = ("db", "db_wait", "redis")


@dataclass
class EventTiming:
    """One event's clock: stage totals in milliseconds, filled in as the event runs."""

    token: str
    name: str
    received: float
    started: float = 0.0
    done: float = 0.0
    emits: list[float] = field(default_factory=list)
    updates: int = 0
    ms: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES + WITHIN, 0.0))

    def add(self, stage: str, seconds: float) -> None:
        self.ms[stage] += seconds * 1000


_current: contextvars.ContextVar[EventTiming | None] = contextvars.ContextVar("event_timing", default=None)
_received: dict[int, float] = {}


def _timed(stage: str, fn: Callable) -> Callable:
    """`fn` (a coroutine function) with its duration added to the current event's `stage`."""

    async def timed(*args: Any, **kwargs: Any) -> Any:
        timing, started = _current.get(), time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            if timing is not None:
                timing.add(stage, time.perf_counter() - started)

    return timed


def _timed_enter(stage: str, fn: Callable) -> Callable:
    """An async context manager factory whose entering (not its body) counts as `stage`."""

    @contextlib.asynccontextmanager
    async def timed(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        timing, started = _current.get(), time.perf_counter()
        async with fn(*args, **kwargs) as value:
            if timing is not None:
                timing.add(stage, time.perf_counter() - started)
            yield value

    return timed


class _Writer:
    """One file per worker process, opened on its first event: Reflex imports the app (and installs
    this) in the supervisor before it forks the workers."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory, self.pid, self.file = directory, 0, None

    def write(self, timing: EventTiming) -> None:
        if self.pid != os.getpid():
            self.pid = os.getpid()
            self.file = (self.directory / f"{self.pid}.jsonl").open("a", buffering=1)
        record = asdict(timing)
        record["ms"] = {key: round(value, 3) for key, value in timing.ms.items()}
        self.file.write(json.dumps(record) + "\n")


def install(directory: Path) -> None:
    """Wrap Reflex's event path, its state managers, Redis's client and the database threads with timers."""
    from redis.asyncio.client import Pipeline, Redis
    from reflex.app import EventNamespace
    from reflex.istate.manager.disk import StateManagerDisk
    from reflex.istate.manager.memory import StateManagerMemory
    from reflex.istate.manager.redis import StateManagerRedis
    from reflex_base.event.processor import base_state_processor
    from reflex_base.event.processor.event_processor import EventProcessor

    from admin_app.auth.gate import AuthGate
    from admin_app.db import session as db_session

    writer = _Writer(directory)

    enqueue = EventProcessor.enqueue

    async def enqueue_noting_arrival(self, token, event, *args, **kwargs):
        _received[id(event)] = time.time()
        return await enqueue(self, token, event, *args, **kwargs)

    EventProcessor.enqueue = enqueue_noting_arrival

    execute = base_state_processor.BaseStateEventProcessor._execute_event

    async def execute_timed(self, *, entry, registered_handler):
        now = time.time()
        timing = EventTiming(entry.ctx.token, entry.event.name, _received.pop(id(entry.event), now))
        timing.started = now
        timing.add("queued", now - timing.received)
        _current.set(timing)
        try:
            return await execute(self, entry=entry, registered_handler=registered_handler)
        finally:
            timing.done = time.time()
            named = sum(timing.ms[stage] for stage in STAGES)
            timing.add("other", timing.done - timing.received - named / 1000)
            writer.write(timing)

    base_state_processor.BaseStateEventProcessor._execute_event = execute_timed

    process_event, chain_updates = base_state_processor.process_event, base_state_processor.chain_updates
    base_state_processor.process_event = _net_of(
        process_event, "handler", ("lock", "load", "delta", "emit", "save")
    )
    base_state_processor.chain_updates = _net_of(chain_updates, "delta", ("load", "emit"))
    AuthGate.preprocess = _net_of(AuthGate.preprocess, "gate", ("load", "delta"))

    emit_update = EventNamespace.emit_update

    async def emit_update_timed(self, update, token):
        timing, started = _current.get(), time.perf_counter()
        # Stamped as the update is handed to the socket: a stamp taken after the write returns can
        # come later than the client reading it, on a busy machine.
        if timing is not None:
            timing.emits.append(time.time())
        try:
            return await emit_update(self, update, token)
        finally:
            if timing is not None:
                timing.add("emit", time.perf_counter() - started)
                timing.updates += 1

    EventNamespace.emit_update = emit_update_timed

    StateManagerRedis._lock = _timed_enter("lock", StateManagerRedis._lock)
    StateManagerRedis.get_state = _timed("load", StateManagerRedis.get_state)
    StateManagerRedis.set_state = _timed("save", StateManagerRedis.set_state)
    for manager in (StateManagerMemory, StateManagerDisk):
        manager.modify_state = _timed_enter("lock", manager.modify_state)
    Redis.execute_command = _timed("redis", Redis.execute_command)
    Pipeline.execute = _timed("redis", Pipeline.execute)

    threads = db_session.database_threads()
    submit = threads.submit

    def submit_timed(fn, /, *args, **kwargs):
        # Called on the event loop, inside the event's task: the timing is the submitting event's.
        timing, submitted = _current.get(), time.perf_counter()

        def run():
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                if timing is not None:
                    timing.add("db_wait", started - submitted)
                    timing.add("db", time.perf_counter() - started)

        return submit(run)

    threads.submit = submit_timed


def _net_of(fn: Callable, stage: str, nested: tuple[str, ...]) -> Callable:
    """`fn` timed as `stage`, less the time the `nested` stages took while it ran (counted there)."""

    async def timed(*args: Any, **kwargs: Any) -> Any:
        timing, started = _current.get(), time.perf_counter()
        before = sum(timing.ms[key] for key in nested) if timing is not None else 0.0
        try:
            return await fn(*args, **kwargs)
        finally:
            if timing is not None:
                elapsed = (time.perf_counter() - started) * 1000
                timing.ms[stage] += elapsed - (sum(timing.ms[key] for key in nested) - before)

    return timed


def install_from_environment() -> None:
    """Install when EVENT_TIMING_DIR names a directory (the load generator sets it)."""
    from admin_app.settings import get_settings

    if directory := get_settings().EVENT_TIMING_DIR:
        install(Path(directory))
