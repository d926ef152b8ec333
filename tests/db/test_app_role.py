"""On PostgreSQL the app's role may add history and audit rows but never change or remove them."""

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import ProgrammingError
from sqlmodel import Session

from admin_app.db.app_role import grant_app_role
from admin_app.db.history.audit import record_version
from admin_app.db.models import Customer
from admin_app.db.staff.auth_events import record_auth_event
from tests.conftest import empty_tables
from tests.factories import STAFF, add_customer

NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)


@pytest.fixture
def app_role_url(postgres_url):
    empty_tables(postgres_url)
    role = f"ca_app_{uuid.uuid4().hex[:8]}"
    grant_app_role(postgres_url, role, "app-role-test-password")
    url = sa.engine.make_url(postgres_url).set(username=role, password="app-role-test-password")
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()
    owner = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        connection.execute(sa.text(f'DROP OWNED BY "{role}"'))
        connection.execute(sa.text(f'DROP ROLE "{role}"'))
    owner.dispose()


def test_the_app_role_writes_changes_and_their_history(app_role_url):
    with Session(app_role_url) as session:
        jane = add_customer(session, first_name="Jane", last_name="Doe", email="jane@acme.test")
        jane.first_name = "Janet"
        session.add(jane)
        record_version(
            session, item_type="customer", item_id=jane.id, event="update", actor=STAFF, changes={}, at=NOW
        )
        record_auth_event(session=session, kind="sign_in", at=NOW, email="s@example.com")
        session.commit()
        assert session.get(Customer, jane.id).first_name == "Janet"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE version SET actor = 'someone-else@example.com'",
        "DELETE FROM version",
        "TRUNCATE version",
        "UPDATE auth_event SET email = ''",
        "DELETE FROM auth_event",
    ],
)
def test_the_app_role_cannot_rewrite_or_remove_history(app_role_url, statement):
    with Session(app_role_url) as session:
        jane = add_customer(session, first_name="Jane", last_name="Doe", email="jane@acme.test")
        record_version(
            session, item_type="customer", item_id=jane.id, event="create", actor=STAFF, changes={}, at=NOW
        )
        record_auth_event(session=session, kind="sign_in", at=NOW, email="s@example.com")
        session.commit()
        with pytest.raises(ProgrammingError, match="permission denied"):
            session.execute(sa.text(statement))
