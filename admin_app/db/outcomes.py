"""What a write returns: the record, or messages a person can act on (never an exception for bad input)."""

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """`value` when the write was made; otherwise a message per field and/or one for the whole form.

    `needs_confirmation` marks a write that was held back until the user confirms a consequence
    (rule 6's re-activation, rule 7's last membership); `message` then says what to confirm.
    """

    value: T | None = None
    field_errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    needs_confirmation: bool = False

    @property
    def ok(self) -> bool:
        return not self.field_errors and not self.message

    def made(self) -> T:
        """The value of a write that was made (an `ok` outcome)."""
        if self.value is None:
            raise ValueError("the write was not made: its outcome has no value")
        return self.value

    def passed_on(self) -> "Outcome[Any]":
        """This write that was not made, as the outcome of a write that needed it (no value, so its
        value's type does not matter)."""
        if self.value is not None:
            raise ValueError("the write was made: its outcome is not another write's")
        return self


def refused(message: str, *, needs_confirmation: bool = False) -> Outcome[Any]:
    """Nothing was written, for the reason in `message`."""
    return Outcome(message=message, needs_confirmation=needs_confirmation)


def invalid(field_errors: dict[str, str]) -> Outcome[Any]:
    """Nothing was written: these fields need fixing."""
    return Outcome(field_errors=field_errors)
