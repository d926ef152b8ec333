"""`python -m admin_app.seed [--scale small|large] [--seed N] [--if-empty]`."""

import argparse
import random
import sys
import time

import sqlalchemy as sa

from admin_app.db.licenses.search import renew_active_marks
from admin_app.db.migrate import downgrade_to_base, upgrade_to_head
from admin_app.db.session import engine_for
from admin_app.seed.bulk import BulkWriter
from admin_app.seed.generate import (
    SCALES,
    TABLE_COLUMNS,
    Ids,
    Rows,
    Scale,
    activations,
    license_counts,
    make_paying_company,
    make_prospect,
    reconciliations,
    servers,
)
from admin_app.settings import get_settings

COMPANY_BATCH = 5_000
# Parents before children, so every foreign key points at a row already written.
WRITE_ORDER = (
    "customer",
    "billing_account",
    "billing_account_contact",
    "billing_account_membership",
    "subscription",
    "license",
    "cloud_activation",
    "license_instance",
    "usage_ping",
    "version",
)


def load(url: str, scale: Scale, seed: int = 42) -> dict[str, int]:
    """Write the demo data for `scale` into an empty, migrated database."""
    rng = random.Random(seed)
    ids = Ids()
    writer = BulkWriter(engine_for(url))
    counts, prospect_counts = license_counts(scale, rng)
    accounts = []
    for start in range(0, len(counts), COMPANY_BATCH):
        rows = Rows()
        for index in range(start, min(start + COMPANY_BATCH, len(counts))):
            accounts.append(make_paying_company(index, counts[index], scale, rng, ids, rows))
        _write_rows(writer, rows, ids)
    rows = Rows()
    for offset, n_trials in enumerate(prospect_counts):
        make_prospect(len(counts) + offset, n_trials, rng, ids, rows)
    _write_rows(writer, rows, ids)
    writer.write(
        "reconciliation",
        TABLE_COLUMNS["reconciliation"],
        reconciliations(accounts, scale.reconciliations, rng, ids),
    )
    writer.finish(TABLE_COLUMNS)
    renew_active_marks(engine_for(url))
    return writer.counts


def _write_rows(writer: BulkWriter, rows: Rows, ids: Ids) -> None:
    rows.tables["cloud_activation"].extend(activations(rows.tables["license"], ids))
    for instance, pings in servers(rows.tables["license"], ids):
        rows.add("license_instance", instance)
        rows.tables["usage_ping"].extend(pings)
    for table in WRITE_ORDER:
        writer.write(table, TABLE_COLUMNS[table], rows.tables[table])


def is_empty(url: str) -> bool:
    """True when the database holds no licenses yet."""
    with engine_for(url).connect() as connection:
        return not connection.execute(sa.text("SELECT 1 FROM license LIMIT 1")).first()


def reset(url: str) -> None:
    """Drop and recreate the schema through the migrations."""
    downgrade_to_base(url)
    upgrade_to_head(url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate deterministic demo data.")
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default=None, help="defaults to DATABASE_URL")
    parser.add_argument("--if-empty", action="store_true", help="do nothing when data is already there")
    args = parser.parse_args(argv)
    url = args.database_url or get_settings().DATABASE_URL
    upgrade_to_head(url)
    if args.if_empty and not is_empty(url):
        print("Demo data already present; nothing to do.")
        return 0
    if not is_empty(url):
        reset(url)
    started = time.perf_counter()
    counts = load(url, SCALES[args.scale], seed=args.seed)
    summary = ", ".join(f"{n:,} {table}" for table, n in counts.items())
    print(f"Seeded {args.scale} in {time.perf_counter() - started:.1f}s: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
