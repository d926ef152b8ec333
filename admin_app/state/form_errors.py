"""What the server refused in a form, field by field: one dataclass per form, a field per message it
can show ("" when the server had nothing to say about that field).

The data layer answers with `Outcome.field_errors`, a `dict[str, str]` from field name to message;
`form_errors` turns it into the form's dataclass and raises for a name the form does not have, so a
message the page could not show fails in the tests instead of vanishing. A page reads one field's
message by name (`S.field_errors.email`), which Reflex checks when it builds the page.
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Form = TypeVar("Form", bound="DataclassInstance")


def form_errors(form: type[Form], messages: Mapping[str, str]) -> Form:
    """The server's messages as `form`'s fields; a message for a field the form lacks is a mistake."""
    unknown = sorted(set(messages) - {field.name for field in dataclasses.fields(form)})
    if unknown:
        raise ValueError(f"{form.__name__} has no field for the server's message about {', '.join(unknown)}")
    return form(**messages)


@dataclass
class ReasonErrors:
    """A form that asks for the reason only: the login switch, unlinking an account, deleting a membership."""

    reason: str = ""


@dataclass
class SoldToAddressErrors:
    """The address a new Sold To / Bill To gets, decided on purpose (`address_decision`)."""

    sold_to_address: str = ""
    sold_to_address_line1: str = ""
    sold_to_address_line2: str = ""
    sold_to_city: str = ""
    sold_to_state: str = ""
    sold_to_postal_code: str = ""
    sold_to_country: str = ""


@dataclass
class CustomerFormErrors(SoldToAddressErrors):
    """The customer's edit, and its review when rule 3 replaces the Sold To."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    company: str = ""
    country: str = ""
    reason: str = ""


@dataclass
class ContactFormErrors(SoldToAddressErrors):
    """A billing account's contact forms: edit a contact, a Bill To of its own, join them, choose a member."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    reason: str = ""
    customer_id: str = ""


@dataclass
class AddMembershipErrors:
    """Adding a membership: the two picks and the reason."""

    customer: str = ""
    billing_account: str = ""
    reason: str = ""


@dataclass
class LicenseSendErrors:
    """Sending a license again: the address, and for a corrected one its ticket and reason."""

    to_address: str = ""
    ticket: str = ""
    reason: str = ""


@dataclass
class OwnershipFormErrors:
    """The ownership change's form, and what the writes it makes refuse.

    Saving the change edits the previous owner's customer record, the Sold To contact and memberships;
    the data layer passes their refusals on under those records' field names, from `email` on.
    """

    requester_email: str = ""
    first_name: str = ""
    last_name: str = ""
    evidence: str = ""
    approver_email: str = ""
    invoice_date: str = ""
    namespace: str = ""
    license_text: str = ""
    ticket: str = ""
    note: str = ""
    email: str = ""
    company: str = ""
    country: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    sold_to_address: str = ""
    customer: str = ""
    billing_account: str = ""
    reason: str = ""
