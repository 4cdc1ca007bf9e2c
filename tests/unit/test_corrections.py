"""Is this what you said? Confirming, correcting and changing consent on one's own input."""

from uuid import uuid4

import pytest

from domain import Attribution, Channel, IssueClosed, RuleBroken, Stage
from domain.participation import ParticipationLevel
from tests.builders import People, contribute, in_frame, ready_to_close, ready_to_explore


@pytest.fixture
def p():
    return People()


def written_down(issue, p):
    return issue.record_contribution(p.expert.account_id, "sealed", p.facilitator, Channel.IN_PERSON, True,
                                     Attribution.NAME, uuid4())


def test_input_written_down_for_someone_awaits_their_confirmation_until_they_confirm(p):
    issue = in_frame(p)
    contribution = written_down(issue, p)
    assert issue.awaits_confirmation(str(contribution))
    issue.confirm_contribution(contribution, p.expert)
    assert type(issue.pending_events[-1]).__name__ == "ContributionConfirmed"
    assert not issue.awaits_confirmation(str(contribution))
    with pytest.raises(RuleBroken, match="already been confirmed or corrected"):
        issue.confirm_contribution(contribution, p.expert)


def test_a_correction_carries_the_new_sealed_words_and_ends_the_question(p):
    issue = in_frame(p)
    contribution = written_down(issue, p)
    issue.correct_contribution(contribution, "sealed again", p.expert)
    corrected = issue.pending_events[-1]
    assert (type(corrected).__name__, corrected.text, corrected.contribution_id) == (
        "ContributionCorrected", "sealed again", str(contribution))
    assert not issue.awaits_confirmation(str(contribution))


def test_written_down_input_may_be_corrected_in_a_later_stage(p):
    issue = ready_to_explore(p)
    contribution = written_down(issue, p)
    issue.advance_stage(Stage.EXPLORE, "ready", ParticipationLevel.CO_PRODUCTION, p.manager)
    issue.correct_contribution(contribution, "sealed again", p.expert)


def test_own_input_may_be_corrected_only_in_the_stage_it_was_given_in(p):
    issue = ready_to_explore(p)
    own = contribute(issue, p.expert)
    issue.correct_contribution(own, "sealed again", p.expert)
    issue.advance_stage(Stage.EXPLORE, "ready", ParticipationLevel.CO_PRODUCTION, p.manager)
    with pytest.raises(RuleBroken, match="only in the stage it was given in; the issue has moved on to explore"):
        issue.correct_contribution(own, "sealed once more", p.expert)


def test_nobody_else_may_confirm_correct_or_change_consent_on_someones_input(p):
    issue = in_frame(p)
    contribution = written_down(issue, p)
    before = len(issue.pending_events)
    for someone in (p.other_expert, p.facilitator, p.manager):
        for command in (lambda: issue.confirm_contribution(contribution, someone),
                        lambda: issue.correct_contribution(contribution, "x", someone),
                        lambda: issue.change_consent(contribution, False, Attribution.ANONYMOUS, someone)):
            with pytest.raises(RuleBroken, match="only the person who gave this input"):
                command()
    assert len(issue.pending_events) == before


def test_withdrawn_input_cannot_be_confirmed_corrected_or_have_its_consent_changed(p):
    issue = in_frame(p)
    contribution = written_down(issue, p)
    issue.withdraw_contribution(contribution, p.expert)
    for command in (lambda: issue.confirm_contribution(contribution, p.expert),
                    lambda: issue.correct_contribution(contribution, "x", p.expert),
                    lambda: issue.change_consent(contribution, False, Attribution.ANONYMOUS, p.expert)):
        with pytest.raises(RuleBroken, match="has been withdrawn"):
            command()


def test_input_on_a_closed_issue_cannot_be_corrected_but_consent_can_still_be_narrowed(p):
    issue = ready_to_close(p)
    contribution = next(iter(issue.active_contributions))
    issue.close("done", ParticipationLevel.CO_PRODUCTION, p.manager)
    contributor = p.expert if issue.contributor_of(contribution) == str(p.expert.account_id) else p.other_expert
    with pytest.raises(IssueClosed):
        issue.correct_contribution(contribution, "x", contributor)
    issue.change_consent(contribution, False, Attribution.ANONYMOUS, contributor)
    assert issue.pending_events[-1].attribution == "anonymous"


def test_ones_own_input_has_nothing_to_confirm_and_a_blank_correction_is_refused(p):
    issue = in_frame(p)
    own = contribute(issue, p.expert)
    with pytest.raises(RuleBroken, match="nothing to confirm"):
        issue.confirm_contribution(own, p.expert)
    with pytest.raises(RuleBroken, match="text is required"):
        issue.correct_contribution(own, "  ", p.expert)
