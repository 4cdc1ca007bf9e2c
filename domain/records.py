"""The things an issue gathers as it moves: findings, actions, feedback, learning.

Decisions, findings, actions and learning remember the cycle they belong to: a move
back from Learn starts a new cycle, whose exit criteria need new ones.

Plain mutable records held inside the `SystemicIssue` aggregate; only the
aggregate's event methods change them. Ids are kept as strings so that a
snapshot of the aggregate is plain JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Channel(str, Enum):
    """How a contribution reached the hub."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    PHONE = "phone"
    WRITTEN = "written"


class Attribution(str, Enum):
    """How the contributor wants to be named if their input is shown."""

    NAME = "name"
    FIRST_NAME = "first_name"
    ANONYMOUS = "anonymous"


class ActionStatus(str, Enum):
    OPEN = "open"
    COMPLETED = "completed"
    DROPPED = "dropped"


@dataclass
class Framing:
    problem: str
    affected: str


@dataclass
class Selection:
    decision: str
    level: str
    cycle: int = 1
    followed_vote: bool | None = None  # None: no closed priority round bound the selection
    reason_for_experts: str = ""  # why the hub did not follow the experts' vote


@dataclass
class Finding:
    id: str
    summary: str
    contribution_ids: list[str]
    cycle: int = 1


@dataclass
class Stakeholder:
    name: str
    kind: str


@dataclass
class Action:
    """A commitment with a named owner, a due date and a recorded end."""

    id: str
    title: str
    owner_id: str
    due: str
    contribution_ids: list[str]
    cycle: int = 1
    status: str = ActionStatus.OPEN.value
    progress: list[str] = field(default_factory=list)
    end_note: str = ""


@dataclass
class Feedback:
    id: str
    message: str
    contribution_ids: list[str]


@dataclass
class Learning:
    id: str
    what_changed: str
    evidence: str
    next_steps: str
    cycle: int = 1


RECORD_TYPES = (Framing, Selection, Finding, Stakeholder, Action, Feedback, Learning)
