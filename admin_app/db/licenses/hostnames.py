"""Licenses found from their servers' host names: a server's name often does not resemble its
company's (acmeinc.com runs gitlab.acmeinc.ninja), so sales type a part of it ("acmeinc.ninja",
"ninja") to learn which license, and so which company, it runs under.

A term is a literal substring of the host name, in any case: LIKE's wildcards and the full-text
operators are escaped as the lists' search escapes them (lists.text_search). Each database looks it up
in a trigram index of the host names (migration 0023): PostgreSQL's GIN index on lower(hostname),
SQLite's FTS5 table license_instance_fts, each rechecked row by row. A term shorter than a trigram
cannot use those indexes, so it is answered with a message rather than a scan.
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement, SQLColumnExpression
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from admin_app.db.lists.text_search import (
    TRIGRAM,
    fts_phrase,
    index_keys,
    key_trigrams,
    like_pattern,
    normalize_term,
    term_can_match,
)
from admin_app.db.models import License, LicenseInstance

HOST_TERM_TOO_SHORT = "Type at least 3 characters of a host name"
FTS_TABLE = "license_instance_fts"
# Servers read at a time while looking for a term's licenses, newest first.
SERVERS_READ = 200


class _on_host(FunctionElement[bool]):
    """A server whose host name holds the term: its arguments are the term's LIKE pattern and its FTS5
    query (_fts_query), and each database compiles it to a look-up in its own trigram index, rechecked
    by LIKE."""

    type = sa.Boolean()
    inherit_cache = True


@compiles(_on_host)
def _through_gin_index(element: _on_host, compiler: SQLCompiler, **kw: Any) -> str:
    pattern, _ = element.clauses
    hostname = sa.func.lower(col(LicenseInstance.hostname))
    return compiler.process(hostname.like(sa.func.lower(pattern), escape="\\"), **kw)


@compiles(_on_host, "sqlite")
def _through_fts_table(element: _on_host, compiler: SQLCompiler, **kw: Any) -> str:
    pattern, fts_query = element.clauses
    indexed: sa.Select[Any] = (
        sa.select(sa.literal_column("rowid"))
        .select_from(sa.table(FTS_TABLE))
        .where(sa.literal_column(FTS_TABLE).op("MATCH")(fts_query))
    )
    # SQLite's LIKE folds ASCII letters alone; host names are stored in lower case, and so is the term.
    condition = sa.and_(
        col(LicenseInstance.id).in_(indexed), col(LicenseInstance.hostname).like(pattern, escape="\\")
    )
    return compiler.process(condition, **kw)


def host_term(raw: object) -> str:
    """The term as typed, trimmed and in lower case (host names are stored so)."""
    return normalize_term(raw).lower()


def host_term_searchable(term: str) -> bool:
    """True for a term long enough to look up in the trigram indexes."""
    return len(term) >= TRIGRAM


def _fts_query(term: str) -> str:
    """What SQLite's trigram table is asked for: the trigrams that cover the term's keys, ANDed, as the
    lists' search asks (text_search.key_trigrams: "gitlab.acmeinc.ninja" 11 -> 4 ms), or the whole
    term as one phrase when it has no key ("-01."). LIKE rechecks the rows either finds."""
    keys = index_keys(term, "sqlite")
    if not keys:
        return fts_phrase(term)
    return " AND ".join(fts_phrase(trigram) for trigram in key_trigrams(keys))


def on_host(term: str) -> ColumnElement[bool]:
    """Servers (license_instance rows) whose host name holds `term` (from host_term, searchable)
    literally; nothing for a term no host name can hold."""
    if not term_can_match(term):
        return sa.false()
    return _on_host(sa.literal(like_pattern(term), sa.Text), sa.literal(_fts_query(term), sa.Text))


def license_ids_on_host(term: str) -> sa.Select[int]:
    """The ids of the licenses with a server whose host name holds `term` (as in on_host)."""
    return sa.select(col(LicenseInstance.license_id)).where(on_host(term))


@dataclass(frozen=True)
class LicenseOnHost:
    """A license found by a host name: its company and its servers' names that hold the term."""

    license_id: int
    company: str
    hostnames: tuple[str, ...]


