"""Find anything: one term looked for in customers, licenses, billing accounts, subscriptions and
reconciliations at once, a few of each, for the command palette.

Each kind asks its own list's first page (same match, same index plans, same sort), so the palette
finds exactly what that list would show first; "all N" leads to the list itself.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from admin_app.db.billing_accounts import AccountQuery, search_accounts
from admin_app.db.customer_list import CustomerQuery, search_customers
from admin_app.db.licenses import LicenseQuery, search_licenses
from admin_app.db.models import BillingAccount, Customer, License, Reconciliation, Subscription
from admin_app.db.reconciliations import ReconciliationQuery, search_reconciliations
from admin_app.db.subscription_list import SubscriptionQuery, search_subscriptions
from admin_app.db.text_search import TRIGRAM, WORD_RUN, normalize_term, term_can_match

PER_KIND = 5


class Kind(StrEnum):
    """What the palette finds, in the order it lists them."""

    CUSTOMER = "customer"
    LICENSE = "license"
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


def _customers(session: Session, term: str, limit: int) -> list[Found]:
    page = search_customers(session=session, query=CustomerQuery(q=term), limit=limit)
    return [_customer(c) for c in page.rows]


def _customer(c: Customer) -> Found:
    return Found(Kind.CUSTOMER, str(c.id), f"{c.first_name} {c.last_name}", f"{c.email} · {c.company}")


def _licenses(session: Session, term: str, limit: int) -> list[Found]:
    page = search_licenses(session=session, query=LicenseQuery(q=term), limit=limit)
    return [_license(lic) for lic in page.rows]


def _license(lic: License) -> Found:
    detail = f"{lic.email} · {lic.plan.capitalize()} · expires {lic.expires_at.isoformat()}"
    return Found(Kind.LICENSE, str(lic.id), lic.company, detail)


def _accounts(session: Session, term: str, limit: int) -> list[Found]:
    page = search_accounts(session=session, query=AccountQuery(q=term), limit=limit)
    return [_account(a) for a in page.rows]


def _account(a: BillingAccount) -> Found:
    return Found(Kind.BILLING_ACCOUNT, str(a.id), a.name, f"Zuora {a.zuora_account_id}")


def _subscriptions(session: Session, term: str, limit: int) -> list[Found]:
    page = search_subscriptions(session=session, query=SubscriptionQuery(q=term), limit=limit)
    return [_subscription(s) for s in page.rows]


def _subscription(s: Subscription) -> Found:
    detail = f"{s.plan.capitalize()} · {s.seats:,} seats · ends {s.term_end.isoformat()} · {s.status}"
    return Found(Kind.SUBSCRIPTION, s.name, s.name, detail)


def _reconciliations(session: Session, term: str, limit: int) -> list[Found]:
    page = search_reconciliations(session=session, query=ReconciliationQuery(q=term), limit=limit)
    return [_reconciliation(r) for r in page.rows]


def _reconciliation(r: Reconciliation) -> Found:
    detail = f"{r.subscription_name} · {r.reconciliation_date.isoformat()} · {r.status}"
    return Found(Kind.RECONCILIATION, str(r.id), r.customer_name, detail)


FINDERS: dict[Kind, Callable[[Session, str, int], list[Found]]] = {
    Kind.CUSTOMER: _customers,
    Kind.LICENSE: _licenses,
    Kind.BILLING_ACCOUNT: _accounts,
    Kind.SUBSCRIPTION: _subscriptions,
    Kind.RECONCILIATION: _reconciliations,
}


def palette_term(raw: object) -> str:
    """The term the palette searches for, or "" until it has three letters or digits in a row.

    Shorter runs cannot use the trigram indexes, and five lists each scanning 20,000 rows is no
    palette; a term that no stored text can contain is "" too.
    """
    term = normalize_term(raw)
    has_run = any(len(run) >= TRIGRAM for run in WORD_RUN.findall(term))
    return term if has_run and term_can_match(term) else ""


def find_kind(*, session: Session, kind: Kind, term: str, per_kind: int = PER_KIND) -> list[Found]:
    """Up to `per_kind` records of one kind matching `term` (nothing, without a query, for a term the
    palette does not search). The kinds are independent: a caller may ask for them side by side."""
    term = palette_term(term)
    return FINDERS[kind](session, term, per_kind) if term else []


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
