"""Events sent straight over the websocket, as any browser could: refused for roles that lack the permission.

Nothing changes and the refusal is recorded; the UI never gets a say.
"""

import inspect
import json

import pytest
from sqlmodel import Session, func, select

import admin_app.admin_app  # noqa: F401  (registers the app's states)
from admin_app.auth.gate import _declarations, app_states
from admin_app.auth.permissions import Permission
from admin_app.db.models import AuthEvent, SavedView, StaffSession, Version
from admin_app.db.session import engine_for
from admin_app.db.staff.saved_views import save_view
from admin_app.db.staff.sessions import hash_token
from admin_app.devtools.reflex_socket import ReflexSocket
from tests.factories import staff_session_token

pytestmark = [pytest.mark.e2e, pytest.mark.both_shapes]


def handler(state_suffix: str, name: str) -> str:
    [path] = [p for p in _declarations() if p.endswith(state_suffix)]
    return f"{path}.{name}"


def staff_cookie(url: str, email: str, roles: tuple[str, ...]) -> tuple[str, str]:
    with Session(engine_for(url)) as session:
        token = staff_session_token(session, email, roles)
    return f"ca_session={token}", token


def refusals(url: str, email: str) -> list[str]:
    with Session(engine_for(url)) as session:
        query = select(AuthEvent).where(AuthEvent.kind == "refused", AuthEvent.email == email)
        return [e.detail for e in session.exec(query)]


def refused(answer: dict) -> bool:
    """The gate's answer to a refused event: a toast that says so (waited for, not a fixed window)."""
    return "toast" in str(answer.get("events"))


def carries_rows(answers: list[dict]) -> bool:
    """Any answer sets some list's rows to something (an emptied list carries nothing)."""

    def rows_in(delta: object) -> bool:
        if not isinstance(delta, dict):
            return False
        return any(
            (name == "rows_rx_state_" and bool(value)) or rows_in(value) for name, value in delta.items()
        )

    return any(rows_in(a.get("delta", {})) for a in answers)


def test_sales_cannot_end_an_admins_session_by_sending_the_event(app_server, e2e_database):
    url, _ = e2e_database
    _, admin_token = staff_cookie(url, "admin-target@example.com", ("admin",))
    sales_cookie, _ = staff_cookie(url, "sales-attacker@example.com", ("sales",))
    socket = ReflexSocket(app_server, sales_cookie)
    for name in ("revoke", "revoke_all_of_person"):
        socket.send_event(
            handler("sessions_state", name),
            {"ref": hash_token(admin_token)},
            path="/admin/sessions/",
            until=refused,
        )
    socket.close()
    with Session(engine_for(url)) as session:
        assert session.get(StaffSession, hash_token(admin_token)).revoked_at is None
    assert refusals(url, "sales-attacker@example.com") == [
        "revoke needs sessions:admin",
        "revoke_all_of_person needs sessions:admin",
    ]


def test_staff_without_a_role_get_no_license_data_by_sending_the_event(app_server, e2e_database):
    url, _ = e2e_database
    cookie, _ = staff_cookie(url, "norole-attacker@example.com", ())
    socket = ReflexSocket(app_server, cookie)
    answers = socket.send_event(handler("licenses_state", "set_search"), {"value": "zephyr"}, until=refused)
    socket.close()
    assert not carries_rows(answers)
    assert refusals(url, "norole-attacker@example.com") == ["set_search needs licenses:read"]


def test_setvar_is_refused_even_for_an_admin(app_server, e2e_database):
    url, _ = e2e_database
    cookie, _ = staff_cookie(url, "admin-setvar@example.com", ("admin",))
    socket = ReflexSocket(app_server, cookie)
    answers = socket.send_event(
        handler("licenses_state", "setvar"), {"var_name": "error", "value": "pwned"}, until=refused
    )
    socket.close()
    assert "pwned" not in str(answers)
    assert refusals(url, "admin-setvar@example.com") == ["setvar needs an undeclared handler"]


def test_the_same_event_from_a_role_that_may_is_answered_with_data(app_server, e2e_database):
    url, _ = e2e_database
    cookie, _ = staff_cookie(url, "sales-reader@example.com", ("sales",))
    socket = ReflexSocket(app_server, cookie)
    answers = socket.send_event(
        handler("licenses_state", "set_search"), {"value": "zephyr"}, until=lambda a: carries_rows([a])
    )
    socket.close()
    assert carries_rows(answers)
    assert refusals(url, "sales-reader@example.com") == []


