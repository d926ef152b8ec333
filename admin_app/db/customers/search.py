"""Finding customers: search by name, email or company, a few filters, keyset pages, capped counts."""

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from admin_app.db.lists.spec import Choice, ChoiceFilter, CodeFilter, CsvColumn, ListSpec, csv_date, csv_field
from admin_app.db.lists.text_search import SearchSpec
from admin_app.db.models import Customer
from admin_app.db.validation import COUNTRIES
from admin_app.glossary import LOGIN_OFF, LOGIN_ON

CUSTOMER_SEARCH = SearchSpec(
    id_column=col(Customer.id),
    columns=(
        col(Customer.first_name) + " " + col(Customer.last_name),
        col(Customer.email),
        col(Customer.company),
    ),
    fts_table="customer_fts",
    pg_search_column="customer.search_text",
)


def _login_is(activated: bool) -> ColumnElement[bool]:
    return col(Customer.login_activated) == activated


CUSTOMER_LIST = ListSpec(
    entity=Customer,
    id_column=col(Customer.id),
    search=CUSTOMER_SEARCH,
    filters=(
        ChoiceFilter(
            "login",
            "Login",
            "login status",
            {
                "active": Choice(LOGIN_ON, lambda: _login_is(True)),
                "not_activated": Choice(LOGIN_OFF, lambda: _login_is(False)),
            },
        ),
        ChoiceFilter(
            "confirmed",
            "Email confirmed",
            "confirmation choice",
            {
                "yes": Choice("Confirmed", lambda: col(Customer.confirmed_at).is_not(None)),
                "no": Choice("Unconfirmed", lambda: col(Customer.confirmed_at).is_(None)),
            },
        ),
        CodeFilter("country", "Country", "country", COUNTRIES, lambda: col(Customer.country)),
    ),
    sort_columns={"name": (Customer.last_name, str), "company": (Customer.company, str)},
    default_sort="name",
    ascending_first=("name", "company"),
    export_columns=(
        csv_field("id"),
        csv_field("first_name"),
        csv_field("last_name"),
        csv_field("email"),
        csv_field("company"),
        csv_field("country"),
        CsvColumn("login", lambda c: "active" if c.login_activated else "not_activated"),
        csv_date("confirmed_at"),
        csv_date("created_at"),
    ),
)
