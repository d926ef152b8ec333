"""The records of a page of history named as a person knows them: "Leo Scott (customer)", "Stone Bear
Networks BV (billing account)", a contact by name and account, a license by company and id, a
membership by its customer and account, an email by what it was.

Each kind of record on the page is read in one query, whatever the number of rows. A record deleted
since is named from what its history row knows (the names it wrote, the customer and account it was
about), or by its kind and id, and says "deleted".
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from admin_app.db.history.audit import ITEM_LABELS
from admin_app.db.mail.outbox import KINDS as EMAIL_KINDS
from admin_app.db.models import (
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    Customer,
    License,
    OutboxMessage,
    Version,
    table_of,
)

# What a record is known by: its name's parts, or the ids of the records it joins.
Facts = Mapping[str, object]


@dataclass(frozen=True)
class PageRecords:
    """The records a page of history is about: the name of each row's record (by the row's id: a
    record deleted since is named from what each row knows), and the billing account of each contact
    still there (its changes are shown on the account's page)."""

    names: Mapping[int, str]
    contact_accounts: Mapping[int, int]

    def name_of(self, version: Version) -> str:
        named = self.names.get(version.id) if version.id is not None else None
        return named or _kind_and_id(version)


def _kind_and_id(version: Version) -> str:
    return f"{ITEM_LABELS.get(version.item_type, version.item_type)} #{version.item_id}"


def _ids(versions: Iterable[Version], item_type: str) -> set[int]:
    return {v.item_id for v in versions if v.item_type == item_type}


def _id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _read(
    session: Session, model: type[SQLModel], fields: Sequence[str], ids: Iterable[int]
) -> dict[int, Facts]:
    """One query: the fields of the model's rows with these ids, by id (none for no ids)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    table = table_of(model)
    statement = sa.select(table.c.id, *(table.c[field] for field in fields)).where(table.c.id.in_(wanted))
    return {row[0]: dict(zip(fields, row[1:], strict=True)) for row in session.execute(statement)}


def _known(version: Version, field: str) -> object:
    """A field's value as the row wrote it: after the change, else before it (a deletion's)."""
    pair = (version.changes or {}).get(field)
    if not isinstance(pair, list) or len(pair) != 2:
        return None
    after, before = pair[1], pair[0]
    return after if after not in (None, "") else before


def _known_id(version: Version, about: int | None, field: str) -> int | None:
    """The customer or account a row is about: as the row was filed, else as its changes say."""
    return about if about is not None else _id(_known(version, field))


def _person(facts: Facts | None) -> str:
    if not facts:
        return ""
    return " ".join(str(facts.get(part) or "").strip() for part in ("first_name", "last_name")).strip()


def _text(facts: Facts | None, field: str) -> str:
    value = (facts or {}).get(field)
    return value.strip() if isinstance(value, str) else ""


def _row_facts(version: Version, fields: Iterable[str]) -> dict[str, object]:
    return {field: _known(version, field) for field in fields}


@dataclass(frozen=True)
class _Read:
    """What one page's queries found, by kind."""

    customers: Mapping[int, Facts]
    accounts: Mapping[int, Facts]
    contacts: Mapping[int, Facts]
    memberships: Mapping[int, Facts]
    licenses: Mapping[int, Facts]
    emails: Mapping[int, Facts]


def _membership_ends(version: Version, live: Facts | None) -> tuple[int | None, int | None]:
    """The customer and the account a membership joins (joined, for one deleted since)."""
    if live is not None:
        return _id(live["customer_id"]), _id(live["billing_account_id"])
    return (
        _known_id(version, version.customer_id, "customer_id"),
        _known_id(version, version.billing_account_id, "billing_account_id"),
    )


def _contact_account(version: Version, live: Facts | None) -> int | None:
    """The account of a contact (as the row was filed, for one deleted since)."""
    return _id(live["billing_account_id"]) if live is not None else version.billing_account_id


