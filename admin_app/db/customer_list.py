"""Finding customers: search by name, email or company, a few filters, keyset pages, capped counts."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.sql.elements import SQLColumnExpression
from sqlmodel import Session, col

from admin_app.db.listing import ListSource
from admin_app.db.models import Customer
from admin_app.db.paging import Match
from admin_app.db.query_params import Parsed, read_choice, read_sort
from admin_app.db.query_params import with_sort as with_query_sort
from admin_app.db.text_search import SearchSpec, match_for, normalize_term

LOGIN_CHOICES = {"active": True, "not_activated": False}
CONFIRMED_CHOICES = {"yes": True, "no": False}
SORT_COLUMNS = {"name": (Customer.last_name, str), "company": (Customer.company, str)}

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


@dataclass(frozen=True)
class CustomerQuery:
    """What the Customers page asks for."""

    q: str = ""
    login: str | None = None
    confirmed: str | None = None
    sort: str = "name"
    descending: bool = False

    def to_params(self) -> dict[str, str]:
        params = {"q": self.q, "login": self.login or "", "confirmed": self.confirmed or ""}
        sort = ("-" if self.descending else "") + self.sort
        if sort != "name":
            params["sort"] = sort
        return {key: value for key, value in params.items() if value}


def parse_customer_query(params: Mapping[str, object]) -> Parsed[CustomerQuery]:
    """Read a CustomerQuery from URL parameters; bad values are dropped with a message."""
    errors: list[str] = []
    sort, descending = read_sort(params, SORT_COLUMNS, "name", errors)
    query = CustomerQuery(
        q=normalize_term(params.get("q")),
        login=read_choice(params, "login", LOGIN_CHOICES, "login status", errors),
        confirmed=read_choice(params, "confirmed", CONFIRMED_CHOICES, "confirmation choice", errors),
        sort=sort,
        descending=descending,
    )
    return Parsed(query=query, errors=errors)


def with_sort(query: CustomerQuery, sort: str) -> CustomerQuery:
    sorted_query: CustomerQuery = with_query_sort(
        query, sort, SORT_COLUMNS, ascending_first=("name", "company")
    )
    return sorted_query


def _filters(query: CustomerQuery) -> list[SQLColumnExpression[bool]]:
    conditions: list[SQLColumnExpression[bool]] = []
    if query.login:
        conditions.append(col(Customer.login_activated) == LOGIN_CHOICES[query.login])
    if query.confirmed:
        confirmed = col(Customer.confirmed_at).is_not(None)
        conditions.append(confirmed if CONFIRMED_CHOICES[query.confirmed] else ~confirmed)
    return conditions


def _match(session: Session, query: CustomerQuery) -> Match:
    return match_for(session, CUSTOMER_SEARCH, query.q, _filters(query))


CUSTOMERS = ListSource(
    entity=Customer,
    id_column=col(Customer.id),
    sort_columns=SORT_COLUMNS,
    match=_match,
)
search_customers = CUSTOMERS.search
count_customers = CUSTOMERS.count
