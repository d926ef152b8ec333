"""Usage pings: the servers that run a self-managed license, as they report themselves once a day.

A server's host name often does not resemble its company's domain (acmeinc.com runs
gitlab.acmeinc.ninja): what its servers report under a license is the only way to find them. A ping
names the license (its id is in the license file), the server's own id, its host name and version, the
day and that day's active users. The first ping of a server records it; each day's first ping is kept
and later ones for the same day change nothing (a server that sends again after a lost answer is told
its ping was recorded). The server's row shows what its newest day said; its peak is the most users of
any day reported.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from admin_app.db.models import License, LicenseInstance, UsagePing, id_of
from admin_app.db.outcomes import Outcome, invalid, refused

MAX_INSTANCE_ID_LENGTH = 64
MAX_HOSTNAME_LENGTH = 253
MAX_VERSION_LENGTH = 50
# More users than any license could count: a number past it is a broken client, not usage.
MAX_ACTIVE_USERS = 10_000_000
# A ping is for a day close to now: a server's clock may be a day ahead, and one that was offline
# sends the days it missed, up to a month back.
DAYS_BACK_ACCEPTED = 31
INSTANCE_ID = re.compile(rf"[A-Za-z0-9._:-]{{1,{MAX_INSTANCE_ID_LENGTH}}}")
# Letters, digits, dots, dashes and underscores (internal names have them): no spaces or markup.
HOSTNAME = re.compile(rf"[A-Za-z0-9._-]{{1,{MAX_HOSTNAME_LENGTH}}}")
VERSION = re.compile(rf"[A-Za-z0-9.+_-]{{1,{MAX_VERSION_LENGTH}}}")

UNKNOWN_LICENSE = "There is no license with this id."
CLOUD_LICENSE = "Usage pings are for self-managed licenses; this is a cloud license."
JUST_RECORDED = "This server's ping for this day was just recorded; nothing more to do."


@dataclass(frozen=True)
class UsageReport:
    """One day's usage of one server, as its ping said it (checked)."""

    license_id: int
    instance_id: str
    hostname: str
    version: str
    day: date
    active_users: int


def _whole_number(value: object) -> int | None:
    # JSON true and false are ints to Python: not a number of anything here.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def usage_report(payload: object, *, today: date) -> Outcome[UsageReport]:
    """The report in a ping's JSON object, or a message per field that is missing or out of bounds."""
    if not isinstance(payload, dict):
        return invalid({"": "Expected a JSON object."})
    errors: dict[str, str] = {}
    license_id = _whole_number(payload.get("license_id"))
    if license_id is None or not 0 < license_id < 2**63:
        errors["license_id"] = "The license id, a whole number, from the license file."
    texts = {}
    for name, pattern, length, what in (
        (
            "instance_id",
            INSTANCE_ID,
            MAX_INSTANCE_ID_LENGTH,
            "letters, digits, dots, dashes, underscores or colons",
        ),
        ("hostname", HOSTNAME, MAX_HOSTNAME_LENGTH, "letters, digits, dots, dashes or underscores"),
        ("version", VERSION, MAX_VERSION_LENGTH, "letters, digits, dots, dashes, underscores or plus signs"),
    ):
        value = payload.get(name)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            errors[name] = f"1 to {length} {what}."
        else:
            texts[name] = value
    day = None
    try:
        day = date.fromisoformat(payload["day"]) if isinstance(payload.get("day"), str) else None
    except ValueError:
        day = None
    if day is None or not today - timedelta(days=DAYS_BACK_ACCEPTED) <= day <= today + timedelta(days=1):
        errors["day"] = f"The day counted, YYYY-MM-DD, at most {DAYS_BACK_ACCEPTED} days ago."
    active_users = _whole_number(payload.get("active_users"))
    if active_users is None or not 0 <= active_users <= MAX_ACTIVE_USERS:
        errors["active_users"] = f"The users active that day, a whole number from 0 to {MAX_ACTIVE_USERS:,}."
    if errors or license_id is None or day is None or active_users is None:
        return invalid(errors)
    return Outcome(
        value=UsageReport(
            license_id=license_id,
            instance_id=texts["instance_id"],
            hostname=texts["hostname"].lower(),
            version=texts["version"],
            day=day,
            active_users=active_users,
        )
    )


@dataclass(frozen=True)
class Recorded:
    """The server a ping was about, and whether the ping was news (False: its day was recorded before)."""

    instance: LicenseInstance
    new_day: bool


def record_usage_ping(*, session: Session, report: UsageReport, at: datetime) -> Outcome[Recorded]:
    """Record `report`, received `at`: the server on its first ping, the day on its first ping that day;
    a repeat of a day changes nothing. The caller commits."""
    # Locked on PostgreSQL, so two pings of one license's servers are recorded one after the other.
    license = session.exec(select(License).where(License.id == report.license_id).with_for_update()).first()
    if license is None:
        return refused(UNKNOWN_LICENSE)
    if license.license_type == "cloud":
        return refused(CLOUD_LICENSE)
    instance = session.exec(
        select(LicenseInstance).where(
            LicenseInstance.license_id == report.license_id, LicenseInstance.instance_id == report.instance_id
        )
    ).first()
    try:
        if instance is None:
            instance = LicenseInstance(
                license_id=id_of(license),
                instance_id=report.instance_id,
                hostname=report.hostname,
                version=report.version,
                first_ping_at=at,
                last_ping_at=at,
                active_users=report.active_users,
                peak_users=report.active_users,
            )
            session.add(instance)
            session.flush()
        elif session.exec(
            select(UsagePing.id).where(
                UsagePing.license_instance_id == instance.id, UsagePing.day == report.day
            )
        ).first():
            return Outcome(value=Recorded(instance, new_day=False))
        else:
            newest_day = session.exec(
                select(sa.func.max(col(UsagePing.day))).where(UsagePing.license_instance_id == instance.id)
            ).one()
            if newest_day is None or report.day >= newest_day:
                instance.hostname, instance.version = report.hostname, report.version
                instance.active_users = report.active_users
            instance.peak_users = max(instance.peak_users, report.active_users)
            instance.last_ping_at = max(instance.last_ping_at, at)
        session.add(
            UsagePing(
                license_instance_id=id_of(instance),
                day=report.day,
                active_users=report.active_users,
                received_at=at,
            )
        )
        session.flush()
    except IntegrityError:
        # The same ping twice at once (SQLite does not lock the license): the unique keys keep one.
        session.rollback()
        return refused(JUST_RECORDED)
    return Outcome(value=Recorded(instance, new_day=True))


@dataclass(frozen=True)
class ServerUsage:
    """A server of a license as its page lists it: what its newest ping said, and whether it went quiet."""

    hostname: str
    version: str
    active_users: int
    peak_users: int
    last_ping_at: datetime
    stale: bool


def servers_of_license(
    *, session: Session, license_id: int, now: datetime, stale_after: timedelta
) -> list[ServerUsage]:
    """The servers that reported usage under a license, the one that reported last first; a server
    whose last ping is older than `stale_after` is stale."""
    found = session.exec(
        select(LicenseInstance)
        .where(LicenseInstance.license_id == license_id)
        .order_by(col(LicenseInstance.last_ping_at).desc(), col(LicenseInstance.id).desc())
    ).all()
    return [
        ServerUsage(
            hostname=server.hostname,
            version=server.version,
            active_users=server.active_users,
            peak_users=server.peak_users,
            last_ping_at=server.last_ping_at,
            stale=now - server.last_ping_at > stale_after,
        )
        for server in found
    ]
