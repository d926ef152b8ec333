"""State of the Failed reconciliations page: the queue oldest first, taking a failure, a note, closing it."""

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app.auth.gate import requires
from admin_app.auth.permissions import Permission
from admin_app.db.models import FailureNote, FailureTriage
from admin_app.db.outcomes import Outcome
from admin_app.db.reconciliations import triage as db
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.state.app_state import AppState
from admin_app.state.events import Payload, Replies
from admin_app.state.writes import acting_staff, attempt, form_text

READ = Permission.FAILURES_READ
WORK = Permission.FAILURES_WORK


@dataclass
class FailureRow:
    """A failed reconciliation as the queue shows it."""

    id: str = ""
    date: str = ""
    class_label: str = ""
    account: str = ""
    at_stake: str = ""
    age_days: int = 0
    holder: str = ""
    lock_version: int = 0


@dataclass
class ClassCountRow:
    label: str = ""
    count: int = 0


# What a failure may be closed as: (value, label), in the order the dialog offers them.
OUTCOME_CHOICES = tuple(db.OUTCOME_LABELS.items())


def at_stake_text(row: db.QueueRow) -> str:
    """The seats the failed true-up would have added, and their amount where it is known."""
    if row.seats_at_stake is None:
        return "—"
    seats = f"{row.seats_at_stake} seat" + ("" if row.seats_at_stake == 1 else "s")
    if row.amount_at_stake is None:
        return seats
    return f"{seats} · {row.currency} {row.amount_at_stake:,.2f}"


def failure_row(row: db.QueueRow) -> FailureRow:
    return FailureRow(
        id=str(row.reconciliation_id),
        date=row.reconciliation_date.isoformat(),
        class_label=row.class_label,
        account=row.account_name,
        at_stake=at_stake_text(row),
        age_days=row.age_days,
        holder=row.taken_by or "",
        lock_version=row.lock_version,
    )


