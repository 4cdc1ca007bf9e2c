"""Every allowed and refused stage move, and every exit criterion, in plain words."""

from datetime import date

import pytest

from domain import IssueClosed, RuleBroken, Stage, StageRefused
from tests.builders import (
    LEVEL, People, contribute, first_input, in_act, in_explore, in_frame, in_learn, ready_to_close,
    ready_to_explore,
)


@pytest.fixture
def p():
    return People()


def refused(move) -> list[str]:
    with pytest.raises(StageRefused) as error:
        move()
    return error.value.missing


def test_a_new_issue_starts_in_frame(p):
    assert in_frame(p).stage == Stage.FRAME


def test_frame_to_explore_lists_every_unmet_criterion(p):
    issue = in_frame(p)
    missing = refused(lambda: issue.advance_stage(Stage.EXPLORE, "", LEVEL, p.manager))
    assert missing == [
        "no framing statement yet (the problem and who it affects)",
        "no contribution from an expert yet",
        "no decision yet to select the issue, with its participation level",
        "a reason for the decision",
    ]
    assert issue.stage == Stage.FRAME


@pytest.mark.parametrize("left_out, message", [
    ("frame", "no framing statement yet (the problem and who it affects)"),
    ("contribute", "no contribution from an expert yet"),
    ("select", "no decision yet to select the issue, with its participation level"),
])
def test_each_frame_criterion_alone_blocks_explore(p, left_out, message):
    issue = in_frame(p)
    if left_out != "frame":
        issue.frame("problem", "who", p.manager)
    if left_out != "contribute":
        contribute(issue, p.expert)
    if left_out != "select":
        issue.select("chosen", LEVEL, p.manager)
    assert issue.missing_before(Stage.EXPLORE) == [message]


def test_a_withdrawn_contribution_does_not_count_as_input(p):
    issue = ready_to_explore(p)
    only = next(iter(issue.contributors))
    issue.withdraw_contribution(only, p.expert)
    assert issue.missing_before(Stage.EXPLORE) == ["no contribution from an expert yet"]


def test_frame_to_explore_when_all_is_there(p):
    issue = ready_to_explore(p)
    issue.advance_stage(Stage.EXPLORE, "agreed", LEVEL, p.manager)
    assert issue.stage == Stage.EXPLORE


def test_explore_to_act_needs_a_finding_and_a_stakeholder(p):
    issue = in_explore(p)
    assert issue.missing_before(Stage.ACT) == ["no finding recorded yet", "no stakeholder has joined yet"]
    issue.record_finding("a finding", first_input(issue), p.manager)
    assert issue.missing_before(Stage.ACT) == ["no stakeholder has joined yet"]
    issue.add_stakeholder("University", "university", p.manager)
    issue.advance_stage(Stage.ACT, "agreed", LEVEL, p.manager)
    assert issue.stage == Stage.ACT


def test_act_to_learn_needs_a_completed_action_not_just_a_committed_one(p):
    issue = in_act(p)
    message = "no action with a named owner has been completed yet"
    assert issue.missing_before(Stage.LEARN) == [message]
    action = issue.commit_action("Brief staff", p.owner.account_id, date(2024, 1, 1), first_input(issue), p.manager)
    assert issue.missing_before(Stage.LEARN) == [message]
    issue.drop_action(action, "no funding", p.manager)
    assert issue.missing_before(Stage.LEARN) == [message]
    done = issue.commit_action("Print cards", p.owner.account_id, date(2024, 1, 1), first_input(issue), p.manager)
    issue.complete_action(done, "", p.owner)
    issue.advance_stage(Stage.LEARN, "done", LEVEL, p.manager)
    assert issue.stage == Stage.LEARN


def test_an_issue_cannot_close_while_input_awaits_feedback(p):
    issue = in_learn(p)
    contribute(issue, p.other_expert)
    missing = refused(lambda: issue.close("Done", LEVEL, p.manager))
    assert missing == ["no learning recorded yet", "2 contributions await feedback"]


def test_one_contribution_awaiting_feedback_is_named_in_the_singular(p):
    issue = in_learn(p)
    issue.record_learning("changed", "evidence", "", p.manager)
    assert issue.missing_before(Stage.CLOSED) == ["1 contribution awaits feedback"]


def test_withdrawn_input_no_longer_awaits_feedback(p):
    issue = in_learn(p)
    issue.record_learning("changed", "evidence", "", p.manager)
    only = next(iter(issue.contributors))
    issue.withdraw_contribution(only, p.expert)
    issue.close("Done", LEVEL, p.manager)
    assert issue.is_closed


def test_closing_needs_an_outcome(p):
    issue = ready_to_close(p)
    assert refused(lambda: issue.close("  ", LEVEL, p.manager)) == ["an outcome"]
    issue.close("Practices now register people", LEVEL, p.manager)
    assert issue.stage == Stage.CLOSED and issue.outcome == "Practices now register people"


@pytest.mark.parametrize("build, to", [
    (in_frame, Stage.ACT), (in_frame, Stage.LEARN), (in_explore, Stage.LEARN), (in_explore, Stage.FRAME),
])
def test_advancing_skips_no_stage_and_never_goes_back(p, build, to):
    issue = build(p)
    missing = refused(lambda: issue.advance_stage(to, "why", LEVEL, p.manager))
    assert "an issue advances one stage at a time" in missing[0]


