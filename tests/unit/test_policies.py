"""The domain's policies: awaiting feedback, overdue feedback and actions, the ladder's order."""

from datetime import date, datetime, timedelta, timezone

from domain import ParticipationLevel
from domain.policies import (
    FEEDBACK_DUE_DAYS, LADDER, action_overdue, awaits_feedback, feedback_overdue, ladder,
)

NOW = datetime(2025, 6, 30, 12, tzinfo=timezone.utc)
TODAY = NOW.date()


def test_input_awaits_feedback_until_answered_unless_withdrawn():
    assert awaits_feedback(withdrawn=False, answered=False)
    assert not awaits_feedback(withdrawn=False, answered=True)
    assert not awaits_feedback(withdrawn=True, answered=False)
    assert not awaits_feedback(withdrawn=True, answered=True)


def test_feedback_is_overdue_only_after_the_promised_days():
    on_the_day = NOW - timedelta(days=FEEDBACK_DUE_DAYS)
    assert not feedback_overdue(on_the_day, None, False, NOW)
    assert feedback_overdue(on_the_day - timedelta(microseconds=1), None, False, NOW)
    assert feedback_overdue(NOW - timedelta(hours=1), None, False, NOW, days=0)
    assert not feedback_overdue(NOW, None, False, NOW, days=0)


def test_answered_or_withdrawn_input_is_never_overdue():
    long_ago = NOW - timedelta(days=400)
    assert not feedback_overdue(long_ago, long_ago + timedelta(days=300), False, NOW)
    assert not feedback_overdue(long_ago, None, True, NOW)


def test_an_action_is_overdue_when_still_open_after_its_due_date():
    yesterday = TODAY - timedelta(days=1)
    assert action_overdue("open", yesterday, TODAY)
    assert action_overdue("open", yesterday.isoformat(), TODAY)
    assert not action_overdue("open", TODAY, TODAY)  # due today is not late yet
    assert not action_overdue("completed", yesterday, TODAY)
    assert not action_overdue("dropped", date(2000, 1, 1), TODAY)


def test_the_ladder_runs_from_coercion_to_co_production():
    assert LADDER[0] is ParticipationLevel.COERCION and LADDER[-1] is ParticipationLevel.CO_PRODUCTION
    assert [level.rung for level in LADDER] == list(range(1, len(LADDER) + 1))
    assert ladder(highest_first=True) == tuple(reversed(ladder()))


def test_the_pages_and_the_report_list_the_ladder_from_the_policy():
    from projections.accountability import LADDER as REPORT_LADDER
    from service.web.wording import LEVELS

    assert REPORT_LADDER == [level.value for level in LADDER]
    assert [value for value, _, _ in LEVELS] == [level.value for level in ladder(highest_first=True)]
