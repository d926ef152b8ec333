"""The demo data: deterministic, consistent, and loaded with every index intact."""

import hashlib

import pytest
import sqlalchemy as sa

from admin_app.db.migrate import upgrade_to_head
from admin_app.db.session import engine_for
from admin_app.seed.__main__ import load
from admin_app.seed.generate import SCALES, Scale, company
from tests.conftest import empty_tables

TINY = Scale(billing_accounts=40, licenses=400, reconciliations=300)


def table_digest(url: str, table: str) -> str:
    with engine_for(url).connect() as connection:
        rows = connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def scalar(url: str, sql: str):
    with engine_for(url).connect() as connection:
        return connection.execute(sa.text(sql)).scalar()


@pytest.fixture
def seeded(db_url) -> str:
    empty_tables(db_url)
    load(db_url, TINY, seed=7)
    return db_url


def test_same_seed_gives_the_same_rows(tmp_path):
    urls = [f"sqlite:///{tmp_path / name}.db" for name in ("a", "b", "c")]
    for url, seed in zip(urls, (7, 7, 8), strict=True):
        upgrade_to_head(url)
        load(url, TINY, seed=seed)
    for table in ("license", "customer", "billing_account", "reconciliation", "version"):
        assert table_digest(urls[0], table) == table_digest(urls[1], table)
    assert table_digest(urls[0], "license") != table_digest(urls[2], "license")


def test_scale_gives_exact_license_and_reconciliation_counts(seeded):
    assert scalar(seeded, "SELECT count(*) FROM license") == TINY.licenses
    assert scalar(seeded, "SELECT count(*) FROM reconciliation") == TINY.reconciliations
    assert scalar(seeded, "SELECT count(*) FROM billing_account") == TINY.billing_accounts
    assert (
        scalar(seeded, "SELECT count(*) FROM customer") == TINY.billing_accounts * TINY.customers_per_account
    )


def test_rows_are_internally_consistent(seeded):
    orphans = {
        "license without its subscription": """
            SELECT count(*) FROM license l WHERE l.subscription_name IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM subscription s WHERE s.name = l.subscription_name)""",
        "paid license without subscription": "SELECT count(*) FROM license WHERE NOT trial AND subscription_name IS NULL",
        "contact of another account": """
            SELECT count(*) FROM billing_account a JOIN billing_account_contact c
            ON c.id IN (a.sold_to_contact_id, a.bill_to_contact_id) WHERE c.billing_account_id <> a.id""",
        "disabling without a reason": """
            SELECT count(*) FROM version WHERE item_type = 'customer' AND event = 'update' AND reason IS NULL""",
        "disabled in history but active": """
            SELECT count(*) FROM customer c WHERE c.login_activated AND EXISTS (
              SELECT 1 FROM version v WHERE v.item_type = 'customer' AND v.item_id = c.id AND v.event = 'update')""",
        "skipped without reason": "SELECT count(*) FROM reconciliation WHERE status = 'skipped' AND skip_reason IS NULL",
        "failed without error": "SELECT count(*) FROM reconciliation WHERE status = 'failed' AND error_message IS NULL",
        "license ending before it starts": "SELECT count(*) FROM license WHERE expires_at <= starts_at",
        "cloud license without an activation code": """
            SELECT count(*) FROM license WHERE license_type = 'cloud' AND activation_code IS NULL""",
        "activation code of a license not in the cloud": """
            SELECT count(*) FROM license WHERE license_type <> 'cloud' AND activation_code IS NOT NULL""",
        "activation of a license not in the cloud": """
            SELECT count(*) FROM cloud_activation a JOIN license l ON l.id = a.license_id
            WHERE l.license_type <> 'cloud'""",
        "activated before the license starts": """
            SELECT count(*) FROM cloud_activation a JOIN license l ON l.id = a.license_id
            WHERE a.activated_at < l.starts_at""",
    }
    assert {name: scalar(seeded, sql) for name, sql in orphans.items()} == dict.fromkeys(orphans, 0)


