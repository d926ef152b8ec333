"""Row generators for the demo data: same seed and scale, same rows.

Dates are laid out around a fixed reference date, not today, so the rows do not
change from one day to the next.
"""

import hashlib
import random
import re
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlmodel import SQLModel

from admin_app.db.models import (
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    CloudActivation,
    Customer,
    License,
    LicenseInstance,
    Reconciliation,
    Subscription,
    UsagePing,
    Version,
    table_of,
)
from admin_app.seed import words

REFERENCE_DATE = date(2026, 11, 1)
FIRST_QUARTER = date(2019, 1, 1)


@dataclass(frozen=True)
class Scale:
    """How many rows of each kind to make."""

    billing_accounts: int
    licenses: int
    reconciliations: int
    customers_per_account: int = 2


SCALES = {
    "small": Scale(billing_accounts=300, licenses=3_000, reconciliations=2_000),
    "large": Scale(billing_accounts=100_000, licenses=1_000_000, reconciliations=1_000_000),
}

_TABLE_MODELS: tuple[type[SQLModel], ...] = (
    Customer,
    BillingAccount,
    BillingAccountContact,
    BillingAccountMembership,
    Subscription,
    License,
    Reconciliation,
    Version,
    CloudActivation,
    LicenseInstance,
    UsagePing,
)
# Rows are tuples in the tables' column order, which is the order of the model fields.
TABLE_COLUMNS = {table.name: tuple(table.columns.keys()) for table in map(table_of, _TABLE_MODELS)}

# request_id, subject, session_id, client_address: demo history was not made in a staff session;
# the customer and account ids the row is about follow.
SEED_PROVENANCE = (None, None, None, None)


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(8 * 3600, 20 * 3600)
    )


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


@dataclass
class Company:
    """A paying company (it has a billing account) or a prospect (trials only)."""

    name: str
    domain: str
    country: str


def company(index: int) -> Company:
    """The index-th company name: unique for every index below about two million."""
    if index == 0:
        return Company(name="ACME Corporation", domain="acme.test", country="US")
    n_words = len(words.COMPANY_WORDS)
    total = n_words * n_words * len(words.SECTORS) * len(words.SUFFIXES)
    k = (index * 7_919 + 104_729) % total
    k, suffix = divmod(k, len(words.SUFFIXES))
    k, sector = divmod(k, len(words.SECTORS))
    first, second = divmod(k, n_words)
    if first == second:
        second = (second + 1) % n_words
    parts = [words.COMPANY_WORDS[first], words.COMPANY_WORDS[second], words.SECTORS[sector]]
    suffix_text = words.SUFFIXES[suffix]
    domain = f"{_ascii_slug(''.join(parts))}-{_ascii_slug(suffix_text)}.test"
    country = words.COUNTRIES[index % len(words.COUNTRIES)]
    return Company(name=f"{' '.join(parts)} {suffix_text}", domain=domain, country=country)


@dataclass
class Ids:
    """Next id per table; ids are assigned here so related rows can point at each other."""

    next: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLE_COLUMNS, 1))

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class Rows:
    """Rows made for one batch of companies, per table."""

    tables: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in TABLE_COLUMNS})

    def add(self, table: str, row: tuple) -> None:
        self.tables[table].append(row)


@dataclass
class Account:
    """What later rows need to know about a billing account."""

    id: int
    name: str
    subscriptions: list[tuple[str, str, int, str]]  # name, plan, seats, channel
    currency: str


