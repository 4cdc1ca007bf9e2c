"""Errors the domain raises when a rule refuses a command."""

from enum import Enum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)


class DomainError(Exception):
    """Base class: something a user asked for that the rules do not allow."""


class RuleBroken(DomainError):
    """A command broke one of the workflow's rules; the message says which."""


class StageRefused(RuleBroken):
    """A stage move was refused; `missing` lists every unmet criterion."""

    def __init__(self, from_stage: str, to_stage: str, missing: list[str]):
        self.from_stage = from_stage
        self.to_stage = to_stage
        self.missing = list(missing)
        super().__init__(
            f"cannot move from {from_stage} to {to_stage}: " + "; ".join(self.missing)
        )


class IssueClosed(RuleBroken):
    """The issue is closed; its history can be read but not added to."""

    def __init__(self) -> None:
        super().__init__("the issue is closed and cannot be changed")


class NotFound(DomainError):
    """No such hub, issue, account or item within it."""


class NotAllowed(DomainError):
    """The acting person's role may not do this here (the authorization table says so)."""


class ConflictError(DomainError):
    """Someone else changed the same thing first; reload and try again."""


class StaleVersion(ConflictError):
    """The caller's copy is older than the stored one (an If-Match that no longer matches)."""


def choice(cls: type[E], value: Any, field: str) -> E:
    """`value` as a member of `cls`, or a RuleBroken naming the field and the choices."""
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in cls)
        raise RuleBroken(f"{field} must be one of: {allowed}") from None
