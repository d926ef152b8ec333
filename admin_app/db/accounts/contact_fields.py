"""A billing contact's fields, their labels and limits, and the checks of an address."""

from collections.abc import Mapping

from admin_app.db.validation import country_error, text_error

ADDRESS_LIMITS = {"address_line1": 200, "address_line2": 200, "city": 100, "state": 100, "postal_code": 20}
ADDRESS_FIELDS = (*ADDRESS_LIMITS, "country")
CONTACT_FIELDS = ("first_name", "last_name", "email", *ADDRESS_FIELDS)
LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "address_line1": "Address line 1",
    "address_line2": "Address line 2",
    "city": "City",
    "state": "State",
    "postal_code": "Postal code",
    "country": "Country",
}


def address_errors(values: Mapping[str, object]) -> dict[str, str]:
    """Field -> message for an address (lines, city, state, postal code optional; the country required)."""
    checks = {
        name: text_error(LABELS[name], values.get(name, ""), max_length=limit, required=False)
        for name, limit in ADDRESS_LIMITS.items()
    }
    checks["country"] = country_error(values.get("country"))
    return {name: message for name, message in checks.items() if message}
