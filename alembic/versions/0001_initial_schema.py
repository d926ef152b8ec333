"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 08:38:59.699226
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "billing_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zuora_account_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("salesforce_account_id", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("reseller", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("sold_to_contact_id", sa.Integer(), nullable=True),
        sa.Column("bill_to_contact_id", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("zuora_account_id"),
    )
    with op.batch_alter_table("billing_account", schema=None) as batch_op:
        batch_op.create_index("ix_billing_account_name_id", ["name", "id"], unique=False)

    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("company", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("uid", sa.Integer(), nullable=True),
        sa.Column("login_activated", sa.Boolean(), nullable=False),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index("ix_customer_company_id", ["company", "id"], unique=False)
        batch_op.create_index("ix_customer_last_name_id", ["last_name", "id"], unique=False)

    op.create_table(
        "license",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("licensee_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("issued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("starts_at", sa.Date(), nullable=False),
        sa.Column("expires_at", sa.Date(), nullable=False),
        sa.Column("trial", sa.Boolean(), nullable=False),
        sa.Column("plan", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("user_count", sa.Integer(), nullable=False),
        sa.Column("subscription_name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("license_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("license", schema=None) as batch_op:
        batch_op.create_index("ix_license_company_id", ["company", "id"], unique=False)
        batch_op.create_index("ix_license_company_issued", ["company", "issued_at"], unique=False)
        batch_op.create_index("ix_license_expires_at_id", ["expires_at", "id"], unique=False)
        batch_op.create_index("ix_license_issued_at_id", ["issued_at", "id"], unique=False)
        batch_op.create_index("ix_license_plan_issued", ["plan", "issued_at", "id"], unique=False)
        batch_op.create_index("ix_license_starts_at_id", ["starts_at", "id"], unique=False)
        batch_op.create_index("ix_license_subscription_name", ["subscription_name"], unique=False)
        batch_op.create_index("ix_license_type_issued", ["license_type", "issued_at", "id"], unique=False)
        batch_op.create_index("ix_license_user_count_id", ["user_count", "id"], unique=False)

    op.create_table(
        "staff_session",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("roles", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_session_subject"), ["subject"], unique=False)

    op.create_table(
        "version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_type", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("event", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.create_index("ix_version_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_version_item", ["item_type", "item_id", "id"], unique=False)

    op.create_table(
        "billing_account_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("billing_account_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("address_line1", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("address_line2", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("postal_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["billing_account_id"], ["billing_account.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("billing_account_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_account_contact_billing_account_id"), ["billing_account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_billing_account_contact_email"), ["email"], unique=False)

    op.create_table(
        "billing_account_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("billing_account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["billing_account_id"],
            ["billing_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("customer_id"),
    )
    with op.batch_alter_table("billing_account_membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_account_membership_billing_account_id"),
            ["billing_account_id"],
            unique=False,
        )

    op.create_table(
        "reconciliation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("billing_account_id", sa.Integer(), nullable=False),
        sa.Column("customer_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("subscription_name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reconciliation_date", sa.Date(), nullable=False),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("skip_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("user_count", sa.Integer(), nullable=False),
        sa.Column("invoiced_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("error_message", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["billing_account_id"],
            ["billing_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reconciliation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reconciliation_account", ["billing_account_id", "reconciliation_date"], unique=False
        )
        batch_op.create_index("ix_reconciliation_date_id", ["reconciliation_date", "id"], unique=False)

    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("billing_account_id", sa.Integer(), nullable=False),
        sa.Column("plan", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("deployment", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=False),
        sa.Column("auto_renew", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["billing_account_id"],
            ["billing_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscription_billing_account_id"), ["billing_account_id"], unique=False
        )

    with op.batch_alter_table("billing_account", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_billing_account_sold_to",
            "billing_account_contact",
            ["sold_to_contact_id"],
            ["id"],
            deferrable=True,
            initially="DEFERRED",
        )
        batch_op.create_foreign_key(
            "fk_billing_account_bill_to",
            "billing_account_contact",
            ["bill_to_contact_id"],
            ["id"],
            deferrable=True,
            initially="DEFERRED",
        )
    op.create_index("ux_customer_email_lower", "customer", [sa.text("lower(email)")], unique=True)
    _create_license_search_index()


def _create_license_search_index() -> None:
    """Trigram index for case-insensitive substring search over the license's text fields."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE license_fts USING fts5("
            "company, licensee_name, email, subscription_name, "
            "content='license', content_rowid='id', tokenize='trigram', columnsize=0)"
        )
        fields = "company, licensee_name, email, subscription_name"
        new = "new.company, new.licensee_name, new.email, new.subscription_name"
        old = "old.company, old.licensee_name, old.email, old.subscription_name"
        delete = f"INSERT INTO license_fts(license_fts, rowid, {fields}) VALUES ('delete', old.id, {old});"
        insert = f"INSERT INTO license_fts(rowid, {fields}) VALUES (new.id, {new});"
        op.execute(f"CREATE TRIGGER license_fts_ai AFTER INSERT ON license BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER license_fts_ad AFTER DELETE ON license BEGIN {delete} END")
        op.execute(f"CREATE TRIGGER license_fts_au AFTER UPDATE ON license BEGIN {delete} {insert} END")
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "ALTER TABLE license ADD COLUMN search_text text GENERATED ALWAYS AS ("
            "lower(company || chr(31) || licensee_name || chr(31) || email || chr(31) "
            "|| coalesce(subscription_name, ''))) STORED"
        )
        op.execute("CREATE INDEX ix_license_search_trgm ON license USING gin (search_text gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS license_fts")
    else:
        op.drop_constraint("fk_billing_account_sold_to", "billing_account", type_="foreignkey")
        op.drop_constraint("fk_billing_account_bill_to", "billing_account", type_="foreignkey")
    op.drop_index("ux_customer_email_lower", table_name="customer")
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_billing_account_id"))

    op.drop_table("subscription")
    with op.batch_alter_table("reconciliation", schema=None) as batch_op:
        batch_op.drop_index("ix_reconciliation_date_id")
        batch_op.drop_index("ix_reconciliation_account")

    op.drop_table("reconciliation")
    with op.batch_alter_table("billing_account_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_account_membership_billing_account_id"))

    op.drop_table("billing_account_membership")
    with op.batch_alter_table("billing_account_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_account_contact_email"))
        batch_op.drop_index(batch_op.f("ix_billing_account_contact_billing_account_id"))

    op.drop_table("billing_account_contact")
    with op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.drop_index("ix_version_item")
        batch_op.drop_index("ix_version_created_at_id")

    op.drop_table("version")
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_session_subject"))

    op.drop_table("staff_session")
    with op.batch_alter_table("license", schema=None) as batch_op:
        batch_op.drop_index("ix_license_user_count_id")
        batch_op.drop_index("ix_license_type_issued")
        batch_op.drop_index("ix_license_subscription_name")
        batch_op.drop_index("ix_license_starts_at_id")
        batch_op.drop_index("ix_license_plan_issued")
        batch_op.drop_index("ix_license_issued_at_id")
        batch_op.drop_index("ix_license_expires_at_id")
        batch_op.drop_index("ix_license_company_issued")
        batch_op.drop_index("ix_license_company_id")

    op.drop_table("license")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_last_name_id")
        batch_op.drop_index("ix_customer_company_id")

    op.drop_table("customer")
    with op.batch_alter_table("billing_account", schema=None) as batch_op:
        batch_op.drop_index("ix_billing_account_name_id")

    op.drop_table("billing_account")
