"""The issue's rules about input, actions and feedback."""

from datetime import date
from uuid import uuid4

import pytest

from domain import Attribution, Channel, NotFound, RuleBroken
from tests.builders import People, contribute, first_input, in_act, in_frame


@pytest.fixture
def p():
    return People()


def test_a_facilitator_records_input_on_an_experts_behalf_at_a_session(p):
    issue = in_frame(p)
    session = uuid4()
    contribution_id = issue.record_contribution(p.expert.account_id, "sealed", p.facilitator, Channel.IN_PERSON,
                                                False, Attribution.FIRST_NAME, session)
    recorded = issue.pending_events[-1]
    assert issue.contributor_of(contribution_id) == str(p.expert.account_id)
    assert (recorded.contribution_id, recorded.contributor_id, recorded.actor["id"], recorded.session_id) == (
        contribution_id, p.expert.account_id, str(p.facilitator.account_id), session)
    assert recorded.may_quote is False and recorded.attribution == "first_name"


def test_only_a_facilitator_may_record_someone_elses_input(p):
    issue = in_frame(p)
    with pytest.raises(RuleBroken, match="only a facilitator"):
        issue.record_contribution(p.expert.account_id, "x", p.other_expert, Channel.ONLINE, True,
                                  Attribution.ANONYMOUS, uuid4())


def test_input_on_someones_behalf_names_its_session(p):
    issue = in_frame(p)
    with pytest.raises(RuleBroken, match="must name the session"):
        issue.record_contribution(p.expert.account_id, "x", p.facilitator, Channel.IN_PERSON, True,
                                  Attribution.ANONYMOUS)


def test_empty_input_is_refused(p):
    with pytest.raises(RuleBroken, match="text is required"):
        contribute(in_frame(p), p.expert, text="  ")


def test_withdrawing_twice_or_an_unknown_contribution_is_refused(p):
    issue = in_frame(p)
    contribution = contribute(issue, p.expert)
    issue.withdraw_contribution(contribution, p.expert)
    assert str(contribution) in issue.withdrawn and issue.active_contributions == []
    with pytest.raises(RuleBroken, match="already been withdrawn"):
        issue.withdraw_contribution(contribution, p.expert)
    with pytest.raises(NotFound):
        issue.withdraw_contribution(uuid4(), p.expert)


def test_withdrawn_input_cannot_be_themed_answered_or_linked(p):
    issue = in_frame(p)
    contribution = contribute(issue, p.expert)
    issue.withdraw_contribution(contribution, p.expert)
    for command in (lambda: issue.theme_contributions("timing", [contribution], p.manager),
                    lambda: issue.give_feedback("thanks", [contribution], p.manager),
                    lambda: issue.record_finding("finding", [contribution], p.manager)):
        with pytest.raises(RuleBroken, match="withdrawn"):
            command()


def test_theming_groups_contributions_without_duplicates(p):
    issue = in_frame(p)
    first, second = contribute(issue, p.expert), contribute(issue, p.other_expert)
    issue.theme_contributions("timing", [first, second, first], p.manager)
    assert issue.pending_events[-1].contribution_ids == [str(first), str(second)]


def test_feedback_must_answer_at_least_one_contribution(p):
    with pytest.raises(RuleBroken, match="at least one contribution"):
        in_frame(p).give_feedback("thanks", [], p.manager)


def test_feedback_marks_each_contribution_answered(p):
    issue = in_frame(p)
    first, second = contribute(issue, p.expert), contribute(issue, p.other_expert)
    issue.give_feedback("You said, we did", [first], p.manager)
    assert issue.awaiting_feedback == [str(second)]


def test_an_action_runs_from_commitment_to_an_end(p):
    issue = in_act(p)
    action = issue.commit_action("Brief receptions", p.owner.account_id, date(2024, 3, 31), first_input(issue), p.manager)
    issue.report_progress(action, "6 of 18 briefed", p.owner)
    issue.complete_action(action, "all briefed", p.owner)
    recorded = issue.actions[str(action)]
    assert (recorded.status, recorded.progress, recorded.due) == ("completed", ["6 of 18 briefed"], "2024-03-31")
    with pytest.raises(RuleBroken, match="already been completed"):
        issue.drop_action(action, "why", p.manager)


def test_dropping_an_action_needs_a_reason(p):
    issue = in_act(p)
    action = issue.commit_action("Brief receptions", p.owner.account_id, date(2024, 3, 31), first_input(issue), p.manager)
    with pytest.raises(RuleBroken, match="reason is required"):
        issue.drop_action(action, "", p.manager)


def test_a_stakeholder_joins_once(p):
    issue = in_frame(p)
    issue.add_stakeholder("University", "university", p.manager)
    with pytest.raises(RuleBroken, match="already joined"):
        issue.add_stakeholder("university", "university", p.manager)


def test_framing_needs_a_problem_and_who_it_affects(p):
    with pytest.raises(RuleBroken, match="who is affected is required"):
        in_frame(p).frame("a problem", "", p.manager)


def test_findings_and_actions_are_linked_to_the_input_behind_them(p):
    issue = in_act(p)
    with pytest.raises(RuleBroken, match="at least one contribution"):
        issue.record_finding("a finding", [], p.manager)
    with pytest.raises(RuleBroken, match="at least one contribution"):
        issue.commit_action("Brief receptions", p.owner.account_id, date(2024, 3, 31), [], p.manager)


def test_experts_rate_how_a_decision_felt_once_each(p):
    from domain import Stage
    from tests.builders import LEVEL, ready_to_explore
    issue = ready_to_explore(p)
    issue.advance_stage(Stage.EXPLORE, "agreed", LEVEL, p.manager)
    decision = issue.version
    assert issue.decisions[str(decision)] == "co-production"
    issue.rate_participation(decision, "consultation", p.expert)
    assert issue.ratings[str(decision)] == {str(p.expert.account_id): "consultation"}
    with pytest.raises(RuleBroken, match="already rated"):
        issue.rate_participation(decision, "informing", p.expert)
    with pytest.raises(RuleBroken, match="only experts"):
        issue.rate_participation(decision, "informing", p.manager)
    with pytest.raises(NotFound, match="no decision at position 1"):
        issue.rate_participation(1, "informing", p.other_expert)


def test_renaming_gives_a_new_title_and_keeps_the_old_one_in_the_history(p):
    issue = in_frame(p)
    old = issue.title
    issue.rename("  Seeing a GP with no fixed address ", p.manager)
    assert issue.title == "Seeing a GP with no fixed address"
    renamed = issue.collect_events()[-1]
    assert type(renamed).__name__ == "Renamed" and renamed.title == issue.title and old != issue.title
    for title in ("", "   ", issue.title):
        with pytest.raises(RuleBroken):
            issue.rename(title, p.manager)
