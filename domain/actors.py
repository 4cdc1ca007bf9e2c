"""Who did something: an account and the role it acted in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from uuid import UUID


class Role(str, Enum):
    """The roles people hold in Coproduce."""

    EXPERT = "expert"
    FACILITATOR = "facilitator"
    HUB_MANAGER = "hub_manager"
    ACTION_OWNER = "action_owner"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    """The account behind a change, and the role it acted in."""

    account_id: UUID
    role: Role

    def as_dict(self) -> dict[str, str]:
        """The primitive form recorded in every event."""
        return {"id": str(self.account_id), "role": self.role.value}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Actor:
        return cls(UUID(data["id"]), Role(data["role"]))
