"""Login status: rule 6 (a login disabled on purpose is re-activated only with a reason), and the list.

"Disabled after creation" means the history set login_activated to false after the record's
create event; "never activated" means no such change exists.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from admin_app.db.customers.search import CUSTOMER_SEARCH
from admin_app.db.customers.tokens import PURPOSES, revoke_outstanding
from admin_app.db.history.audit import (
    Actor,
    audited_update,
    disabling_change,
    login_disabled_change,
    stale_message,
)
from admin_app.db.lists.listing import ListSource
from admin_app.db.lists.paging import Match, Page
from admin_app.db.lists.query_params import read_choice, read_sort
from admin_app.db.lists.text_search import match_for, normalize_term
from admin_app.db.models import Customer, Version
from admin_app.db.outcomes import Outcome, invalid, refused
from admin_app.db.validation import reason_error


@dataclass(frozen=True)
class DisabledOnPurpose:
    """Who switched the login off, when, and why: what the page shows before re-activation."""

    actor: str
    at: datetime
    reason: str

    @classmethod
    def from_version(cls, version: Version) -> "DisabledOnPurpose":
        return cls(actor=version.actor, at=version.created_at, reason=version.reason or "")

    def warning(self) -> str:
        why = f" (“{self.reason}”)" if self.reason else ""
        return (
            f"This login was disabled on purpose by {self.actor} on {self.at:%Y-%m-%d %H:%M} UTC{why}. "
            "Re-activate it only with a written reason; it goes into the history."
        )


def disabled_on_purpose(session: Session, *, customer_id: int) -> DisabledOnPurpose | None:
    """Rule 6's detection, from the history."""
    change = login_disabled_change(session, customer_id=customer_id)
    return DisabledOnPurpose.from_version(change) if change else None


def set_login_activated(
    session: Session,
    *,
    customer_id: int,
    activated: bool,
    lock_version: int,
    confirmed: bool,
    actor: Actor,
    reason: str,
    now: datetime,
) -> Outcome[Customer]:
    """Switch a customer's login on or off.

    Switching off always takes a reason and revokes the customer's outstanding links. Switching on a
    login that was disabled on purpose takes a reason and an explicit confirmation (rule 6); a
    never-activated login just needs the click.
    """
    customer = session.get(Customer, customer_id)
    if customer is None:
        return refused("There is no customer with this id.")
    if customer.lock_version != lock_version:
        return refused(stale_message(session, item_type="customer", item_id=customer_id, noun="customer"))
    if customer.login_activated == activated:
        return refused("The login is already " + ("active." if activated else "disabled."))
    on_purpose = disabled_on_purpose(session, customer_id=customer_id) if activated else None
    problem = reason_error(reason, required=not activated or on_purpose is not None)
    if problem:
        return invalid({"reason": problem})
    if on_purpose is not None and not confirmed:
        return refused(on_purpose.warning(), needs_confirmation=True)
    saved = audited_update(
        session,
        customer,
        lock_version,
        {"login_activated": activated, "updated_at": now},
        changes={"login_activated": [not activated, activated]},
        actor=actor,
        reason=reason,
        now=now,
    )
    if saved.ok and not activated:
        revoke_outstanding(
            session,
            customer_id=customer_id,
            purposes=PURPOSES,
            actor=actor,
            now=now,
            reason="The login was disabled",
        )
    return saved


KINDS = {"disabled": "Disabled after creation", "never": "Never activated"}


SORT_COLUMNS = {"name": (Customer.last_name, str)}


@dataclass(frozen=True)
class LoginStatusQuery:
    q: str = ""
    kind: str | None = None
    sort: str = "name"
    descending: bool = False

    def to_params(self) -> dict[str, str]:
        params = {"q": self.q, "kind": self.kind or ""}
        if self.descending:
            params["sort"] = "-name"
        return {key: value for key, value in params.items() if value}


def parse_login_status_query(params: Mapping[str, object]) -> tuple[LoginStatusQuery, list[str]]:
    errors: list[str] = []
    sort, descending = read_sort(params, {"name": None}, "name", errors)
    query = LoginStatusQuery(
        q=normalize_term(params.get("q")),
        kind=read_choice(params, "kind", KINDS, "kind", errors),
        sort=sort,
        descending=descending,
    )
    return query, errors


def _switched_off(session: Session) -> sa.Exists:
    """SQL for rule 6 across customers: a history row set login_activated to false."""
    changes = col(Version.changes)
    if session.get_bind().dialect.name == "postgresql":
        after = changes.op("->")(sa.literal("login_activated")).op("->>")(sa.literal(1)) == "false"
    else:
        after = sa.func.json_extract(changes, "$.login_activated[1]") == 0
    return sa.exists().where(
        col(Version.item_type) == "customer",
        col(Version.item_id) == col(Customer.id),
        col(Version.event) == "update",
        after,
    )


def _match(session: Session, query: LoginStatusQuery) -> Match:
    filters: list[ColumnElement[bool]] = [col(Customer.login_activated).is_(False)]
    if query.kind == "disabled":
        filters.append(_switched_off(session))
    elif query.kind == "never":
        filters.append(~_switched_off(session))
    return match_for(session, CUSTOMER_SEARCH, query.q, filters)


NOT_ACTIVATED = ListSource(
    entity=Customer, id_column=col(Customer.id), sort_columns=SORT_COLUMNS, match=_match
)


def search_not_activated(
    *,
    session: Session,
    query: LoginStatusQuery,
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
) -> tuple[Page, dict[int, DisabledOnPurpose]]:
    """A page of customers whose login is not activated, and for each one disabled on purpose, by whom."""
    page = NOT_ACTIVATED.search(session=session, query=query, after=after, before=before, limit=limit)
    ids = [c.id for c in page.rows]
    versions = session.exec(
        select(Version)
        .where(col(Version.item_type) == "customer", col(Version.item_id).in_(ids))
        .order_by(col(Version.id).desc())
    ).all()
    by_customer: dict[int, list[Version]] = {}
    for version in versions:
        by_customer.setdefault(version.item_id, []).append(version)
    disabled = {}
    for customer_id, history in by_customer.items():
        change = disabling_change(history)
        if change is not None:
            disabled[customer_id] = DisabledOnPurpose.from_version(change)
    return page, disabled


count_not_activated = NOT_ACTIVATED.count
