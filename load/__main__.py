"""`make load`: signed-in staff driving the real app over its websocket protocol; one JSON line per run.

For each mode (one worker on SQLite; PostgreSQL + Redis with several workers) it serves the app on
the large demo data, signs in N staff through the OpenID provider, measures the server's memory per
idle signed-in session, then lets every session run a realistic mix with think time and reports the
event round trips (p50/p95/p99), errors, where the server spent each action's time (load/breakdown.py)
and the server CPU each event cost (load/cpu.py). Last, each action alone, for its own CPU cost.
"""

import argparse
import itertools
import json
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import redis

import admin_app.admin_app  # noqa: F401  (registers the states, whose event names the mix sends)
from admin_app.auth.gate import _declarations
from admin_app.db.session import DATABASE_UNAVAILABLE
from admin_app.devtools.oidc_provider import oidc_provider
from admin_app.devtools.reflex_server import free_port, reflex_server
from admin_app.devtools.reflex_socket import ReflexSocket, sets
from admin_app.settings import PROJECT_ROOT
from bench.__main__ import POSTGRES_URL, SQLITE_URL, ensure_large_database
from load.breakdown import Trip, breakdown, percentile
from load.cpu import cores_busy, cpu_per_event, cpu_seconds
from load.report import report

RESULTS = PROJECT_ROOT / "load" / "results"
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/1")
GROUPS = ("customer-admin-sales", "customer-admin-support", "customer-admin-managers")
TERMS = ("software", "robotics", "acme", "labs", "zephyr", "berg", "partners", "cloud", "ar", "e")


# Reflex sends no "done": an action ends with the update that shows its page finished.
_counted, _failed = sets("count_label", bool), sets("error", bool)
PAGE_DONE = sets("loading", lambda value: value is False)


def LIST_DONE(update: dict) -> bool:
    """A list page sends its rows, then its count (or says why there is none)."""
    return _counted(update) or _failed(update)


def spaced_letters(n: int) -> str:
    """A different text for each n with no three letters in a row ("b", "c", ..., "b a", ...): the
    palette takes it as too short to search, so the event reads nothing."""
    letters = []
    while True:
        n, digit = divmod(n, 26)
        letters.append(chr(ord("a") + digit))
        if not n:
            return " ".join(reversed(letters))


def event(state: str, handler: str) -> str:
    [path] = [p for p in _declarations() if p.endswith(state)]
    return f"{path}.{handler}"


@dataclass(frozen=True)
class Action:
    """One thing a staff member does: an event, with the page it is sent from."""

    name: str
    weight: int
    event: str
    payload: object
    as_path: object
    pathname: str
    done: Callable[[dict], bool]


def actions() -> list[Action]:
    """The mix: search and page licenses, open details, filter reconciliations, charts, a customer;
    and, run alone only (weight 0), an event that reads nothing, for what every event costs."""
    r = random.Random()
    typed = itertools.count(1)
    return [
        Action(
            "search_licenses",
            30,
            event("licenses_state", "set_search"),
            lambda: {"value": r.choice(TERMS)},
            lambda: "/licenses",
            "/licenses",
            LIST_DONE,
        ),
        Action(
            "page_licenses",
            15,
            event("licenses_state", "load"),
            lambda: {},
            lambda: f"/licenses?plan={r.choice(['premium', 'ultimate'])}&sort=-users",
            "/licenses",
            LIST_DONE,
        ),
        Action(
            "open_license",
            15,
            event("license_detail_state", "load"),
            lambda: {},
            lambda: f"/licenses/{r.randrange(1, 1_000_000)}",
            "/licenses/[license_id]",
            PAGE_DONE,
        ),
        Action(
            "filter_reconciliations",
            15,
            event("reconciliations_state", "load"),
            lambda: {},
            lambda: f"/reconciliations?status={r.choice(['failed', 'skipped'])}&currency=EUR",
            "/reconciliations",
            LIST_DONE,
        ),
        Action(
            "load_charts",
            10,
            event("reconciliation_charts_state", "load"),
            lambda: {},
            lambda: f"/reconciliations/charts?from={r.choice(['2025-07-01', '2024-01-01'])}",
            "/reconciliations/charts",
            PAGE_DONE,
        ),
        Action(
            "open_customer",
            15,
            event("customer_detail_state", "load"),
            lambda: {},
            lambda: f"/customers/{r.randrange(1, 200_000)}",
            "/customers/[customer_id]",
            PAGE_DONE,
        ),
        Action(
            "read_nothing",
            0,
            event("palette_state", "search"),
            # Each a different text, so each event changes the state and sends an update.
            lambda: {"term": spaced_letters(next(typed))},
            lambda: "/licenses",
            "/licenses",
            sets("term", bool),
        ),
    ]