@dataclass(frozen=True)
class HostSearch:
    """What a host name term found, or why it was not looked up (`message`)."""

    licenses: list[LicenseOnHost]
    message: str = ""


def _servers_on_host(term: str, dialect: str, before: int | None) -> Select[int | None, int, str]:
    """The next SERVERS_READ servers whose host name holds `term`, newest (largest id) first, before
    the server `before` when given. SQLite reads its trigram table in that order and stops at the
    limit (the IN form of on_host reads every match first: 40,000 servers for "ninja", 40 ms)."""
    instance_id: SQLColumnExpression[Any] = col(LicenseInstance.id)
    hostname = col(LicenseInstance.hostname)
    statement = select(instance_id, col(LicenseInstance.license_id), hostname)
    if dialect == "sqlite":
        indexed = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer))
        instance_id = indexed.c.rowid
        statement = statement.join(indexed, indexed.c.rowid == col(LicenseInstance.id)).where(
            sa.literal_column(FTS_TABLE).op("MATCH")(_fts_query(term)),
            hostname.like(like_pattern(term), escape="\\"),
        )
    else:
        statement = statement.where(on_host(term))
    if before is not None:
        statement = statement.where(instance_id < before)
    return statement.order_by(instance_id.desc()).limit(SERVERS_READ)


def _hostnames_of(
    session: Session, license_ids: list[int], term: str
) -> tuple[dict[int, str], dict[int, list[str]]]:
    """Each license's company, and its servers' names that hold `term` in order: a few rows, read
    through the license's own servers."""
    hostname = sa.func.lower(col(LicenseInstance.hostname))
    rows = session.exec(
        select(col(LicenseInstance.license_id), col(License.company), col(LicenseInstance.hostname))
        .join(License, col(License.id) == col(LicenseInstance.license_id))
        .where(
            col(LicenseInstance.license_id).in_(license_ids),
            hostname.like(sa.func.lower(sa.literal(like_pattern(term), sa.Text)), escape="\\"),
        )
        .order_by(col(LicenseInstance.hostname))
    )
    companies: dict[int, str] = {}
    hostnames: dict[int, list[str]] = {}
    for license_id, company, name in rows:
        companies[license_id] = company
        hostnames.setdefault(license_id, []).append(name)
    return companies, hostnames


def licenses_on_host(session: Session, term: object, limit: int = 50) -> HostSearch:
    """Up to `limit` licenses with a server whose host name holds `term` literally, in any case: the
    license of the newest such server (by id) first, each with all its matching host names in order.

    A term shorter than three characters is not looked up (the message says so); one no host name can
    hold (too long, a NUL byte) finds nothing. Servers are read newest first, SERVERS_READ at a time,
    until `limit` licenses are found: a common term ("ninja", one server in eight) stops at the first
    read, a rare one reads its few servers through the index.
    """
    wanted = host_term(term)
    if not host_term_searchable(wanted):
        return HostSearch([], HOST_TERM_TOO_SHORT)
    if not term_can_match(wanted) or limit < 1:
        return HostSearch([])
    dialect = session.get_bind().dialect.name
    license_ids: dict[int, None] = {}
    before = None
    while len(license_ids) < limit:
        servers = session.exec(_servers_on_host(wanted, dialect, before)).all()
        for _, license_id, _ in servers:
            if len(license_ids) < limit:
                license_ids.setdefault(license_id)
        if len(servers) < SERVERS_READ:
            break
        before = servers[-1][0]
    if not license_ids:
        return HostSearch([])
    companies, hostnames = _hostnames_of(session, list(license_ids), wanted)
    return HostSearch(
        [LicenseOnHost(i, companies[i], tuple(hostnames[i])) for i in license_ids if i in companies]
    )
