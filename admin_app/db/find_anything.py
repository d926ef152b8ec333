"""Find anything: one term looked for in customers, licenses, servers, billing accounts, subscriptions
and reconciliations at once, a few of each, for the command palette.

Each kind but servers asks its own list's first page (same match, same index plans, same sort), so the
palette finds exactly what that list would show first; "all N" leads to the list itself. Servers are
found by their host names (licenses.hostnames), each leading to the license it runs under.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from admin_app.db.accounts.search import ACCOUNT_LIST
from admin_app.db.customers.search import CUSTOMER_LIST
from admin_app.db.licenses.hostnames import licenses_on_host
from admin_app.db.licenses.search import LICENSE_LIST
from admin_app.db.lists.paging import Page
from admin_app.db.lists.text_search import TRIGRAM, WORD_RUN, normalize_term, term_can_match
from admin_app.db.models import BillingAccount, Customer, License, Reconciliation, Subscription
from admin_app.db.reconciliations.search import RECONCILIATION_LIST
from admin_app.db.subscriptions.search import SUBSCRIPTION_LIST

PER_KIND = 5


class Kind(StrEnum):
    """What the palette finds, in the order it lists them."""

    CUSTOMER = "customer"
    LICENSE = "license"
    SERVER = "server"
    BILLING_ACCOUNT = "billing_account"
    SUBSCRIPTION = "subscription"
    RECONCILIATION = "reconciliation"


@dataclass(frozen=True)
class Found:
    """One record the term matched: `key` is what its page's URL ends in (an id, a subscription's name)."""

    kind: Kind
    key: str
    title: str
    detail: str


def _customer(c: Customer) -> Found:
    return Found(Kind.CUSTOMER, str(c.id), f"{c.first_name} {c.last_name}", f"{c.email} · {c.company}")


def _license(lic: License) -> Found:
    detail = f"{lic.email} · {lic.plan.capitalize()} · expires {lic.expires_at.isoformat()}"
    return Found(Kind.LICENSE, str(lic.id), lic.company, detail)


def _account(a: BillingAccount) -> Found:
    return Found(Kind.BILLING_ACCOUNT, str(a.id), a.name, f"Zuora {a.zuora_account_id}")


def _subscription(s: Subscription) -> Found:
    detail = f"{s.plan.capitalize()} · {s.seats:,} seats · ends {s.term_end.isoformat()} · {s.status}"
    return Found(Kind.SUBSCRIPTION, s.name, s.name, detail)


def _reconciliation(r: Reconciliation) -> Found:
    detail = f"{r.subscription_name} · {r.reconciliation_date.isoformat()} · {r.status}"
    return Found(Kind.RECONCILIATION, str(r.id), r.customer_name, detail)


# How one kind is found: up to a number of records matching a term.
Finder = Callable[[Session, str, int], list[Found]]


def _in_list(
    search: Callable[..., Page], query: Callable[..., object], shown: Callable[[Any], Found]
) -> Finder:
    """A kind found as its list's first page shows it: the list's search, its query type, what a hit shows."""
    return lambda session, term, limit: [
        shown(row) for row in search(session=session, query=query(q=term), limit=limit).rows
    ]


def _servers(session: Session, term: str, limit: int) -> list[Found]:
    """Up to `limit` servers whose host name holds `term`, each leading to its license, as
    licenses_on_host orders them (the license of the newest such server first)."""
    found = licenses_on_host(session, term, limit)
    hits = [
        Found(Kind.SERVER, str(lic.license_id), hostname, lic.company)
        for lic in found.licenses
        for hostname in lic.hostnames
    ]
    return hits[:limit]


FINDERS: dict[Kind, Finder] = {
    Kind.CUSTOMER: _in_list(CUSTOMER_LIST.rows, CUSTOMER_LIST.query, _customer),
    Kind.LICENSE: _in_list(LICENSE_LIST.rows, LICENSE_LIST.query, _license),
    Kind.SERVER: _servers,
    Kind.BILLING_ACCOUNT: _in_list(ACCOUNT_LIST.rows, ACCOUNT_LIST.query, _account),
    Kind.SUBSCRIPTION: _in_list(SUBSCRIPTION_LIST.rows, SUBSCRIPTION_LIST.query, _subscription),
    Kind.RECONCILIATION: _in_list(RECONCILIATION_LIST.rows, RECONCILIATION_LIST.query, _reconciliation),
}


def palette_term(raw: object) -> str:
    """The term the palette searches for, or "" until it has three letters or digits in a row.

    Shorter runs cannot use the trigram indexes, and five lists each scanning 10,000 rows is no
    palette; a term that no stored text can contain is "" too.
    """
    term = normalize_term(raw)
    has_run = any(len(run) >= TRIGRAM for run in WORD_RUN.findall(term))
    return term if has_run and term_can_match(term) else ""


def find_kind(*, session: Session, kind: Kind, term: str, per_kind: int = PER_KIND) -> list[Found]:
    """Up to `per_kind` records of one kind matching `term` (nothing, without a query, for a term the
    palette does not search). The kinds are independent: a caller may ask for them side by side."""
    term = palette_term(term)
    if not term:
        return []
    return FINDERS[kind](session, term, per_kind)


def find_anything(
    *, session: Session, term: str, kinds: Collection[Kind], per_kind: int = PER_KIND
) -> list[Found]:
    """Up to `per_kind` records of each of `kinds` matching `term`, grouped by kind in Kind's order."""
    return [
        found
        for kind in Kind
        if kind in kinds
        for found in find_kind(session=session, kind=kind, term=term, per_kind=per_kind)
    ]