def load_users(count: int) -> list[dict]:
    return [
        {
            "sub": f"load{i:03d}@example.com",
            "email": f"load{i:03d}@example.com",
            "name": f"Load {i}",
            "groups": [GROUPS[i % len(GROUPS)]],
        }
        for i in range(count)
    ]


def sign_in(app_url: str, email: str) -> str:
    """The whole authorization code flow over HTTP; returns the session cookie a browser would hold."""
    with httpx2.Client(base_url=app_url, follow_redirects=False, timeout=30) as client:
        login = client.get("/auth/login", params={"next": "/licenses"})
        chosen = httpx2.post(
            login.headers["location"], data={"sub": email}, follow_redirects=False, timeout=30
        )
        client.get(chosen.headers["location"])
        return f"ca_session={client.cookies['ca_session']}"


def server_rss_kb(marker: str) -> int:
    """Resident memory of every process started with the marker in its environment (the app's tree)."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker.encode() not in (proc / "environ").read_bytes():
                continue
            status = (proc / "status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total


def redis_used_bytes(url: str | None) -> int:
    if not url:
        return 0
    return int(redis.Redis.from_url(url).info("memory")["used_memory"])


@dataclass
class Tally:
    trips: list[Trip] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_session(socket: ReflexSocket, mix: list[Action], until: float, think_s: float, tally: Tally) -> None:
    """Actions separated by exponential think time until `until`, the first after a pause of its own:
    staff do not all click in the same millisecond, and sessions that did would measure one burst of
    every session's event at once (at 100 sessions, a worker then had 30 events to drain at the start
    of every run, and they were most of the slowest 5 %)."""
    weights = [a.weight for a in mix] if len(mix) > 1 else None
    rng = random.Random()

    def think() -> None:
        # No pause past the end: the run is over for this session once `until` has passed.
        time.sleep(min(rng.expovariate(1 / think_s), max(0.0, until - time.monotonic())))

    think()
    while time.monotonic() < until:
        action = rng.choices(mix, weights=weights)[0]
        try:
            sent = time.time()
            seconds, answers = socket.round_trip(
                action.event, action.payload(), action.as_path(), action.pathname, done=action.done
            )
            failed = DATABASE_UNAVAILABLE in json.dumps(answers) or not answers
            with tally.lock:
                tally.trips.append(Trip(action.name, socket.token, sent, seconds))
                if failed:
                    tally.errors.append(f"{action.name}: database unavailable")
        except (OSError, TimeoutError, AssertionError, ConnectionError) as error:
            with tally.lock:
                tally.errors.append(f"{action.name}: {error}")
            return
        think()


def open_sessions(app_url: str, cookies: list[str]) -> list[ReflexSocket]:
    """One websocket per signed-in staff member, each with the Licenses page loaded."""
    sockets, opening = [], event("licenses_state", "load")
    for cookie in cookies:
        socket = ReflexSocket(app_url, cookie)
        socket.round_trip(opening, {}, "/licenses", "/licenses", done=LIST_DONE)
        sockets.append(socket)
    return sockets


def idle_memory(mode: str, app_url: str, cookies: list[str], marker: str, redis_url: str | None) -> dict:
    """Server memory (app processes plus Redis) added per idle signed-in session, on a fresh server."""
    rss_before, redis_before = server_rss_kb(marker), redis_used_bytes(redis_url)
    sockets = open_sessions(app_url, cookies)
    time.sleep(3)
    app_kb = server_rss_kb(marker) - rss_before
    redis_kb = (redis_used_bytes(redis_url) - redis_before) / 1024
    for socket in sockets:
        socket.close()
    return {
        "load": "idle_memory",
        "mode": mode,
        "sessions": len(cookies),
        "app_kb_per_session": round(app_kb / len(cookies), 1),
        "redis_kb_per_session": round(redis_kb / len(cookies), 1),
        "kb_per_session": round((app_kb + redis_kb) / len(cookies), 1),
        "target_kb_per_session": 1024,
    }


def run_sessions(
    app_url: str, cookies: list[str], start_at: float, duration_s: float, think_s: float, only: str | None
):
    """One generator process: its share of the sessions, each in a thread, from `start_at` (wall clock)."""
    sockets = open_sessions(app_url, cookies)
    time.sleep(max(0.0, start_at - time.time()))
    mix = [action for action in actions() if action.name == only or (only is None and action.weight)]
    tally, until = Tally(), time.monotonic() + duration_s
    threads = [threading.Thread(target=run_session, args=(s, mix, until, think_s, tally)) for s in sockets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for socket in sockets:
        socket.close()
    return tally.trips, tally.errors


@dataclass(frozen=True)
class Server:
    """The app under load: its address, the marker in its processes' environment, its timing lines."""

    mode: str
    url: str
    marker: str
    timing_dir: Path


