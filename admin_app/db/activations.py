"""Cloud activation codes: whether a cloud license's code was used, and by which instances.

A used code matters to the "fix a typo" workflow: the license already runs somewhere, so sending its
code to another address needs a reason. The code itself is a credential: pages show its last four
characters only.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from admin_app.db.models import CloudActivation, License
from admin_app.db.outcomes import Outcome, invalid, refused

MAX_INSTANCE_ID_LENGTH = 64


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


def record_activation(
    *, session: Session, code: object, instance_id: object, at: datetime
) -> Outcome[CloudActivation]:
    """An instance activated with `code`; the same instance activating again is recorded once."""
    if not isinstance(code, str) or not code.strip():
        return invalid({"code": "An activation code is needed."})
    if (
        not isinstance(instance_id, str)
        or not instance_id.strip()
        or len(instance_id) > MAX_INSTANCE_ID_LENGTH
    ):
        return invalid({"instance_id": f"An instance id has 1 to {MAX_INSTANCE_ID_LENGTH} characters."})
    license = session.exec(select(License).where(License.activation_code == code.strip().upper())).first()
    if license is None:
        return refused("No cloud license has this activation code.")
    instance_id = instance_id.strip()
    earlier = session.exec(
        select(CloudActivation).where(
            CloudActivation.license_id == license.id, CloudActivation.instance_id == instance_id
        )
    ).first()
    if earlier is not None:
        return Outcome(value=earlier)
    activation = CloudActivation(license_id=license.id, instance_id=instance_id, activated_at=at)
    session.add(activation)
    try:
        session.flush()
    except IntegrityError:
        # The same instance activating twice at once: the unique key keeps one.
        session.rollback()
        return refused("This instance's activation was just recorded; nothing more to do.")
    return Outcome(value=activation)
