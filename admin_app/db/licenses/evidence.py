"""Rule 13's "last loaded license, as text": the pasted text must be a license file signed by a key this
app holds (its own, or an earlier one it still trusts), for a license of the account changing owner.
A file is easy to make up and easy to pass round, so only what the signature and the database say is
believed: the license id the signed file names, and the subscription that license belongs to."""

from collections.abc import Sequence
from dataclasses import dataclass

from joserfc.jwk import OKPKey
from sqlmodel import Session, select

from admin_app.db.licenses.files import check_license_file, license_named
from admin_app.db.models import BillingAccount, Subscription, id_of

NOT_A_FILE = (
    "This is not a license file: paste the whole text between the BEGIN and END lines, as the customer's "
    "instance loaded it (screenshots and license keys typed out are not accepted)."
)
NOT_OURS = (
    "This license file was not signed by this app (or by a key it trusts), so it proves nothing about "
    "the account."
)
CHANGED = "This license file was changed after it was issued (or damaged when copied); it is not evidence."
UNKNOWN_LICENSE = "This license file names a license this app has no record of; it is not evidence."


@dataclass(frozen=True)
class VerifiedLicense:
    """What the signature and the database vouch for: a license of this account, signed by this key."""

    license_id: int
    company: str
    subscription_name: str
    key_id: str

    def summary(self) -> str:
        """How the verification reads in the history."""
        return (
            f"license file of license {self.license_id} ({self.company}, subscription "
            f"{self.subscription_name}), signature verified with key {self.key_id}"
        )


def verify_license_evidence(
    *, session: Session, text: str, keys: Sequence[OKPKey], account: BillingAccount
) -> VerifiedLicense | str:
    """The verified license, or why the text is not evidence for `account` (a message for support)."""
    check = check_license_file(text, keys)
    if check.verdict == "unknown_key":
        return NOT_OURS
    if check.verdict == "tampered":
        return CHANGED
    if not check.valid:
        return NOT_A_FILE
    found = license_named(session=session, claims=check.claims)
    if found is None:
        return UNKNOWN_LICENSE
    subscription = session.exec(
        select(Subscription).where(Subscription.name == found.subscription_name)
    ).first()
    if subscription is None or subscription.billing_account_id != account.id:
        return (
            f"This license file was issued for another account (license {found.id}, {found.company}), "
            f"not {account.name}; it is not evidence for this account."
        )
    return VerifiedLicense(id_of(found), found.company, subscription.name, check.key_id)