def measure(
    server: Server,
    cookies: list[str],
    duration_s: float,
    think_s: float,
    processes: int,
    only: str | None = None,
) -> dict:
    """Every session runs the mix (or only the action `only`) at once for `duration_s`.

    The sessions are spread over `processes` generator processes: 100 threads in one Python process
    wait on each other's GIL, and that wait showed up as server latency (p95 twice as long).
    """
    shares = [cookies[i::processes] for i in range(processes) if cookies[i::processes]]
    start_at = time.time() + 2 + 0.1 * len(cookies)
    with multiprocessing.get_context("fork").Pool(len(shares)) as pool:
        running = pool.starmap_async(
            run_sessions, [(server.url, share, start_at, duration_s, think_s, only) for share in shares]
        )
        time.sleep(max(0.0, start_at - time.time()))
        cpu_before = cpu_seconds(server.marker)
        # The cores kept busy while the sessions were sending. Read over the whole run instead, 200
        # sessions came out at 1.0 cores, not 1.74: the reading took in the seconds after the end (each
        # session's last pause, then its socket closed), when the server is nearly idle.
        time.sleep(max(0.0, start_at + duration_s - time.time()))
        cpu_at_end = cpu_seconds(server.marker)
        parts = running.get()
        # An overloaded server answers the last round trips after `duration_s`: the CPU per event
        # counts everything until they are all answered.
        cpu_after = cpu_seconds(server.marker)
    tally = Tally()
    for trips, errors in parts:
        tally.trips.extend(trips)
        tally.errors.extend(errors)
    trips = [trip.seconds * 1000 for trip in tally.trips]
    by_action: dict[str, list[float]] = {}
    for trip in tally.trips:
        by_action.setdefault(trip.action, []).append(trip.seconds * 1000)
    return {
        "load": "event_round_trip" if only is None else f"only_{only}",
        "mode": server.mode,
        "sessions": len(cookies),
        "seconds": duration_s,
        "events": len(trips),
        "errors": len(tally.errors),
        "error_examples": sorted(set(tally.errors))[:3],
        "p50_ms": round(statistics.median(trips), 1) if trips else None,
        "p95_ms": percentile(trips, 0.95),
        "p99_ms": percentile(trips, 0.99),
        "p95_ms_by_action": {name: percentile(values, 0.95) for name, values in sorted(by_action.items())},
        "target_p95_ms": 200,
        "meets_target": bool(trips) and percentile(trips, 0.95) <= 200 and not tally.errors,
        "cpu_ms_per_event": cpu_per_event(cpu_before, cpu_after, len(trips)),
        "cores_busy": cores_busy(cpu_before, cpu_at_end, duration_s),
        "events_per_second": round(len(trips) / duration_s, 1),
        "breakdown": breakdown(tally.trips, server.timing_dir),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Concurrent signed-in staff over the real websocket protocol."
    )
    parser.add_argument(
        "--modes", default="sqlite,postgres", help="sqlite (one worker), postgres (Redis, workers)"
    )
    parser.add_argument("--sessions", default="10,25,50,100,200", help="comma-separated session counts")
    parser.add_argument("--seconds", type=float, default=30, help="how long each run lasts")
    parser.add_argument("--think", type=float, default=2.0, help="mean think time between actions, seconds")
    parser.add_argument("--workers", type=int, default=3, help="app workers in the postgres mode")
    parser.add_argument("--processes", type=int, default=4, help="load generator processes")
    parser.add_argument("--warmup", type=float, default=15, help="unrecorded seconds of the mix first")
    parser.add_argument(
        "--alone-seconds", type=float, default=15, help="each action alone, for its CPU cost (0: skip)"
    )
    parser.add_argument("--alone-sessions", type=int, default=10, help="sessions for each action alone")
    parser.add_argument(
        "--alone-actions", default="", help="comma-separated actions to run alone (default: every one)"
    )
    parser.add_argument(
        "--role-recheck-minutes", type=int, default=600, help="the server's ROLE_RECHECK_MINUTES"
    )
    args = parser.parse_args(argv)
    levels = [int(n) for n in args.sessions.split(",")]
    most = max([*levels, args.alone_sessions])
    RESULTS.mkdir(parents=True, exist_ok=True)
    records = []
    with oidc_provider(users=load_users(most)) as issuer:
        for mode in args.modes.split(","):
            url = SQLITE_URL if mode == "sqlite" else POSTGRES_URL
            ensure_large_database(url)
            marker = f"LOAD_RUN_{uuid.uuid4().hex}"
            timing_dir = RESULTS / f"timing-{mode}"
            shutil.rmtree(timing_dir, ignore_errors=True)
            env = {"OIDC_ISSUER": issuer, marker: "1", "EVENT_TIMING_DIR": str(timing_dir)}
            # A frontend build of its own, so `make run` or the tests' server keep theirs.
            env["REFLEX_WEB_WORKDIR"] = str(RESULTS / f"web-{mode}")
            # Every session signs in within seconds, so every role re-check would fall due in the same
            # second of whichever run is going then, and no two runs would be alike: they are left out.
            env["ROLE_RECHECK_MINUTES"] = str(args.role_recheck_minutes)
            redis_url = None
            if mode == "postgres":
                redis_url = REDIS_URL
                redis.Redis.from_url(redis_url).flushdb()
                env |= {"REDIS_URL": redis_url, "GRANIAN_WORKERS": str(args.workers)}
            with reflex_server(url, free_port(), RESULTS / f"reflex-{mode}.log", extra_env=env) as app_url:
                server = Server(mode, app_url, marker, timing_dir)
                cookies = [sign_in(app_url, user["email"]) for user in load_users(most)]
                records.append(idle_memory(mode, app_url, cookies, marker, redis_url))
                # A fresh server first connects its pools and loads Plotly's validators; a server that
                # has been up a while has not got that ahead of it, so neither should the figures.
                measure(server, cookies[: max(levels)], args.warmup, args.think, args.processes)
                for level in levels:
                    records.append(measure(server, cookies[:level], args.seconds, args.think, args.processes))
                    progress = {key: value for key, value in records[-1].items() if key != "breakdown"}
                    print(json.dumps(progress), flush=True)
                if args.alone_seconds:
                    for action in actions():
                        if args.alone_actions and action.name not in args.alone_actions.split(","):
                            continue
                        records.append(
                            measure(
                                server,
                                cookies[: args.alone_sessions],
                                args.alone_seconds,
                                args.think / 4,
                                args.processes,
                                only=action.name,
                            )
                        )
    with (RESULTS / "latest.jsonl").open("w") as out:
        out.writelines(json.dumps(record) + "\n" for record in records)
    print(report(records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
