"""`make load`'s server-side clock on the real app: every stage of an event is timed where Reflex runs it.

On the embedded shape's server, which records event timings (EVENT_TIMING_DIR set); production's shape,
where the other browser tests run, records none, as it ships.
"""

import time

import pytest
from sqlmodel import Session

from admin_app.db.session import engine_for
from admin_app.devtools.event_timing import STAGES
from admin_app.devtools.reflex_socket import ReflexSocket
from load.__main__ import LIST_DONE, event
from load.breakdown import REMAINDER, TRANSIT, Trip, explain, server_events
from tests.e2e.conftest import IN_SINGLE_PROCESS
from tests.factories import staff_session_token
from tests.waiting import wait_until

pytestmark = [pytest.mark.e2e, IN_SINGLE_PROCESS]


def test_a_searchs_time_is_split_into_stages_that_add_up(single_process):
    base_url, (url, _), timings = single_process.url, single_process.database, single_process.timings
    with Session(engine_for(url)) as session:
        cookie = f"ca_session={staff_session_token(session, 'timed@example.com', ('sales',))}"
    socket = ReflexSocket(base_url, cookie)
    search = event("licenses_state", "set_search")
    socket.round_trip(event("licenses_state", "load"), {}, "/licenses", "/licenses", done=LIST_DONE)
    sent = time.time()
    seconds, _ = socket.round_trip(search, {"value": "acme"}, "/licenses", "/licenses", done=LIST_DONE)
    socket.close()

    # The line is written when the event ends, which is after the update the round trip waits for.
    wait_until(lambda: any(e["name"] == search for e in server_events(timings).get(socket.token, [])))
    events = server_events(timings)[socket.token]
    [searched] = [e for e in events if e["name"] == search]
    assert searched["ms"]["handler"] > 0 and searched["ms"]["emit"] > 0 and searched["ms"]["gate"] > 0
    # The search ran in a database thread; the session check and the permission check in the gate too.
    assert searched["ms"]["db"] > 0
    named = sum(searched["ms"][stage] for stage in STAGES if stage != "other")
    assert named <= (searched["done"] - searched["received"]) * 1000 + 0.01
    assert searched["ms"]["other"] >= -0.01

    parts = explain(Trip("search", socket.token, sent, seconds), events)
    assert parts is not None and parts["round_trip"] == pytest.approx(seconds * 1000)
    # The legs to the server and back are read on the clock the two processes share.
    assert parts["to_server"] > 0 and parts["to_client"] > 0
    measured = sum(parts[stage] for stage in (*STAGES, *TRANSIT))
    assert measured + parts[REMAINDER] == pytest.approx(parts["round_trip"])
    assert -1 < parts[REMAINDER] < parts["round_trip"]