def license_counts(scale: Scale, rng: random.Random) -> tuple[list[int], list[int]]:
    """Licenses per paying company and per prospect, adding up exactly to scale.licenses."""
    prospects = max(1, scale.billing_accounts // 4)
    prospect_counts = [rng.choice((1, 1, 2)) for _ in range(prospects)]
    mean = (scale.licenses - sum(prospect_counts)) / scale.billing_accounts
    counts = [max(1, round(rng.gauss(mean, mean / 3))) for _ in range(scale.billing_accounts)]
    difference = scale.licenses - sum(counts) - sum(prospect_counts)
    step = 1 if difference > 0 else -1
    i = 0
    while difference:
        j = i % len(counts)
        if step > 0 or counts[j] > 1:
            counts[j] += step
            difference -= step
        i += 1
    return counts, prospect_counts


def _person(rng: random.Random, domain: str, taken: set[str]) -> tuple[str, str, str]:
    first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
    local = f"{_ascii_slug(first)}.{_ascii_slug(last)}"
    email, n = f"{local}@{domain}", 2
    while email.lower() in taken:
        email, n = f"{local}{n}@{domain}", n + 1
    taken.add(email.lower())
    return first, last, email


def make_paying_company(
    index: int, n_licenses: int, scale: Scale, rng: random.Random, ids: Ids, rows: Rows
) -> Account:
    """A billing account with contacts, customers, memberships, subscriptions and licenses."""
    co = company(index)
    taken: set[str] = set()
    account_id = ids.take("billing_account")
    has_trial = n_licenses > 1 and rng.random() < 0.7
    n_paid = n_licenses - has_trial
    # Most customers renew up to today; some churned years ago.
    if rng.random() < 0.85:
        end = REFERENCE_DATE + timedelta(days=rng.randrange(-30, 45))
    else:
        end = REFERENCE_DATE - timedelta(days=rng.randrange(400, 1500))
    interval = rng.randrange(120, 366)
    start = max(date(2015, 1, 5), end - timedelta(days=interval * max(0, n_paid - 1)))
    created = _at(start - timedelta(days=rng.randrange(1, 90)), rng)

    customers = []
    for position in range(scale.customers_per_account):
        first, last, email = _person(rng, co.domain, taken)
        customer_id = ids.take("customer")
        roll = rng.random()
        disabled_on_purpose = roll < 0.03
        never_activated = 0.03 <= roll < 0.08
        confirmed = (
            None
            if never_activated or rng.random() < 0.05
            else created + timedelta(hours=rng.randrange(1, 72))
        )
        updated = created + timedelta(days=rng.randrange(0, 400))
        rows.add(
            "customer",
            (
                customer_id,
                first,
                last,
                email,
                co.name,
                co.country,
                customer_id * 7 + 1_000 if rng.random() < 0.8 else None,
                not (disabled_on_purpose or never_activated),
                confirmed,
                created,
                updated,
                0,
            ),
        )
        rows.add(
            "version",
            (
                ids.take("version"),
                "customer",
                customer_id,
                "create",
                "portal-signup",
                {"email": [None, email], "first_name": [None, first], "last_name": [None, last]},
                None,
                created,
                *SEED_PROVENANCE,
                customer_id,
                None,
            ),
        )
        if disabled_on_purpose:
            rows.add(
                "version",
                (
                    ids.take("version"),
                    "customer",
                    customer_id,
                    "update",
                    rng.choice(words.STAFF),
                    {"login_activated": [True, False]},
                    rng.choice(words.DISABLE_REASONS),
                    updated,
                    *SEED_PROVENANCE,
                    customer_id,
                    None,
                ),
            )
        if (position == 0 and rng.random() < 0.8) or (position > 0 and rng.random() < 0.3):
            membership_id = ids.take("billing_account_membership")
            member_since = created + timedelta(days=rng.randrange(0, 30))
            actor = rng.choice(words.STAFF)
            rows.add(
                "billing_account_membership", (membership_id, customer_id, account_id, member_since, actor)
            )
            rows.add(
                "version",
                (
                    ids.take("version"),
                    "billing_account_membership",
                    membership_id,
                    "create",
                    actor,
                    {"customer_id": [None, customer_id], "billing_account_id": [None, account_id]},
                    None,
                    member_since,
                    *SEED_PROVENANCE,
                    customer_id,
                    account_id,
                ),
            )
        customers.append((first, last, email))

    city = words.CITIES[co.country]
    sold_to = customers[0] if rng.random() < 0.7 else _person(rng, co.domain, taken)
    sold_to_id = ids.take("billing_account_contact")
    address = (
        f"{rng.randrange(1, 999)} Market Street",
        "",
        city,
        "",
        f"{rng.randrange(10000, 99999)}",
        co.country,
    )
    rows.add("billing_account_contact", (sold_to_id, account_id, *sold_to, *address, 0))
    bill_to_id = sold_to_id
    if rng.random() >= 0.6:
        bill_to_id = ids.take("billing_account_contact")
        taken.add(f"accounts.payable@{co.domain}")
        rows.add(
            "billing_account_contact",
            (
                bill_to_id,
                account_id,
                "Accounts",
                "Payable",
                f"accounts.payable@{co.domain}",
                *address,
                0,
            ),
        )
    reseller = rng.choice(words.RESELLERS) if rng.random() < 0.15 else None
    rows.add(
        "billing_account",
        (
            account_id,
            f"{rng.getrandbits(128):032x}",
            co.name,
            "001" + "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=15)),
            reseller,
            sold_to_id,
            bill_to_id,
            0,
        ),
    )

    subscriptions = []
    for _ in range(1 if rng.random() < 0.7 else 2):
        sub_id = ids.take("subscription")
        name = f"A-S{10_000_000 + sub_id:08d}"
        plan = _weighted(rng, (("starter", 15), ("premium", 55), ("ultimate", 30)))
        seats = int(min(5_000, max(5, rng.lognormvariate(3.5, 1.1))))
        years = (REFERENCE_DATE - start).days // 365
        term_start = start + timedelta(days=365 * years)
        channel = "reseller" if reseller else ("marketplace" if rng.random() < 0.08 else "direct")
        rows.add(
            "subscription",
            (
                sub_id,
                name,
                account_id,
                plan,
                "saas" if rng.random() < 0.45 else "self-managed",
                seats,
                term_start,
                term_start + timedelta(days=365),
                rng.random() < 0.8,
                _weighted(rng, (("active", 85), ("cancelled", 10), ("expired", 5))),
                channel,
            ),
        )
        subscriptions.append((name, plan, seats, channel))

    _paying_licenses(co, start, end, has_trial, n_paid, customers, subscriptions, rng, ids, rows)
    currency = "USD" if index == 0 else _weighted(rng, words.CURRENCIES)
    return Account(id=account_id, name=co.name, subscriptions=subscriptions, currency=currency)


def _trial_license(
    ids: Ids, company_name: str, person: tuple[str, str, str], issued: datetime, users: int, rng
):
    """A 30-day trial license row (trials have no subscription)."""
    first, last, email = person
    license_id = ids.take("license")
    kind = "cloud" if issued.year >= 2021 else "legacy"
    return (
        license_id,
        company_name,
        f"{first} {last}",
        email,
        issued,
        issued.date(),
        issued.date() + timedelta(days=30),
        True,
        rng.choice(("premium", "ultimate")),
        users,
        None,
        kind,
        demo_activation_code(license_id, kind),
        False,
    )


def _paying_licenses(co, start, end, has_trial, n_paid, customers, subscriptions, rng, ids, rows) -> None:
    if has_trial:
        issued = _at(start - timedelta(days=rng.randrange(10, 40)), rng)
        users = rng.choice((10, 25, 50, 100))
        rows.add("license", _trial_license(ids, co.name, rng.choice(customers), issued, users, rng))
    span = (end - start).days
    for k in range(n_paid):
        name, plan, seats, _ = (
            subscriptions[0] if k < n_paid // 2 or len(subscriptions) == 1 else subscriptions[1]
        )
        first, last, email = rng.choice(customers)
        day = start + timedelta(days=span * k // max(1, n_paid - 1) + rng.randrange(0, 5))
        starts = day + timedelta(days=rng.choice((0, 0, 0, 1, 7, 14)))
        # A renewal that starts after the reference date was issued ahead of time.
        issued = _at(min(day, REFERENCE_DATE - timedelta(days=rng.randrange(0, 10))), rng)
        kind = "legacy" if issued.year < 2020 else ("offline" if rng.random() < 0.15 else "cloud")
        users = int(seats * (1 + 0.08 * k))
        license_id = ids.take("license")
        rows.add(
            "license",
            (
                license_id,
                co.name,
                f"{first} {last}",
                email,
                issued,
                starts,
                starts + timedelta(days=365),
                False,
                plan,
                users,
                name,
                kind,
                demo_activation_code(license_id, kind),
                False,
            ),
        )


def make_prospect(index: int, n_trials: int, rng: random.Random, ids: Ids, rows: Rows) -> None:
    """A company that tried the product and did not buy: trial licenses only."""
    co = company(index)
    person = _person(rng, co.domain, set())
    day = REFERENCE_DATE - timedelta(days=rng.randrange(0, 6 * 365))
    for _ in range(n_trials):
        issued = _at(day, rng)
        rows.add("license", _trial_license(ids, co.name, person, issued, rng.choice((10, 25, 50)), rng))
        day += timedelta(days=rng.randrange(31, 200))


def _quarters() -> list[date]:
    quarters, day = [], FIRST_QUARTER
    while day <= REFERENCE_DATE:
        quarters.append(day)
        day = date(day.year + (day.month + 3 > 12), (day.month + 2) % 12 + 1, 1)
    return quarters


def reconciliations(accounts: list[Account], count: int, rng: random.Random, ids: Ids) -> Iterator[tuple]:
    """Quarterly seat true-ups across statuses, with skip reasons and errors."""
    quarters = _quarters()
    weights = [1 + i for i in range(len(quarters))]
    last_quarter = quarters[-1]
    for _ in range(count):
        account = rng.choice(accounts)
        name, plan, seats, channel = rng.choice(account.subscriptions)
        day = rng.choices(quarters, weights=weights)[0]
        if day == last_quarter:
            status = _weighted(rng, (("pending", 40), ("processing", 20), ("done", 30), ("failed", 10)))
        else:
            status = _weighted(rng, (("done", 76), ("skipped", 17), ("failed", 7)))
        added = max(0, int(rng.gauss(seats * 0.06, seats * 0.08)))
        amount = seat_price = billed_months = None
        if status == "done":
            # Recorded with the amount, so the page can show how the amount came about.
            seat_price = Decimal(words.SEAT_PRICE[plan] * (150 if account.currency == "JPY" else 1))
            billed_months = 3
            amount = (added * seat_price * billed_months).quantize(Decimal("0.01"))
        finished = status in ("done", "skipped", "failed")
        yield (
            ids.take("reconciliation"),
            account.id,
            account.name,
            name,
            status,
            day,
            _at(day + timedelta(days=rng.randrange(0, 5)), rng) if finished else None,
            rng.choice(words.SKIP_REASONS) if status == "skipped" else None,
            seats + added,
            amount,
            account.currency,
            rng.choice(words.ERROR_MESSAGES) if status == "failed" else None,
            plan,
            channel,
            seats,
            seat_price,
            billed_months,
        )


def demo_activation_code(license_id: int, kind: str) -> str | None:
    """A cloud license's activation code: 24 letters and digits, the same for an id on every run."""
    if kind != "cloud":
        return None
    return hashlib.sha256(f"demo-activation-{license_id}".encode()).hexdigest()[:24].upper()


def activations(license_rows: list[tuple], ids: Ids) -> Iterator[tuple]:
    """Instances that activated the cloud licenses among `license_rows`: about three in five codes are
    used, by one to three instances, from their start date; the rest are not used yet. Each license
    draws from its own generator, so the rest of the demo data stays as it was."""
    columns = TABLE_COLUMNS["license"]
    at = {name: columns.index(name) for name in ("id", "starts_at", "activation_code")}
    for row in license_rows:
        if row[at["activation_code"]] is None or row[at["starts_at"]] > REFERENCE_DATE:
            continue
        rng = random.Random(row[at["id"]])
        if rng.random() >= 0.6:
            continue
        for n in range(rng.choice((1, 1, 1, 2, 3))):
            day = row[at["starts_at"]] + timedelta(days=rng.randrange(0, 20) + 30 * n)
            instance = f"{rng.getrandbits(64):016x}"
            yield (ids.take("cloud_activation"), row[at["id"]], instance, _at(min(day, REFERENCE_DATE), rng))


# Self-managed servers report usage daily; the demo keeps only each server's last few days of pings.
PING_DAYS_KEPT = 3


def _hostname(company_name: str, n: int, rng: random.Random) -> str:
    """A server's host name: often nothing like the company's domain (gitlab.acmeinc.ninja,
    ci-runner-03.internal, dev-box.example.net)."""
    parts = company_name.split()
    short = _ascii_slug(parts[0] + parts[-1])
    label = rng.choice(words.HOST_LABELS).format(n=n + 1)
    return f"{label}.{rng.choice(words.HOST_DOMAINS).format(company=short)}"


def _version(last_day: date, rng: random.Random) -> str:
    """A release of about the server's last ping (major version 11 in 2018 to 17 in 2025 and after)."""
    major = min(17, max(11, last_day.year - 2007 - rng.randrange(0, 2)))
    return f"{major}.{rng.randrange(0, 12)}.{rng.randrange(0, 9)}"


def servers(license_rows: list[tuple], ids: Ids) -> Iterator[tuple[tuple, list[tuple]]]:
    """The servers of the self-managed (not cloud) licenses among `license_rows` that had started, each
    with its last few days of usage pings: four in five such licenses have one to three servers, the
    rest none; a license that expired stopped being reported around its end, and one server in five of
    the others stopped weeks before the reference date. Each license draws from its own generator, so
    the rest of the demo data stays as it was."""
    columns = TABLE_COLUMNS["license"]
    at = {
        name: columns.index(name)
        for name in ("id", "company", "starts_at", "expires_at", "user_count", "license_type")
    }
    for row in license_rows:
        starts: date = row[at["starts_at"]]
        if row[at["license_type"]] == "cloud" or starts > REFERENCE_DATE:
            continue
        rng = random.Random(f"servers-{row[at['id']]}")
        if rng.random() >= 0.8:
            continue
        users: int = row[at["user_count"]]
        for n in range(rng.choice((1, 1, 1, 2, 3))):
            first_day = min(starts + timedelta(days=rng.randrange(0, 30)), REFERENCE_DATE)
            if row[at["expires_at"]] < REFERENCE_DATE:
                last_day = row[at["expires_at"]] + timedelta(days=rng.randrange(-20, 40))
            elif rng.random() < 0.2:
                last_day = REFERENCE_DATE - timedelta(days=rng.randrange(14, 120))
            else:
                last_day = REFERENCE_DATE - timedelta(days=rng.randrange(0, 2))
            last_day = min(max(last_day, first_day), REFERENCE_DATE)
            days = [
                last_day - timedelta(days=k)
                for k in range(PING_DAYS_KEPT)
                if last_day - timedelta(days=k) >= first_day
            ]
            counts = [
                rng.randrange(0, users + 1) if n else rng.randrange(users // 2, users + 1) for _ in days
            ]
            instance_id = ids.take("license_instance")
            received = {day: _at(day, rng) for day in days}
            first_at, last_at = min(_at(first_day, rng), *received.values()), received[last_day]
            peak = max(counts) + rng.randrange(0, users // 10 + 1)
            instance = (
                instance_id,
                row[at["id"]],
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                _hostname(row[at["company"]], n, rng),
                _version(last_day, rng),
                first_at,
                last_at,
                counts[0],
                peak,
            )
            pings = [
                (ids.take("usage_ping"), instance_id, day, count, received[day])
                for day, count in zip(days, counts, strict=True)
            ]
            yield instance, pings
