"""Login status: rule 6 (a login disabled on purpose is re-activated only with a reason), and the list.

"Disabled on purpose" means the history set login_activated to false after the record's create
event; "never enabled" means no such change exists.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
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
from admin_app.db.lists.spec import Choice, ChoiceFilter, Condition, ListSpec
from admin_app.db.models import Customer, Version
from admin_app.db.outcomes import Outcome, invalid, refused
from admin_app.db.validation import reason_error
from admin_app.glossary import LOGIN_DISABLED_ON_PURPOSE, LOGIN_NEVER_ENABLED


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


KINDS = {"disabled": LOGIN_DISABLED_ON_PURPOSE, "never": LOGIN_NEVER_ENABLED}


def login_off_kind(why: "DisabledOnPurpose | None") -> str:
    """Why a login that is off is off, in the glossary's words: switched off on purpose, or never on."""
    return KINDS["disabled" if why is not None else "never"]


class _sets_login_off(FunctionElement[bool]):
    """A history row's changes set login_activated to false: the JSON syntax differs between the
    databases."""

    type = sa.Boolean()
    inherit_cache = True


@compiles(_sets_login_off, "postgresql")
def _sets_login_off_postgresql(element: _sets_login_off, compiler: SQLCompiler, **kw: Any) -> str:
    changes = compiler.process(element.clauses, **kw)
    return f"({changes} -> 'login_activated' ->> 1) = 'false'"


@compiles(_sets_login_off)
def _sets_login_off_sqlite(element: _sets_login_off, compiler: SQLCompiler, **kw: Any) -> str:
    changes = compiler.process(element.clauses, **kw)
    return f"(json_extract({changes}, '$.login_activated[1]') = 0)"


def _switched_off() -> Condition:
    """Rule 6 across customers: a history row of the customer's set login_activated to false."""
    return sa.exists().where(
        col(Version.item_type) == "customer",
        col(Version.item_id) == col(Customer.id),
        col(Version.event) == "update",
        _sets_login_off(col(Version.changes)),
    )


def _not_activated() -> Condition:
    """The list is of the customers who cannot sign in."""
    return col(Customer.login_activated).is_(False)


LOGIN_STATUS_LIST = ListSpec(
    entity=Customer,
    id_column=col(Customer.id),
    search=CUSTOMER_SEARCH,
    scope=_not_activated,
    filters=(
        ChoiceFilter(
            "kind",
            "Which",
            "kind",
            {
                "disabled": Choice(KINDS["disabled"], _switched_off),
                "never": Choice(KINDS["never"], lambda: ~_switched_off()),
            },
        ),
    ),
    sort_columns={"name": (Customer.last_name, str)},
    default_sort="name",
    ascending_first=("name",),
)


def disabled_on_purpose_of(session: Session, customers: Sequence[Customer]) -> list[DisabledOnPurpose | None]:
    """Rule 6 over a page of the list: for each customer, who disabled the login on purpose, when and
    why (None for a login never switched off on purpose)."""
    versions = session.exec(
        select(Version)
        .where(col(Version.item_type) == "customer", col(Version.item_id).in_([c.id for c in customers]))
        .order_by(col(Version.id).desc())
    ).all()
    by_customer: dict[int | None, list[Version]] = {}
    for version in versions:
        by_customer.setdefault(version.item_id, []).append(version)
    changes = [disabling_change(by_customer.get(c.id, [])) for c in customers]
    return [DisabledOnPurpose.from_version(change) if change else None for change in changes]
