"""State of the History page: every change across records, by time, through the shared list behaviour."""

from collections.abc import Mapping
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from admin_app.auth.gate import requires
from admin_app.auth.permissions import Permission
from admin_app.db.history import search as db
from admin_app.db.history.names import PageRecords, page_records
from admin_app.db.lists.spec import ListSpec
from admin_app.db.models import Version
from admin_app.state.app_state import AppState
from admin_app.state.list_page import DescribedListState
from admin_app.state.views import HistoryLine, version_view


def record_href(version: Version, accounts_of_contacts: Mapping[int, int]) -> str:
    """The page a history row's record is shown on: a customer, an account or a license directly, a
    contact on its account's page, a membership on its customer's page, an email on the page of the
    record it is about."""
    if version.item_type == "customer":
        return f"/customers/{version.item_id}"
    if version.item_type == "billing_account":
        return f"/billing-accounts/{version.item_id}"
    if version.item_type == "license":
        return f"/licenses/{version.item_id}"
    if version.item_type == "outbox_message":
        about = (version.changes or {}).get("about")
        kind, _, record_id = str(about[-1] if isinstance(about, list) and about else "").partition(" ")
        pages = {"license": "/licenses/", "customer": "/customers/"}
        return pages[kind] + record_id if kind in pages and record_id.isdigit() else ""
    if version.item_type == "billing_account_contact" and version.item_id in accounts_of_contacts:
        return f"/billing-accounts/{accounts_of_contacts[version.item_id]}"
    if version.item_type == "billing_account_membership":
        customer = (version.changes or {}).get("customer_id")
        ids = [value for value in customer if isinstance(value, int)] if isinstance(customer, list) else []
        return f"/customers/{ids[0]}" if ids else ""
    return ""


def named_lines(version: Version, records: PageRecords) -> list[HistoryLine]:
    """The lines of a history row, its record named as /history names it and linked to its page."""
    lines = version_view(version, records.name_of(version))
    for line in lines:
        line.href = record_href(version, records.contact_accounts) if line.item else ""
    return lines


def record_history(session: Session, versions: list[Version], here: str) -> list[HistoryLine]:
    """A record page's History tab: its rows named and linked as on /history (one query per kind of
    record), a record shown on this page (`here`) not linked to itself."""
    records = page_records(session, versions)
    lines = [line for version in versions for line in named_lines(version, records)]
    for line in lines:
        if line.href == here:
            line.href = ""
    return lines


def history_rows(versions: list[Version], records: PageRecords) -> list[HistoryLine]:
    """History lines naming each row's record and linking to it (on the row's first line), one staff
    action folded under its main row (the first it wrote): that row says how many more there are
    ("more"), the others are marked "folded" with the action's request id, without repeating who, when
    and the same reason."""
    lines = []
    for change in db.fold_by_request(versions):
        lead = change[0]
        for position, version in enumerate(change):
            for line in named_lines(version, records):
                line.more = len(change) - 1 if position == 0 and line.item else 0
                line.folded = lead.request_id or "" if position else ""
                if position:
                    line.when = line.actor = ""
                    if line.reason == (lead.reason or ""):
                        line.reason = ""
                lines.append(line)
    return lines


class HistoryState(DescribedListState[HistoryLine], AppState):
    _path: ClassVar[str] = "/history"
    _noun: ClassVar[str] = "changes"
    _spec: ClassVar[ListSpec] = db.HISTORY_LIST
    _filter_names: ClassVar[tuple[str, ...]] = db.HISTORY_LIST.filter_names
    _read_permission: ClassVar[Permission] = Permission.CUSTOMERS_READ
    rows: list[HistoryLine] = []
    # Request ids of the folded changes shown in full.
    expanded: list[str] = []

    @rx.event
    @requires(Permission.CUSTOMERS_READ)
    def toggle_change(self, request_id: str) -> None:
        """Show or fold the rows of one staff action."""
        if not isinstance(request_id, str) or not db.REQUEST_ID.fullmatch(request_id):
            return
        if request_id in self.expanded:
            self.expanded = [r for r in self.expanded if r != request_id]
        else:
            self.expanded = [*self.expanded[-49:], request_id]

    def _views(self, session: Session, records: list[object]) -> list[HistoryLine]:
        versions = [v for v in records if isinstance(v, Version)]
        return history_rows(versions, page_records(session, versions))
