"""Priority rounds through the application: who may do what, what each person sees, and the key that goes."""

from datetime import date, timedelta

import pytest

from domain import NotAllowed, NotFound, ParticipationLevel, RuleBroken
from domain.clock import now

LEVEL = ParticipationLevel.CONSULTATION


@pytest.fixture
def round_(memory_app, memory_cast):
    app, cast = memory_app, memory_cast
    issues = [app.raise_issue(cast.hub, title, cast.manager)
              for title in ("Registering with a GP", "Bus passes", "Letters in plain words", "Waiting rooms")]
    round_id = app.open_round(cast.hub, issues, now().date() + timedelta(days=7), cast.manager)
    return app, cast, issues, round_id


def a_third_expert(app, cast):
    """A third expert of the hub: a round is counted only with three voters online (or none)."""
    admin = app.account(cast.admin_id).as_actor()
    kim = app.register_account("kim", "expert", "Kim Example", "", admin)
    app.join_hub(kim, cast.hub, admin)
    return app.account(kim).as_actor()


def test_only_the_hubs_managers_open_and_close_and_only_its_experts_vote(round_):
    app, cast, issues, round_id = round_
    head = app.recorder.max_notification_id()
    with pytest.raises(NotAllowed):
        app.open_round(cast.hub, issues, now().date() + timedelta(days=7), cast.expert)
    with pytest.raises(NotAllowed):
        app.close_round(round_id, cast.facilitator)
    with pytest.raises(NotAllowed):
        app.cast_ballot(round_id, {issues[0]: 1}, cast.manager)
    with pytest.raises(NotAllowed):
        app.record_tally(round_id, issues[0], {issues[0]: 1}, 1, cast.expert)
    assert app.recorder.max_notification_id() == head


def test_another_hubs_expert_finds_no_such_round(round_, memory_app, memory_cast):
    app, cast, issues, round_id = round_
    admin = app.account(cast.admin_id).as_actor()
    elsewhere = app.create_hub("Elsewhere", "Norfolk", "active", admin)
    stranger = app.register_account("eve", "expert", "Eve Example", "", admin)
    app.join_hub(stranger, elsewhere, admin)
    eve = app.account(stranger).as_actor()
    for attempt in (lambda: app.cast_ballot(round_id, {issues[0]: 1}, eve), lambda: app.round_as_seen(round_id, eve)):
        with pytest.raises(NotFound, match="no priority round"):
            attempt()


def test_before_closing_each_sees_only_how_many_voted_and_a_voter_only_their_own_ballot(round_):
    app, cast, issues, round_id = round_
    app.cast_ballot(round_id, {issues[0]: 2, issues[1]: 1}, cast.expert)
    app.cast_ballot(round_id, {str(issues[1]): 3}, cast.actors["jo"])
    own = app.round_as_seen(round_id, cast.expert)
    assert own["your_ballot"] == {issues[0]: 2, issues[1]: 1} and own["voters"] == 2 and own["ranking"] == []
    managed = app.round_as_seen(round_id, cast.manager)
    assert managed["your_ballot"] is None and not managed["you_voted"] and managed["experts"] == 2


def test_closing_ranks_records_the_place_in_each_issues_history_and_destroys_the_rounds_key(round_):
    app, cast, issues, round_id = round_
    app.cast_ballot(round_id, {issues[1]: 3}, cast.expert)
    app.cast_ballot(round_id, {issues[1]: 1, issues[2]: 2}, cast.actors["jo"])
    app.cast_ballot(round_id, {issues[3]: 1}, a_third_expert(app, cast))
    app.close_round(round_id, cast.manager)
    seen = app.round_as_seen(round_id, cast.expert)
    assert [(r["issue_id"], r["rank"], r["dots"]) for r in seen["ranking"]] == [
        (issues[1], 1, 4), (issues[2], 2, 2), (issues[3], 3, 1), (issues[0], 4, 0)]
    assert seen["your_ballot"] is None and seen["voters"] == 3
    assert app.keys.key_for(round_id) is None
    assert type(app.history(issues[1])[-1]).__name__ == "RankedByExperts"
    with pytest.raises(RuleBroken, match="closed"):
        app.cast_ballot(round_id, {issues[1]: 1}, cast.expert)


def test_a_selection_against_the_vote_needs_a_reason_and_the_report_counts_it(round_):
    app, cast, issues, round_id = round_
    app.cast_ballot(round_id, {issues[1]: 3}, cast.expert)
    app.cast_ballot(round_id, {issues[2]: 3}, cast.actors["jo"])
    app.cast_ballot(round_id, {issues[2]: 1}, cast.actors["jo"])  # she changed her mind
    app.cast_ballot(round_id, {issues[0]: 1}, a_third_expert(app, cast))
    app.close_round(round_id, cast.manager)
    head = app.recorder.max_notification_id()
    with pytest.raises(RuleBroken, match="why we did not follow your vote"):
        app.select(issues[3], "Chosen at the hub meeting", LEVEL, cast.manager)
    assert app.recorder.max_notification_id() == head
    app.select(issues[3], "Chosen at the hub meeting", LEVEL, cast.manager,
               reason_for_experts="The council asked us to look at it first")
    app.select(issues[1], "Chosen too", LEVEL, cast.manager)
    report = app.accountability(cast.hub, cast.manager)["experts_vote"]
    assert (report["followed"], report["selections"]) == (1, 2)
    assert [r["reason"] for r in report["reasons"]] == ["The council asked us to look at it first"]
    assert report["rounds"][0]["voters"] == 3


def test_a_paper_tally_names_a_session_of_the_hub_and_keeps_within_its_attendance(round_):
    app, cast, issues, round_id = round_
    session = app.record_session(cast.hub, cast.facilitator, held_on=date(2024, 3, 1), place="Library",
                                 format="drop-in", experts_attended=5, staff_attended=1)
    with pytest.raises(RuleBroken, match="attendance was 5"):
        app.record_tally(round_id, session, {issues[0]: 3}, 6, cast.facilitator)
    app.record_tally(round_id, session, {issues[0]: 3}, 3, cast.facilitator)
    assert app.round_as_seen(round_id, cast.manager)["voters"] == 3
    with pytest.raises(NotFound):
        app.record_tally(round_id, issues[0], {issues[0]: 3}, 3, cast.facilitator)


def test_forgetting_a_voter_keeps_their_dots_in_the_count_and_loses_the_person(round_):
    app, cast, issues, round_id = round_
    app.cast_ballot(round_id, {issues[2]: 3}, cast.expert)
    app.forget(cast.ids["alex"], "Alex", "their own request", app.account(cast.admin_id).as_actor())
    for voter in (cast.actors["jo"], a_third_expert(app, cast)):
        app.cast_ballot(round_id, {issues[0]: 1}, voter)
    app.close_round(round_id, cast.manager)
    seen = app.round_as_seen(round_id, cast.manager)
    assert seen["ranking"][0]["issue_id"] == issues[2] and seen["ranking"][0]["dots"] == 3 and seen["voters"] == 3
    assert app.display_name(cast.ids["alex"]) == "a person who asked to be forgotten"
