"""How one reconciliation contributes to the charts' roll-up tables, written once for both databases.

The migration builds the triggers from these expressions and the demo-data loader rebuilds
the tables with them, so the triggers, the rebuild and the charts cannot disagree. A row adds
its contribution on insert, removes it on delete, and both on update.
"""

from dataclasses import dataclass

TRIGGER_PREFIX = "reconciliation_rollup"


@dataclass(frozen=True)
class Rollup:
    """A table of sums over reconciliations, keyed by some of their columns."""

    table: str
    keys: tuple[str, ...]
    sums: tuple[str, ...]


MONTHLY = Rollup(
    table="reconciliation_rollup",
    keys=("month", "status", "currency", "plan", "channel", "skip_reason"),
    sums=("reconciliations", "invoiced_count", "invoiced_cents", "seats_added"),
)
# All-time invoiced per account: an upper bound of any range's total, which lets the
# top-10 chart stop after the first few accounts instead of summing every row.
ACCOUNT_TOTALS = Rollup(
    table="reconciliation_account_total",
    keys=("billing_account_id", "currency"),
    sums=("reconciliations", "invoiced_cents"),
)
ROLLUPS = (MONTHLY, ACCOUNT_TOTALS)


def contribution(dialect: str, row: str) -> dict[str, str]:
    """Column -> SQL expression of one reconciliation (`row` is its alias: the table, NEW or OLD)."""
    if dialect == "postgresql":
        month = f"date_trunc('month', {row}.reconciliation_date)::date"
        cents = f"coalesce(round({row}.invoiced_amount * 100), 0)::bigint"
    else:
        month = f"date({row}.reconciliation_date, 'start of month')"
        cents = f"coalesce(CAST(round({row}.invoiced_amount * 100) AS INTEGER), 0)"
    added = f"{row}.user_count - {row}.seats_before"
    return {
        "month": month,
        "billing_account_id": f"{row}.billing_account_id",
        "status": f"{row}.status",
        "currency": f"{row}.currency",
        "plan": f"coalesce({row}.plan, '')",
        "channel": f"coalesce({row}.channel, '')",
        "skip_reason": f"coalesce({row}.skip_reason, '')",
        "reconciliations": "1",
        "invoiced_count": f"CASE WHEN {row}.invoiced_amount IS NULL THEN 0 ELSE 1 END",
        "invoiced_cents": cents,
        "seats_added": f"CASE WHEN {added} > 0 THEN {added} ELSE 0 END",
    }


def _upsert(rollup: Rollup, dialect: str, row: str, sign: str) -> str:
    """Add (sign "") or remove (sign "-") one row's contribution."""
    values = contribution(dialect, row)
    select = ", ".join([values[k] for k in rollup.keys] + [f"{sign}({values[s]})" for s in rollup.sums])
    updates = ", ".join(f"{s} = {rollup.table}.{s} + excluded.{s}" for s in rollup.sums)
    # SQLite needs a WHERE to tell an upsert's ON CONFLICT from a join's ON.
    return (
        f"INSERT INTO {rollup.table} ({', '.join(rollup.keys + rollup.sums)}) "
        f"SELECT {select} WHERE true "
        f"ON CONFLICT ({', '.join(rollup.keys)}) DO UPDATE SET {updates};"
    )


def _all(dialect: str, row: str, sign: str) -> str:
    return " ".join(_upsert(rollup, dialect, row, sign) for rollup in ROLLUPS)


def trigger_ddl(dialect: str) -> list[str]:
    """The statements that create the triggers keeping the roll-ups in step with reconciliation."""
    if dialect == "postgresql":
        return [
            f"""
            CREATE FUNCTION {TRIGGER_PREFIX}_apply() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN {_all(dialect, "OLD", "-")} END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') THEN {_all(dialect, "NEW", "")} END IF;
                RETURN NULL;
            END $$
            """,
            f"CREATE TRIGGER {TRIGGER_PREFIX} AFTER INSERT OR UPDATE OR DELETE ON reconciliation "
            f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER_PREFIX}_apply()",
        ]
    add, remove = _all(dialect, "NEW", ""), _all(dialect, "OLD", "-")
    return [
        f"CREATE TRIGGER {TRIGGER_PREFIX}_ai AFTER INSERT ON reconciliation BEGIN {add} END",
        f"CREATE TRIGGER {TRIGGER_PREFIX}_ad AFTER DELETE ON reconciliation BEGIN {remove} END",
        f"CREATE TRIGGER {TRIGGER_PREFIX}_au AFTER UPDATE ON reconciliation BEGIN {remove} {add} END",
    ]


def drop_trigger_ddl(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX} ON reconciliation",
            f"DROP FUNCTION IF EXISTS {TRIGGER_PREFIX}_apply()",
        ]
    return [f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}_{suffix}" for suffix in ("ai", "ad", "au")]


def rebuild_statements(dialect: str) -> list[str]:
    """Recompute every roll-up from the reconciliations (after a bulk load)."""
    values = contribution(dialect, "reconciliation")
    statements = []
    for rollup in ROLLUPS:
        keys = [values[k] for k in rollup.keys]
        sums = [f"sum({values[s]})" for s in rollup.sums]
        statements += [
            f"DELETE FROM {rollup.table}",
            f"INSERT INTO {rollup.table} ({', '.join(rollup.keys + rollup.sums)}) "
            f"SELECT {', '.join(keys + sums)} FROM reconciliation GROUP BY {', '.join(keys)}",
        ]
    return statements
