"""Cloud activation codes: whether a cloud license's code was used, and by which instances.

A used code matters to the "fix a typo" workflow: the license already runs somewhere, so sending its
code to another address needs a reason. The code itself is a credential: pages show its last four
characters only, and it activates one instance (which may ask again, after a reinstall or a lost
answer, and gets the same license).
"""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from admin_app.db.models import CloudActivation, License, id_of
from admin_app.db.outcomes import Outcome, invalid, refused

MAX_INSTANCE_ID_LENGTH = 64
# What an instance calls itself (a UUID, a host name) goes into the audit: plain characters only.
INSTANCE_ID = re.compile(rf"[A-Za-z0-9._:-]{{1,{MAX_INSTANCE_ID_LENGTH}}}")
UNKNOWN_CODE = "No cloud license has this activation code."
CODE_USED = "This activation code was already used by another instance; ask support for help."


@dataclass(frozen=True)
class ActivationStatus:
    """A cloud license's code, as far as a page may show it, and the instances that activated it."""

    code_hint: str
    activations: list[CloudActivation]

    @property
    def used(self) -> bool:
        return bool(self.activations)


def code_hint(code: str) -> str:
    """The code as staff see it: its last four characters."""
    return "…" + code[-4:]


def activation_status(*, session: Session, license: License) -> ActivationStatus | None:
    """None for a license without an activation code (legacy and offline licenses)."""
    if not license.activation_code:
        return None
    found = session.exec(
        select(CloudActivation)
        .where(CloudActivation.license_id == license.id)
        .order_by(col(CloudActivation.activated_at), col(CloudActivation.id))
    ).all()
    return ActivationStatus(code_hint(license.activation_code), list(found))


@dataclass(frozen=True)
class Activated:
    """The license a code activated, the instance's activation, and whether this request made it."""

    license: License
    activation: CloudActivation
    first_time: bool


def record_activation(
    *, session: Session, code: object, instance_id: object, at: datetime
) -> Outcome[Activated]:
    """An instance activated with `code`: the first instance is recorded; the same instance asking
    again is answered with the same activation; any other instance is refused."""
    if not isinstance(code, str) or not code.strip():
        return invalid({"code": "An activation code is needed."})
    if not isinstance(instance_id, str) or not INSTANCE_ID.fullmatch(instance_id.strip()):
        return invalid(
            {
                "instance_id": f"An instance id has 1 to {MAX_INSTANCE_ID_LENGTH} letters, digits, dots, "
                "dashes, underscores or colons."
            }
        )
    # Locked on PostgreSQL, so two instances presenting one code at once are answered one after the other.
    license = session.exec(
        select(License).where(License.activation_code == code.strip().upper()).with_for_update()
    ).first()
    if license is None:
        return refused(UNKNOWN_CODE)
    instance_id = instance_id.strip()
    earlier = session.exec(select(CloudActivation).where(CloudActivation.license_id == license.id)).all()
    if any(a.instance_id != instance_id for a in earlier):
        return refused(CODE_USED)
    if earlier:
        return Outcome(value=Activated(license, earlier[0], first_time=False))
    activation = CloudActivation(license_id=id_of(license), instance_id=instance_id, activated_at=at)
    session.add(activation)
    try:
        session.flush()
    except IntegrityError:
        # The same instance activating twice at once: the unique key keeps one.
        session.rollback()
        return refused("This instance's activation was just recorded; nothing more to do.")
    return Outcome(value=Activated(license, activation, first_time=True))