@pytest.mark.parametrize(
    ("state", "event", "payload"),
    [
        ("reconciliations_state", "set_search", {"value": "zephyr"}),
        ("reconciliation_charts_state", "open_account", {"points": [{"pointIndex": 0}]}),
        ("reconciliation_charts_state", "open_failure_class", {"points": [{"pointIndex": 0}]}),
        ("reconciliation_charts_state", "open_failure_age", {"points": [{"pointIndex": 0}]}),
        *(
            ("reconciliation_charts_state", event, {"points": [{"curveNumber": 0, "pointIndex": 0}]})
            for event in (
                "open_status",
                "open_invoiced",
                "open_skip_reason",
                "open_failure_rate",
                "open_seats_added",
            )
        ),
        ("reconciliation_charts_state", "set_quarter", {"value": "2025-Q3"}),
    ],
)
def test_staff_without_a_role_get_no_reconciliation_data(app_server, e2e_database, state, event, payload):
    url, _ = e2e_database
    email = f"norole-{event}@example.com"
    cookie, _ = staff_cookie(url, email, ())
    socket = ReflexSocket(app_server, cookie)
    answers = socket.send_event(handler(state, event), payload, until=refused)
    socket.close()
    assert not carries_rows(answers)
    assert "/reconciliations" not in str([a.get("events") for a in answers]), "no redirect to the data"
    assert refusals(url, email) == [f"{event} needs reconciliations:read"]


def test_a_crafted_chart_click_is_ignored(app_server, e2e_database):
    url, _ = e2e_database
    cookie, _ = staff_cookie(url, "manager-crafter@example.com", ("manager",))
    socket = ReflexSocket(app_server, cookie)
    answers = socket.send_event(
        handler("reconciliation_charts_state", "open_account"), {"points": [{"pointIndex": "1; DROP"}]}
    )
    for event in ("open_failure_class", "open_failure_age"):
        for point in ("1; DROP", 99, -1):
            answers += socket.send_event(
                handler("reconciliation_charts_state", event), {"points": [{"pointIndex": point}]}
            )
    crafted_points = (
        {"curveNumber": 0, "pointIndex": "1; DROP"},
        {"curveNumber": "0; DROP", "pointIndex": 0},
        {"curveNumber": 99, "pointIndex": 0},
        {"curveNumber": 0, "pointIndex": 99},
        {"curveNumber": -1, "pointIndex": -1},
        {"curveNumber": True, "pointIndex": True},
        {"pointIndex": 0, "x": "2025-07-01", "status": "done", "reason": "x' OR 1=1"},
    )
    point_clicks = (
        "open_status",
        "open_invoiced",
        "open_skip_reason",
        "open_failure_rate",
        "open_seats_added",
    )
    for event in point_clicks:
        for point in crafted_points:
            answers += socket.send_event(handler("reconciliation_charts_state", event), {"points": [point]})
    answers += socket.send_event(handler("reconciliation_charts_state", "set_quarter"), {"value": "2025-Q9"})
    socket.close()
    assert "/reconciliations?" not in str(answers)
    assert refusals(url, "manager-crafter@example.com") == []


SUPPORT_WRITES = sorted(
    (path, name, permission)
    for path, handlers in _declarations().items()
    for name, permission in handlers.items()
    if permission in (Permission.CUSTOMERS_EDIT, Permission.MEMBERSHIPS_EDIT, Permission.LOGIN_STATUS_EDIT)
)
CRAFTED = {
    "form": {"first_name": "Pwned", "email": "pwned@example.com", "reason": "x", "country": "US"},
    "row": {"id": "1"},
    "contact": {"id": "1"},
    "option": {"id": "1", "label": "x", "email": "x@example.com"},
    "value": True,
    "text": "zephyr",
}


def test_every_support_write_is_declared():
    names = {name for _, name, _ in SUPPORT_WRITES}
    assert {"confirm_edit", "change_login", "unlink", "add", "confirm_delete", "save_contact"} <= names


@pytest.mark.parametrize(("path", "name", "permission"), SUPPORT_WRITES, ids=lambda v: getattr(v, "value", v))
def test_sales_sending_a_support_write_straight_to_the_server_is_refused(
    app_server, e2e_database, path, name, permission
):
    url, _ = e2e_database
    email = f"sales-{name}@example.com"
    cookie, _ = staff_cookie(url, email, ("sales",))
    with Session(engine_for(url)) as session:
        before = session.exec(select(func.count()).select_from(Version)).one()
    handler_fn = next(
        h.fn
        for cls in app_states()
        if cls.get_full_name() == path
        for n, h in cls.event_handlers.items()
        if n == name
    )
    payload = {arg: CRAFTED.get(arg, "1") for arg in list(inspect.signature(handler_fn).parameters)[1:]}
    socket = ReflexSocket(app_server, cookie)
    socket.send_event(f"{path}.{name}", payload, until=refused)
    socket.close()
    assert refusals(url, email) == [f"{name} needs {permission.value}"]
    with Session(engine_for(url)) as session:
        assert session.exec(select(func.count()).select_from(Version)).one() == before


def test_a_refused_event_sent_again_and_again_is_one_audit_row(app_server, e2e_database):
    url, _ = e2e_database
    cookie, _ = staff_cookie(url, "repeating-sales@example.com", ("sales",))
    socket = ReflexSocket(app_server, cookie)
    for _ in range(20):
        socket.round_trip(
            handler("sessions_state", "load"),
            {},
            as_path="/admin/sessions/",
            pathname="/admin/sessions/",
            done=lambda answer: "toast" in str(answer.get("events")),
        )
    socket.close()
    # The nineteen repeats are counted in memory and written as one more row when the minute ends.
    assert refusals(url, "repeating-sales@example.com") == ["load needs sessions:admin"]


