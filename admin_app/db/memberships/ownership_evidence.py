"""Rule 13: the verification evidence an ownership change needs, with the handbook's conditions
("Ownership verification"). Pure functions: what the account is, who asks, what they brought."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from admin_app.db.validation import email_domain, same_email, text_error

EVIDENCE_KINDS = {
    "sold_to_approval": "Approval from the current Sold To",
    "prior_contract": "Prior subscription contract",
    "recent_invoice": "Invoice from the last 12 months",
    "license_text": "Last loaded license, as text (self-managed)",
    "namespace_owner": "Namespace owner check (SaaS)",
    "reseller_vouch": "Reseller's vouch (reseller accounts)",
}
INVOICE_MAX_AGE = timedelta(days=365)
MAX_TICKET = 64
# The note goes into every history row of the change, with the names and the ticket: it stays short.
MAX_NOTE = 1000
# A GitLab namespace's full path: groups and subgroups separated by slashes.
MAX_NAMESPACE = 255
NAMESPACE = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]*(/[A-Za-z0-9_.][A-Za-z0-9_.-]*)*")


@dataclass(frozen=True)
class Evidence:
    """What support saw: the kind, the ticket it came in on, a note, and the kind's own details."""

    kind: str
    ticket: str
    note: str
    approver_email: str = ""
    invoice_date: date | None = None
    license_text: str = ""
    namespace: str = ""

    @property
    def label(self) -> str:
        return EVIDENCE_KINDS.get(self.kind, self.kind)

    def summary(self, verified: str = "") -> str:
        """How the evidence reads in the history; `verified` is what the server checked of it (the
        license file's signature and license)."""
        detail = {
            "sold_to_approval": f" from {self.approver_email}",
            "recent_invoice": f" dated {self.invoice_date}" if self.invoice_date else "",
            "license_text": f": {verified}" if verified else "",
            "namespace_owner": f" of namespace {self.namespace.strip()}",
        }.get(self.kind, "")
        return f"evidence: {self.label.lower()}{detail}; ticket {self.ticket}; note: {self.note}"


@dataclass(frozen=True)
class AccountFacts:
    """What the evidence rules need to know about the billing account."""

    reseller: str | None
    sold_to_email: str
    bill_to_email: str
    deployments: frozenset[str]


def evidence_errors(
    evidence: Evidence, facts: AccountFacts, requester_email: str, today: date
) -> dict[str, str]:
    """Field -> why this evidence does not verify the requester for this account (empty: it does)."""
    errors: dict[str, str] = {}
    ticket = text_error("Ticket reference", evidence.ticket, max_length=MAX_TICKET)
    note = text_error("Note", evidence.note, max_length=MAX_NOTE)
    if ticket:
        errors["ticket"] = ticket
    if note:
        errors["note"] = note
    problem = _kind_problem(evidence, facts, requester_email, today)
    if problem:
        field, message = problem
        errors[field] = message
    return errors


def _kind_problem(
    evidence: Evidence, facts: AccountFacts, requester_email: str, today: date
) -> tuple[str, str] | None:
    kind = evidence.kind
    if kind not in EVIDENCE_KINDS:
        # Vouches from our own staff (account owners included) are not evidence, so they are no option.
        return "evidence", "Choose one of the verification options."
    if kind == "sold_to_approval":
        if same_email(evidence.approver_email, facts.sold_to_email):
            return None
        if facts.bill_to_email and same_email(evidence.approver_email, facts.bill_to_email):
            return "approver_email", (
                "Only the Sold To can approve when Sold To and Bill To differ; the Bill To must give a "
                "recent invoice instead."
            )
        return "approver_email", "The approval must come from the current Sold To's email address."
    if kind == "recent_invoice":
        if facts.reseller:
            return "evidence", (
                f"This account was bought through a reseller ({facts.reseller}): an invoice is not accepted. "
                "The reseller can vouch, or provide the invoice in the ticket."
            )
        if evidence.invoice_date is None:
            return "invoice_date", "Enter the invoice's date."
        if evidence.invoice_date > today or today - evidence.invoice_date > INVOICE_MAX_AGE:
            return "invoice_date", "The invoice must be from the last 12 months."
        return None
    if kind == "license_text":
        if "self-managed" not in facts.deployments:
            return "evidence", "A license copy is evidence only for self-managed subscriptions."
        # Whether the text is a license file this app signed for this account is checked against the
        # database and the keys (license_evidence.verify_license_evidence).
        if not evidence.license_text.strip():
            return "license_text", "Paste the license as text (screenshots are not accepted)."
        return None
    if kind == "namespace_owner":
        if "saas" not in facts.deployments:
            return "evidence", "The namespace owner check is for SaaS subscriptions only."
        return _namespace_problem(evidence.namespace)
    if kind == "reseller_vouch":
        if not facts.reseller:
            return "evidence", "A reseller's vouch is accepted only for accounts bought through a reseller."
        if email_domain(requester_email) != email_domain(facts.sold_to_email):
            return "evidence", (
                "A reseller's vouch needs the requester's email domain to match the Sold To's "
                f"(@{email_domain(facts.sold_to_email)})."
            )
    return None


def _namespace_problem(namespace: str) -> tuple[str, str] | None:
    """The history names the namespace whose owner was checked, so it must be one."""
    problem = text_error("Namespace", namespace, max_length=MAX_NAMESPACE)
    if problem:
        return "namespace", problem
    if not NAMESPACE.fullmatch(namespace.strip()):
        return "namespace", "Enter the namespace's path as in its URL, such as acme or acme/platform."
    return None