class FailureQueueState(AppState):
    """One page of open failures, their counts by class, and the dialogs that close one or note on it."""

    # Fields (rx.Field) so that the page reads them as typed Vars.
    rows: rx.Field[list[FailureRow]] = rx.field(default_factory=list)
    counts: rx.Field[list[ClassCountRow]] = rx.field(default_factory=list)
    error: rx.Field[str] = rx.field("")
    loading: rx.Field[bool] = rx.field(True)
    page_number: rx.Field[int] = rx.field(1)
    has_next: rx.Field[bool] = rx.field(False)

    # Which dialog is open ("close", "note" or ""), the row it is about (as its title names it), and
    # the messages beside its fields.
    dialog: rx.Field[str] = rx.field("")
    target_id: rx.Field[str] = rx.field("")
    target_about: rx.Field[str] = rx.field("")
    outcome_error: rx.Field[str] = rx.field("")
    reason_error: rx.Field[str] = rx.field("")
    note_error: rx.Field[str] = rx.field("")
    _target: FailureRow = FailureRow()

    # The cursor of each page up to the one shown (None for the first), and of the page after it.
    _afters: list[str | None] = [None]
    _next_after: str | None = None

    async def _fetch(self) -> None:
        after = self._afters[-1]

        def read(session: Session) -> tuple[db.QueuePage, list[db.ClassCount]]:
            return db.failure_queue(session, after=after), db.failure_counts(session)

        self.loading = True
        try:
            page, counts = await in_session(read)
        except SQLAlchemyError:
            self.rows, self.counts, self.error, self.loading = [], [], DATABASE_UNAVAILABLE, False
            return
        self.rows = [failure_row(r) for r in page.rows]
        self.counts = [ClassCountRow(c.label, c.count) for c in counts if c.count]
        self._next_after, self.has_next = page.next_after, page.next_after is not None
        self.error, self.loading = "", False

    @rx.event
    @requires(READ)
    async def load(self) -> None:
        self._afters, self.page_number = [None], 1
        self._shut()
        await self._fetch()

    @rx.event
    @requires(READ)
    async def next_page(self) -> None:
        if self._next_after is None:
            return
        self._afters = [*self._afters, self._next_after]
        self.page_number = len(self._afters)
        await self._fetch()

    @rx.event
    @requires(READ)
    async def prev_page(self) -> None:
        if len(self._afters) < 2:
            return
        self._afters = self._afters[:-1]
        self.page_number = len(self._afters)
        await self._fetch()

    def _row(self, row: Payload) -> FailureRow | None:
        """The shown row the browser names (by id): only ever one the server listed."""
        picked = row.get("id") if isinstance(row, dict) else None
        return next((dataclasses.replace(r) for r in self.rows if r.id == picked), None)

    @rx.event
    @requires(WORK)
    async def take(self, row: Payload) -> Replies:
        """Take a failure; refused with who has it when somebody came first (checked on the server)."""
        target = self._row(row)
        if target is None:
            return
        actor = await acting_staff(self)
        reconciliation_id = int(target.id)

        def write(session: Session) -> Outcome[FailureTriage]:
            return db.take_failure(
                session, reconciliation_id=reconciliation_id, actor=actor, now=datetime.now(UTC)
            )

        outcome = await attempt(write)
        if not outcome.ok:
            yield rx.toast.error(outcome.message)
        else:
            yield rx.toast.success(f"Reconciliation #{reconciliation_id} is yours now")
        await self._fetch()

    def _open(self, row: Payload, dialog: str) -> None:
        target = self._row(row)
        if target is None:
            return
        self._target, self.dialog = target, dialog
        self.target_id, self.target_about = target.id, f"{target.account} · {target.class_label}"
        self.outcome_error, self.reason_error, self.note_error = "", "", ""

    def _shut(self) -> None:
        self._target, self.dialog, self.target_id, self.target_about = FailureRow(), "", "", ""

    @rx.event
    @requires(WORK)
    def open_close(self, row: Payload) -> None:
        self._open(row, "close")

    @rx.event
    @requires(WORK)
    def open_note(self, row: Payload) -> None:
        self._open(row, "note")

    @rx.event
    @requires(WORK)
    def set_dialog_open(self, value: bool) -> None:
        if not value:
            self._shut()

    @rx.event
    @requires(WORK)
    async def close_failure(self, form: Payload) -> Replies:
        """Close the dialog's failure with an outcome and a reason, from the lock_version listed."""
        if not self._target.id:
            return
        actor = await acting_staff(self)
        reconciliation_id, lock_version = int(self._target.id), self._target.lock_version
        outcome_value, reason = form_text(form, "outcome"), form_text(form, "reason")

        def write(session: Session) -> Outcome[FailureTriage]:
            return db.close_failure(
                session,
                reconciliation_id=reconciliation_id,
                lock_version=lock_version,
                outcome=outcome_value,
                reason=reason,
                actor=actor,
                now=datetime.now(UTC),
            )

        outcome = await attempt(write)
        self.outcome_error = outcome.field_errors.get("outcome", "")
        self.reason_error = outcome.field_errors.get("reason", "")
        if outcome.field_errors:
            return
        self._shut()
        if not outcome.ok:
            yield rx.toast.error(outcome.message)
        else:
            yield rx.toast.success(f"Reconciliation #{reconciliation_id} closed")
        await self._fetch()

    @rx.event
    @requires(WORK)
    async def add_note(self, form: Payload) -> Replies:
        if not self._target.id:
            return
        actor = await acting_staff(self)
        reconciliation_id, text = int(self._target.id), form_text(form, "text")

        def write(session: Session) -> Outcome[FailureNote]:
            return db.add_note(
                session, reconciliation_id=reconciliation_id, text=text, actor=actor, now=datetime.now(UTC)
            )

        outcome = await attempt(write)
        self.note_error = outcome.field_errors.get("text", "")
        if outcome.field_errors:
            return
        self._shut()
        if not outcome.ok:
            yield rx.toast.error(outcome.message)
            return
        yield rx.toast.success(f"Note added to reconciliation #{reconciliation_id}")