def palette_search(app_server: str, cookie: str, term: str) -> list[list]:
    """Send the palette's search as any browser could; every `groups` the server sent, once it finished."""
    sent: list[list] = []

    def finished(answer: dict) -> bool:
        for delta in answer.get("delta", {}).values():
            if "groups_rx_state_" in delta:
                sent.append(delta["groups_rx_state_"])
            if delta.get("searching_rx_state_") is False:
                return True
        return False

    socket = ReflexSocket(app_server, cookie)
    socket.send_event(handler("palette_state", "search"), {"term": term}, until=finished)
    socket.close()
    return sent


def test_the_palette_finds_nothing_for_staff_without_a_role(app_server, e2e_database):
    url, _ = e2e_database
    cookie, _ = staff_cookie(url, "norole-palette@example.com", ())
    assert palette_search(app_server, cookie, "zephyr") == [[]]


def test_the_palette_finds_every_kind_for_a_role_that_reads_them(app_server, e2e_database):
    url, _ = e2e_database
    cookie, _ = staff_cookie(url, "sales-palette@example.com", ("sales",))
    [groups] = palette_search(app_server, cookie, "zephyr")
    labels = [group["label"] for group in groups]
    assert labels == ["Customers", "Licenses", "Billing accounts", "Subscriptions", "Reconciliations"]
    assert "wendy@zephyr-e2e.test" in json.dumps(groups)


def saved_views_of(url: str, owner_subject: str) -> list[str]:
    with Session(engine_for(url)) as session:
        query = select(SavedView.name).where(SavedView.owner_subject == owner_subject)
        return sorted(session.exec(query))


def dialog_answered(answer: dict) -> bool:
    """SavedViewsState's answer: the dialog it opened, or the toast or message of a save or removal."""
    text = json.dumps(answer)
    return "dialog_rx_state_" in text or "message_rx_state_" in text or "toast" in text


def test_nobody_removes_or_renames_another_persons_saved_view_by_sending_its_id(app_server, e2e_database):
    url, _ = e2e_database
    with Session(engine_for(url)) as session:
        view = save_view(
            session=session,
            owner_subject="owner-of-view",
            page="/licenses",
            name="Mine",
            params={"plan": "starter"},
        ).value
        session.commit()
        view_id = view.id
    cookie, _ = staff_cookie(url, "admin-snoop@example.com", ("admin",))
    socket = ReflexSocket(app_server, cookie)
    socket.send_event(
        handler("saved_views_state", "open_rename"), {"view_id": view_id}, until=dialog_answered
    )
    socket.send_event(
        handler("saved_views_state", "rename"), {"form": {"name": "Taken"}}, until=dialog_answered
    )
    socket.send_event(
        handler("saved_views_state", "open_remove"), {"view_id": view_id}, until=dialog_answered
    )
    answers = socket.send_event(handler("saved_views_state", "remove"), {}, until=dialog_answered)
    socket.close()
    assert "That saved view no longer exists" in json.dumps(answers)
    assert saved_views_of(url, "owner-of-view") == ["Mine"]


def test_staff_without_a_role_cannot_save_a_view_of_a_list_they_may_not_read(app_server, e2e_database):
    url, _ = e2e_database
    cookie, _ = staff_cookie(url, "norole-views@example.com", ())
    socket = ReflexSocket(app_server, cookie)
    answers = socket.send_event(
        handler("saved_views_state", "save"), {"form": {"name": "Sneaky"}}, until=dialog_answered
    )
    socket.close()
    assert "Views can be saved from the lists your role may read." in json.dumps(answers)
    assert saved_views_of(url, "norole-views@example.com") == []


AUDIT_EVENTS = (
    ("load", {}),
    ("set_search", {"value": "sign"}),
    ("set_filter", {"name": "kind", "value": "sign_in"}),
    ("next_page", {}),
)


@pytest.mark.parametrize("role", ["sales", "manager"])
def test_roles_without_the_audit_get_none_of_its_entries_over_the_socket(app_server, e2e_database, role):
    url, _ = e2e_database
    email = f"{role}-audit-reader@example.com"
    cookie, _ = staff_cookie(url, email, (role,))
    socket = ReflexSocket(app_server, cookie)
    answers = []
    for name, payload in AUDIT_EVENTS:
        answers += socket.send_event(handler("audit_state", name), payload, path="/audit/", until=refused)
    socket.close()
    assert not carries_rows(answers)
    assert refusals(url, email) == [f"{name} needs audit:read" for name, _ in AUDIT_EVENTS]


def test_support_sending_the_audits_load_is_answered_with_its_entries(app_server, e2e_database):
    """The control for the test above: the same event carries rows for a role that may read them."""
    url, _ = e2e_database
    cookie, _ = staff_cookie(url, "support-audit-reader@example.com", ("support",))
    socket = ReflexSocket(app_server, cookie)
    answers = socket.send_event(
        handler("audit_state", "load"), {}, path="/audit/", until=lambda a: carries_rows([a])
    )
    socket.close()
    assert carries_rows(answers)