def _read_page(session: Session, versions: Sequence[Version]) -> _Read:
    """One query per kind of record on the page; memberships and contacts first, for the customers
    and accounts they name."""
    memberships = _read(
        session,
        BillingAccountMembership,
        ("customer_id", "billing_account_id"),
        _ids(versions, "billing_account_membership"),
    )
    contacts = _read(
        session,
        BillingAccountContact,
        ("first_name", "last_name", "billing_account_id"),
        _ids(versions, "billing_account_contact"),
    )
    ends = [
        _membership_ends(v, memberships.get(v.item_id))
        for v in versions
        if v.item_type == "billing_account_membership"
    ]
    of_contacts = [
        _contact_account(v, contacts.get(v.item_id))
        for v in versions
        if v.item_type == "billing_account_contact"
    ]
    customer_ids = _ids(versions, "customer") | {customer for customer, _ in ends if customer is not None}
    account_ids = _ids(versions, "billing_account") | {
        account for account in [*(account for _, account in ends), *of_contacts] if account is not None
    }
    return _Read(
        customers=_read(session, Customer, ("first_name", "last_name"), customer_ids),
        accounts=_read(session, BillingAccount, ("name",), account_ids),
        contacts=contacts,
        memberships=memberships,
        licenses=_read(session, License, ("company",), _ids(versions, "license")),
        emails=_read(session, OutboxMessage, ("kind", "to_address"), _ids(versions, "outbox_message")),
    )


def _named(what: str, kind: str, deleted: bool, version: Version) -> str:
    """A record named as "What (kind)", "What (kind, deleted)", or by its kind and id when nothing
    else is known ("Membership #9 (deleted)")."""
    if not what:
        return _kind_and_id(version) + (" (deleted)" if deleted else "")
    return f"{what} ({kind}{', deleted' if deleted else ''})"


def _customer(version: Version, read: _Read) -> str:
    live = read.customers.get(version.item_id)
    facts = live if live is not None else _row_facts(version, ("first_name", "last_name"))
    return _named(_person(facts), "customer", live is None, version)


def _account(version: Version, read: _Read) -> str:
    live = read.accounts.get(version.item_id)
    facts = live if live is not None else _row_facts(version, ("name",))
    return _named(_text(facts, "name"), "billing account", live is None, version)


def _contact(version: Version, read: _Read) -> str:
    live = read.contacts.get(version.item_id)
    facts = live if live is not None else _row_facts(version, ("first_name", "last_name"))
    account_id = _contact_account(version, live)
    account = _text(read.accounts.get(account_id) if account_id is not None else None, "name")
    return _named(_person(facts), f"contact of {account}" if account else "contact", live is None, version)


def _membership(version: Version, read: _Read) -> str:
    live = read.memberships.get(version.item_id)
    customer_id, account_id = _membership_ends(version, live)
    customer = _person(read.customers.get(customer_id) if customer_id is not None else None)
    account = _text(read.accounts.get(account_id) if account_id is not None else None, "name")
    what = f"{customer} in {account}" if customer and account else ""
    return _named(what, "membership", live is None, version)


def _license(version: Version, read: _Read) -> str:
    live = read.licenses.get(version.item_id)
    facts = live if live is not None else _row_facts(version, ("company",))
    return _named(_text(facts, "company"), f"license #{version.item_id}", live is None, version)


def _email(version: Version, read: _Read) -> str:
    live = read.emails.get(version.item_id)
    facts = live if live is not None else _row_facts(version, ("kind", "to_address"))
    kind, to = _text(facts, "kind"), _text(facts, "to_address")
    what = f"{EMAIL_KINDS.get(kind, 'Email')} to {to}" if to else ""
    return _named(what, "email", live is None, version)


NAMERS: dict[str, Callable[[Version, _Read], str]] = {
    "customer": _customer,
    "billing_account": _account,
    "billing_account_contact": _contact,
    "billing_account_membership": _membership,
    "license": _license,
    "outbox_message": _email,
}


def page_records(session: Session, versions: Sequence[Version]) -> PageRecords:
    """The name of each record a page of history is about, and the accounts of its contacts."""
    read = _read_page(session, versions)
    names = {
        v.id: NAMERS[v.item_type](v, read) for v in versions if v.id is not None and v.item_type in NAMERS
    }
    accounts = {
        contact_id: account
        for contact_id, facts in read.contacts.items()
        if (account := _id(facts["billing_account_id"])) is not None
    }
    return PageRecords(names=names, contact_accounts=accounts)