def test_advance_cannot_close_an_issue(p):
    issue = ready_to_close(p)
    with pytest.raises(RuleBroken, match="use close"):
        issue.advance_stage(Stage.CLOSED, "why", LEVEL, p.manager)


@pytest.mark.parametrize("build, to", [
    (in_explore, Stage.FRAME), (in_act, Stage.EXPLORE), (in_act, Stage.FRAME),
    (in_learn, Stage.ACT), (in_learn, Stage.FRAME), (in_learn, Stage.EXPLORE),
])
def test_any_backward_move_is_allowed_with_a_reason(p, build, to):
    issue = build(p)
    issue.move_back(to, "new evidence came in", LEVEL, p.manager)
    assert issue.stage == to


def test_moving_back_without_a_reason_is_refused(p):
    issue = in_learn(p)
    assert refused(lambda: issue.move_back(Stage.FRAME, " ", LEVEL, p.manager)) == ["a reason for moving back"]


def test_moving_back_must_go_to_an_earlier_stage(p):
    issue = in_explore(p)
    assert refused(lambda: issue.move_back(Stage.ACT, "why", LEVEL, p.manager)) == ["Act is not before Explore"]


def test_a_parked_issue_makes_no_stage_move_until_reopened(p):
    issue = ready_to_explore(p)
    issue.park("waiting for the pharmacy network", p.manager)
    assert refused(lambda: issue.advance_stage(Stage.EXPLORE, "go", LEVEL, p.manager)) == [
        "the issue is parked: reopen it first"]
    issue.reopen("contact named", p.manager)
    issue.advance_stage(Stage.EXPLORE, "go", LEVEL, p.manager)
    assert issue.stage == Stage.EXPLORE


def test_parking_and_reopening_need_a_reason_and_the_right_state(p):
    issue = in_frame(p)
    with pytest.raises(RuleBroken, match="reason is required"):
        issue.park(" ", p.manager)
    with pytest.raises(RuleBroken, match="not parked"):
        issue.reopen("why", p.manager)
    issue.park("why", p.manager)
    with pytest.raises(RuleBroken, match="already parked"):
        issue.park("again", p.manager)


def test_a_closed_issue_accepts_no_change(p):
    issue = ready_to_close(p)
    issue.close("Done", LEVEL, p.manager)
    with pytest.raises(IssueClosed):
        contribute(issue, p.expert)
    with pytest.raises(IssueClosed):
        issue.park("why", p.manager)
    assert refused(lambda: issue.move_back(Stage.LEARN, "why", LEVEL, p.manager)) == ["the issue is closed"]


def test_every_decision_records_actor_reason_and_level(p):
    issue = ready_to_explore(p)
    issue.advance_stage(Stage.EXPLORE, "agreed at the hub", LEVEL, p.manager)
    decision = issue.collect_events()[-1]
    assert type(decision).__name__ == "StageAdvanced"
    assert decision.actor == {"id": str(p.manager.account_id), "role": "hub_manager"}
    assert (decision.reason, decision.level, decision.from_stage, decision.to) == (
        "agreed at the hub", "co-production", "frame", "explore")


def test_a_new_cycle_from_learn_needs_new_action_and_learning_before_closing_again(p):
    # given an issue that finished a cycle and starts another from Act
    issue = ready_to_close(p)
    issue.move_back(Stage.ACT, "the card is not accepted everywhere", LEVEL, p.manager)
    # then the last cycle's completed action does not count
    assert issue.missing_before(Stage.LEARN) == ["no action with a named owner has been completed yet"]
    action = issue.commit_action("Second round of briefings", p.owner.account_id, date(2024, 9, 1),
                                 first_input(issue), p.manager)
    issue.complete_action(action, "", p.owner)
    issue.advance_stage(Stage.LEARN, "done again", LEVEL, p.manager)
    assert issue.missing_before(Stage.CLOSED) == ["no learning recorded yet"]


def test_a_new_cycle_from_frame_needs_a_new_selection_and_finding(p):
    issue = ready_to_close(p)
    issue.move_back(Stage.FRAME, "a new angle on the problem", LEVEL, p.manager)
    assert issue.missing_before(Stage.EXPLORE) == [
        "no decision yet to select the issue, with its participation level"]
    issue.select("Chosen again", LEVEL, p.manager)
    issue.advance_stage(Stage.EXPLORE, "again", LEVEL, p.manager)
    assert issue.missing_before(Stage.ACT) == ["no finding recorded yet"]


def test_moving_back_within_a_cycle_keeps_its_work(p):
    issue = in_act(p)
    issue.move_back(Stage.EXPLORE, "one more stakeholder to hear from", LEVEL, p.manager)
    assert issue.missing_before(Stage.ACT) == []


def test_an_unknown_level_or_stage_is_refused_naming_the_field(p):
    issue = ready_to_explore(p)
    with pytest.raises(RuleBroken, match="level must be one of: coercion, educating"):
        issue.advance_stage(Stage.EXPLORE, "why", "top", p.manager)
    with pytest.raises(RuleBroken, match="stage must be one of: frame, explore"):
        issue.advance_stage("onwards", "why", LEVEL, p.manager)
