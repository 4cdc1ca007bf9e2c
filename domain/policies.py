"""The rules every layer derives from: when input awaits feedback, what is overdue, the ladder's order.

The aggregate, the read models and the pages ask these functions rather than restating them.
A read model that counts in SQL translates a rule into a SQL expression next to a comment naming
it here, and tests/integration/test_policies_agree.py checks that the two always agree.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from domain.participation import ParticipationLevel
from domain.records import ActionStatus

FEEDBACK_DUE_DAYS = 28  # the promise: input hears back within four weeks


def awaits_feedback(withdrawn: bool, answered: bool) -> bool:
    """Input awaits feedback until some feedback answers it; withdrawn input awaits nothing."""
    return not withdrawn and not answered


def feedback_overdue(recorded_at: datetime, answered_at: datetime | None, withdrawn: bool, today: datetime,
                     days: int = FEEDBACK_DUE_DAYS) -> bool:
    """Input still awaiting feedback, recorded more than `days` days before `today`."""
    return awaits_feedback(withdrawn, answered_at is not None) and recorded_at < today - timedelta(days=days)


def action_overdue(status: str, due: date | str, today: date) -> bool:
    """An action still open after its due date (`due` as a date or an ISO date)."""
    due_day = date.fromisoformat(due) if isinstance(due, str) else due
    return status == ActionStatus.OPEN.value and due_day < today


LADDER: tuple[ParticipationLevel, ...] = tuple(ParticipationLevel)  # lowest rung first, as the enum lists them


def ladder(highest_first: bool = False) -> tuple[ParticipationLevel, ...]:
    """The rungs of the ladder of participation, lowest first (or highest first, as pages list them)."""
    return tuple(reversed(LADDER)) if highest_first else LADDER