def test_demo_data_has_the_cases_the_workflows_need(seeded):
    cases = {
        "same Sold To and Bill To": "SELECT count(*) FROM billing_account WHERE sold_to_contact_id = bill_to_contact_id",
        "different Sold To and Bill To": "SELECT count(*) FROM billing_account WHERE sold_to_contact_id <> bill_to_contact_id",
        "reseller accounts": "SELECT count(*) FROM billing_account WHERE reseller IS NOT NULL",
        "customers without membership": """SELECT count(*) FROM customer c WHERE NOT EXISTS
            (SELECT 1 FROM billing_account_membership m WHERE m.customer_id = c.id)""",
        "logins disabled after creation": """SELECT count(DISTINCT item_id) FROM version
            WHERE item_type = 'customer' AND event = 'update'""",
        "trials that converted": """SELECT count(DISTINCT t.company) FROM license t JOIN license p
            ON p.company = t.company AND NOT p.trial AND p.issued_at > t.issued_at WHERE t.trial""",
        "trials that did not": """SELECT count(DISTINCT t.company) FROM license t WHERE t.trial AND NOT EXISTS
            (SELECT 1 FROM license p WHERE p.company = t.company AND NOT p.trial)""",
        "activation codes used": "SELECT count(DISTINCT license_id) FROM cloud_activation",
        "codes used by more than one instance": """SELECT count(*) FROM (SELECT license_id FROM cloud_activation
            GROUP BY license_id HAVING count(*) > 1) used""",
        "activation codes not used yet": """SELECT count(*) FROM license l WHERE l.activation_code IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM cloud_activation a WHERE a.license_id = l.id)""",
    }
    found = {name: scalar(seeded, sql) for name, sql in cases.items()}
    assert all(found.values()), found
    statuses = scalar(seeded, "SELECT count(DISTINCT status) FROM reconciliation")
    assert statuses >= 3


def test_search_works_after_a_bulk_load(seeded):
    from sqlmodel import Session

    from admin_app.db.licenses.search import LICENSE_LIST, active_marks_current, today_utc
    from admin_app.db.models import ActiveLicenseMarks

    with Session(engine_for(seeded)) as session:
        assert LICENSE_LIST.count(session=session, query=LICENSE_LIST.query(q="acme corporation")).value > 0
        assert LICENSE_LIST.count(session=session, query=LICENSE_LIST.query(q="ACME.TEST")).value > 0
        # The load marks each company's active license, as the app does when the day turns.
        assert active_marks_current(session, today_utc())
        for q in ("", "acme", "software"):
            active = LICENSE_LIST.query(q=q, active="only")
            marked = LICENSE_LIST.count(session=session, query=active)
            session.execute(sa.update(ActiveLicenseMarks).values(marked_on=None))
            assert LICENSE_LIST.count(session=session, query=active) == marked
            session.rollback()
        assert scalar(seeded, "SELECT count(*) FROM license WHERE active_mark") > 0


def test_the_chart_roll_ups_are_rebuilt_after_a_bulk_load_and_kept_after(seeded):
    assert scalar(seeded, "SELECT sum(reconciliations) FROM reconciliation_rollup") == TINY.reconciliations
    assert (
        scalar(seeded, "SELECT sum(reconciliations) FROM reconciliation_account_total")
        == TINY.reconciliations
    )
    invoiced = "SELECT sum(invoiced_cents) FROM reconciliation_rollup"
    assert scalar(seeded, invoiced) == scalar(
        seeded, "SELECT sum(round(invoiced_amount * 100)) FROM reconciliation"
    )
    with engine_for(seeded).begin() as connection:
        connection.execute(sa.text("DELETE FROM reconciliation WHERE id IN (1, 2)"))
    assert (
        scalar(seeded, "SELECT sum(reconciliations) FROM reconciliation_rollup") == TINY.reconciliations - 2
    )


def test_company_names_stay_unique_at_the_large_scale():
    n = SCALES["large"].billing_accounts * 5 // 4
    names = {company(i).name for i in range(n)}
    assert len(names) == n
