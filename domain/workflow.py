"""The stage rules, in one place: which moves exist and what each one needs.

Everything else (the aggregate, the API, pages, tests) asks this module what is
missing before a move; nothing re-implements these rules.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Protocol


class Stage(str, Enum):
    """Where an issue is in the cycle frame → explore → act → learn, or closed."""

    FRAME = "frame"
    EXPLORE = "explore"
    ACT = "act"
    LEARN = "learn"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


ORDER = [Stage.FRAME, Stage.EXPLORE, Stage.ACT, Stage.LEARN, Stage.CLOSED]


class IssueFacts(Protocol):
    """What the rules read from an issue."""

    stage: Stage
    is_parked: bool
    is_closed: bool
    has_framing: bool
    has_selection: bool
    expert_contribution_count: int
    finding_count: int
    stakeholder_count: int
    completed_owned_action_count: int
    learning_count: int
    awaiting_feedback_count: int


Criterion = Callable[[IssueFacts], "str | None"]


def _framed(issue: IssueFacts) -> str | None:
    return None if issue.has_framing else "no framing statement yet (the problem and who it affects)"


def _has_input(issue: IssueFacts) -> str | None:
    return None if issue.expert_contribution_count else "no contribution from an expert yet"


def _selected(issue: IssueFacts) -> str | None:
    return None if issue.has_selection else "no decision yet to select the issue, with its participation level"


def _has_finding(issue: IssueFacts) -> str | None:
    return None if issue.finding_count else "no finding recorded yet"


def _has_stakeholder(issue: IssueFacts) -> str | None:
    return None if issue.stakeholder_count else "no stakeholder has joined yet"


def _action_completed(issue: IssueFacts) -> str | None:
    if issue.completed_owned_action_count:
        return None
    return "no action with a named owner has been completed yet"


def _has_learning(issue: IssueFacts) -> str | None:
    return None if issue.learning_count else "no learning recorded yet"


def _all_input_answered(issue: IssueFacts) -> str | None:
    waiting = issue.awaiting_feedback_count
    if not waiting:
        return None
    return f"{waiting} contribution{'s' if waiting != 1 else ''} await{'' if waiting != 1 else 's'} feedback"


# What must be true before an issue may leave each stage for the next one.
EXIT_CRITERIA: dict[Stage, tuple[Criterion, ...]] = {
    Stage.FRAME: (_framed, _has_input, _selected),
    Stage.EXPLORE: (_has_finding, _has_stakeholder),
    Stage.ACT: (_action_completed,),
    Stage.LEARN: (_has_learning, _all_input_answered),
}


def next_stage(stage: Stage) -> Stage | None:
    """The stage an advance from `stage` leads to (None once closed)."""
    position = ORDER.index(stage)
    return ORDER[position + 1] if position + 1 < len(ORDER) else None


def is_backward(from_stage: Stage, to_stage: Stage) -> bool:
    """A move back to an earlier stage (from Learn, a new cycle)."""
    return to_stage != Stage.CLOSED and ORDER.index(to_stage) < ORDER.index(from_stage)


def _blockers(issue: IssueFacts) -> list[str]:
    if issue.is_closed:
        return ["the issue is closed"]
    if issue.is_parked:
        return ["the issue is parked: reopen it first"]
    return []


def unmet_criteria(issue: IssueFacts, to_stage: Stage) -> list[str]:
    """Every reason, in plain words, why `issue` cannot advance to `to_stage` now."""
    blockers = _blockers(issue)
    if blockers:
        return blockers
    if next_stage(issue.stage) != to_stage:
        return [f"{to_stage.label} does not follow {issue.stage.label}: "
                f"an issue advances one stage at a time"]
    return [message for check in EXIT_CRITERIA[issue.stage] if (message := check(issue))]


def unmet_for_moving_back(issue: IssueFacts, to_stage: Stage, reason: str) -> list[str]:
    """Every reason why `issue` cannot move back to `to_stage` now."""
    missing = _blockers(issue)
    if not missing and not is_backward(issue.stage, to_stage):
        missing.append(f"{to_stage.label} is not before {issue.stage.label}")
    if not reason.strip():
        missing.append("a reason for moving back")
    return missing


def earlier_stages(issue: IssueFacts) -> list[Stage]:
    """The stages `issue` may move back to now, nearest first (none while closed or parked)."""
    if _blockers(issue):
        return []
    return [stage for stage in reversed(ORDER) if is_backward(issue.stage, stage)]
