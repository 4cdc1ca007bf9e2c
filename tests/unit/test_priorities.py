"""A priority round's rules: opening, ballots, paper tallies, closing, and the reason a selection may need."""

from datetime import date, timedelta
from uuid import uuid4

import pytest

from domain import NotFound, ParticipationLevel, PriorityRound, Role, RuleBroken, Stage
from domain.clock import now
from domain.hub import Session
from domain.priorities import Standing, decode_ballot, encode_ballot, rank
from tests.builders import People, actor, in_frame, ready_to_explore

LEVEL = ParticipationLevel.CONSULTATION


def reversible(text: str) -> str:
    """A stand-in for the round's key: the tests check what is recorded, not the cipher."""
    return "sealed:" + text[::-1]


def unseal(sealed: str) -> str:
    return sealed.removeprefix("sealed:")[::-1]


def tomorrow() -> date:
    return now().date() + timedelta(days=1)


@pytest.fixture
def p():
    return People()


def issues_of_one_hub(p, n=4):
    first = in_frame(p)
    rest = [in_frame(p) for _ in range(n - 1)]
    for issue in rest:
        issue.hub_id = first.hub_id
    return [first, *rest]


def opened(p, n=4, dots=3):
    issues = issues_of_one_hub(p, n)
    return PriorityRound.open(issues[0].hub_id, issues, tomorrow(), dots, p.manager), issues


def ids(issues):
    return [str(i.id) for i in issues]


def test_a_round_opens_over_issues_in_frame_with_three_dots_by_default(p):
    round_, issues = opened(p)
    assert round_.issue_ids == ids(issues) and round_.dots == 3 and round_.is_open and round_.voter_count == 0


@pytest.mark.parametrize("change, message", [
    (lambda issues, p: issues[1].__setattr__("hub_id", uuid4()), "no issue"),
    (lambda issues, p: issues[1].park("waiting", p.manager), "not in Frame"),
])
def test_a_round_is_only_over_the_hubs_own_issues_in_frame(p, change, message):
    issues = issues_of_one_hub(p)
    change(issues, p)
    with pytest.raises((RuleBroken, NotFound), match=message):
        PriorityRound.open(issues[0].hub_id, issues, tomorrow(), 3, p.manager)


def test_a_round_needs_two_issues_a_future_closing_date_and_sensible_dots(p):
    issues = issues_of_one_hub(p)
    hub = issues[0].hub_id
    with pytest.raises(RuleBroken, match="2 to 20 different issues"):
        PriorityRound.open(hub, [issues[0], issues[0]], tomorrow(), 3, p.manager)
    with pytest.raises(RuleBroken, match="after today"):
        PriorityRound.open(hub, issues, now().date(), 3, p.manager)
    with pytest.raises(RuleBroken, match="between 1 and 10"):
        PriorityRound.open(hub, issues, tomorrow(), 11, p.manager)


def test_one_round_of_a_hub_is_open_at_a_time(p):
    round_, issues = opened(p)
    with pytest.raises(RuleBroken, match="already has a priority round open"):
        PriorityRound.open(issues[0].hub_id, issues, tomorrow(), 3, p.manager, latest=round_)


def test_an_expert_spreads_dots_or_puts_them_all_on_one_and_a_second_ballot_replaces_the_first(p):
    round_, issues = opened(p)
    a, b = ids(issues)[:2]
    round_.cast({a: 1, b: 2}, reversible, p.expert)
    round_.cast({a: 3}, reversible, p.expert)
    round_.cast({b: 1}, reversible, p.other_expert)
    assert round_.voter_count == 2
    assert round_.count(unseal) == {**dict.fromkeys(ids(issues), 0), a: 3, b: 1}


def test_a_recorded_ballot_holds_only_the_sealed_string_of_one_length(p):
    round_, issues = opened(p)
    a, b = ids(issues)[:2]
    round_.cast({a: 3}, reversible, p.expert)
    round_.cast({a: 1, b: 2}, reversible, p.other_expert)
    one, other = [e for e in round_.pending_events if type(e).__name__ == "BallotCast"]
    assert set(vars(one)) - {"originator_id", "originator_version", "timestamp", "originator_topic"} == {
        "ballot", "actor"}
    assert len(one.ballot) == len(other.ballot)
    assert a not in one.ballot and a not in other.ballot


@pytest.mark.parametrize("choices, message", [
    (lambda i: {i[0]: 4}, "you have 3 dots to place, not 4"),
    (lambda i: {i[0]: 2, i[1]: 2}, "you have 3 dots to place, not 4"),
    (lambda i: {str(uuid4()): 1}, "is not in this round"),
    (lambda i: {i[0]: -1, i[1]: 2}, "whole numbers"),
    (lambda i: {i[0]: 0}, "at least one dot"),
    (lambda i: {}, "at least one dot"),
    (lambda i: {i[0]: True}, "whole numbers"),
])
def test_bad_ballots_are_refused_and_change_nothing(p, choices, message):
    round_, issues = opened(p)
    round_.cast({ids(issues)[0]: 1}, reversible, p.expert)
    before = list(round_.pending_events)
    with pytest.raises(RuleBroken, match=message):
        round_.cast(choices(ids(issues)), reversible, p.expert)
    assert round_.pending_events == before and round_.count(unseal)[ids(issues)[0]] == 1


def test_only_experts_vote(p):
    round_, issues = opened(p)
    with pytest.raises(RuleBroken, match="only experts"):
        round_.cast({ids(issues)[0]: 1}, reversible, p.manager)


def test_a_closed_round_or_one_past_its_closing_date_takes_no_ballot(p):
    round_, issues = opened(p)
    round_.closes_on = (now().date() - timedelta(days=1)).isoformat()
    with pytest.raises(RuleBroken, match="voting ended on"):
        round_.cast({ids(issues)[0]: 1}, reversible, p.expert)
    round_.close(unseal, p.manager)
    with pytest.raises(RuleBroken, match="round is closed"):
        round_.cast({ids(issues)[0]: 1}, reversible, p.expert)
    with pytest.raises(RuleBroken, match="already closed"):
        round_.close(unseal, p.manager)


def session(attended=12):
    return Session(str(uuid4()), "2024-03-01", "Library", "drop-in", attended, 2)


def test_a_paper_tally_adds_its_counts_and_voters_and_a_second_tally_of_the_session_replaces_it(p):
    round_, issues = opened(p)
    a, b = ids(issues)[:2]
    room = session()
    round_.record_tally(room, {a: 10, b: 5}, 6, p.facilitator)
    round_.record_tally(room, {a: 9, b: 6}, 5, p.facilitator)
    round_.cast({b: 3}, reversible, p.expert)
    assert round_.voter_count == 6
    assert round_.count(unseal)[a] == 9 and round_.count(unseal)[b] == 9


@pytest.mark.parametrize("counts, voters, message", [
    (lambda i: {i[0]: 3}, 13, "attendance was 12 experts"),
    (lambda i: {i[0]: 7}, 2, "you have 6 dots to place, not 7"),
    (lambda i: {i[0]: 1}, 0, "1 or more"),
    (lambda i: {str(uuid4()): 1}, 2, "not in this round"),
])
def test_a_tally_larger_than_the_room_or_its_dots_is_refused(p, counts, voters, message):
    round_, issues = opened(p)
    with pytest.raises(RuleBroken, match=message):
        round_.record_tally(session(), counts(ids(issues)), voters, p.facilitator)
    assert round_.tallies == {}


def test_closing_ranks_the_issues_equal_dots_sharing_a_place_and_forgets_what_each_ballot_chose(p):
    round_, issues = opened(p)
    a, b, c, d = ids(issues)
    round_.cast({b: 3}, reversible, p.expert)
    round_.cast({c: 2, a: 1}, reversible, p.other_expert)
    round_.cast({d: 2}, reversible, actor(Role.EXPERT))
    round_.record_tally(session(), {c: 1}, 1, p.facilitator)
    ranking = round_.close(unseal, p.manager)
    assert [(r.issue_id, r.rank, r.dots) for r in ranking] == [(b, 1, 3), (c, 1, 3), (d, 3, 2), (a, 4, 1)]
    assert round_.voter_count == 4 and round_.has_voted(p.expert.account_id)
    assert set(round_.ballots.values()) == {""}
    closed = round_.pending_events[-1]
    assert closed.totals == {a: 1, b: 3, c: 3, d: 2} and closed.online_voters == 3


def test_a_round_whose_ballots_cannot_be_opened_is_not_counted(p):
    round_, issues = opened(p)
    for voter in (p.expert, p.other_expert, actor(Role.EXPERT)):  # enough to be counted
        round_.cast({ids(issues)[0]: 1}, reversible, voter)
    with pytest.raises(RuleBroken, match="can no longer be opened"):
        round_.close(lambda sealed: None, p.manager)
    assert round_.is_open


def test_ballot_text_round_trips():
    order = ["a", "b", "c"]
    assert encode_ballot(order, {"b": 3}) == "00,03,00"
    assert decode_ballot(order, "01,00,02") == {"a": 1, "c": 2}
    with pytest.raises(RuleBroken):
        decode_ballot(order, "01,02")


def test_rank_shares_places_between_equals():
    assert [(r.issue_id, r.rank) for r in rank({"a": 1, "b": 5, "c": 1}, ["a", "b", "c"])] == [
        ("b", 1), ("a", 2), ("c", 2)]


# --- the selection rule ----------------------------------------------------------------------


def closed_round(p):
    round_, issues = opened(p, n=5)
    a, b, c, d, e = ids(issues)
    round_.record_tally(session(), {a: 5, b: 4, c: 3, d: 2, e: 1}, 5, p.facilitator)
    round_.close(unseal, p.manager)
    return round_, issues


def test_choosing_the_top_ranked_issue_follows_the_vote(p):
    round_, issues = closed_round(p)
    standing = round_.standing_of(issues[0].id)
    assert standing == Standing(str(round_.id), 1, ()) and standing.followed


def test_passing_over_a_higher_ranked_issue_needs_a_reason_for_the_experts(p):
    round_, issues = closed_round(p)
    standing = round_.standing_of(issues[2].id)
    assert standing.rank == 3 and standing.passed_over == tuple(ids(issues[:2])) and not standing.followed
    assert standing.why_a_reason_is_needed() == ["2 issues the experts ranked higher have not been chosen"]


def test_once_the_higher_ones_are_chosen_the_next_follows_the_vote(p):
    round_, issues = closed_round(p)
    for issue in issues[:2]:
        round_.note_selection(issue.id, round_.standing_of(issue.id), "", p.manager)
    assert round_.standing_of(issues[2].id).followed


def test_outside_the_top_three_needs_a_reason_even_with_nothing_passed_over(p):
    round_, issues = closed_round(p)
    for issue in issues[:3]:
        round_.note_selection(issue.id, round_.standing_of(issue.id), "", p.manager)
    standing = round_.standing_of(issues[3].id)
    assert standing.passed_over == () and not standing.followed
    assert standing.why_a_reason_is_needed() == ["the experts ranked this issue 4th, outside their top 3"]


def test_an_issue_that_was_not_in_the_round_needs_a_reason(p):
    round_, _ = closed_round(p)
    standing = round_.standing_of(uuid4())
    assert standing.rank is None and not standing.followed
    assert "did not vote on this issue" in standing.why_a_reason_is_needed()[0]


def test_once_every_ranked_issue_is_chosen_the_round_binds_no_more(p):
    round_, issues = closed_round(p)
    for issue in issues[:-1]:
        round_.note_selection(issue.id, round_.standing_of(issue.id), "", p.manager)
    assert round_.binds and round_.standing_of(uuid4()).passed_over == (str(issues[-1].id),)
    round_.note_selection(issues[-1].id, round_.standing_of(issues[-1].id), "", p.manager)
    assert not round_.binds


def test_an_open_round_binds_no_selection(p):
    round_, issues = opened(p)
    with pytest.raises(RuleBroken, match="open round"):
        round_.standing_of(issues[0].id)


def test_an_issue_selected_against_the_vote_without_a_reason_is_refused_and_unchanged(p):
    round_, issues = closed_round(p)
    issue = issues[2]
    before = len(issue.pending_events)
    with pytest.raises(RuleBroken, match="why we did not follow your vote.*2 issues the experts ranked higher"):
        issue.select("Chosen", LEVEL, p.manager, round_.standing_of(issue.id))
    with pytest.raises(RuleBroken, match="a reason for the experts"):
        issue.select("Chosen", LEVEL, p.manager, round_.standing_of(issue.id), "   ")
    assert len(issue.pending_events) == before and not issue.has_selection


def test_a_selection_with_a_reason_records_it_and_that_the_vote_was_not_followed(p):
    round_, issues = closed_round(p)
    issue = issues[2]
    issue.select("Chosen", LEVEL, p.manager, round_.standing_of(issue.id), " The GP contract ends in May ")
    weighed = issue.pending_events[-1]
    assert type(weighed).__name__ == "VoteWeighed"
    assert (weighed.rank, weighed.followed, weighed.reason) == (3, False, "The GP contract ends in May")
    assert issue.has_selection


def test_a_selection_that_followed_the_vote_is_recorded_as_such(p):
    round_, issues = closed_round(p)
    issue = issues[0]
    issue.select("Chosen", LEVEL, p.manager, round_.standing_of(issue.id))
    selected, weighed = issue.pending_events[-2:]
    assert selected.level == LEVEL.value and (weighed.rank, weighed.followed, weighed.reason) == (1, True, "")


def test_without_a_closed_round_a_selection_is_as_before(p):
    issue = ready_to_explore(p)
    assert type(issue.pending_events[-1]).__name__ == "Selected" and issue.stage == Stage.FRAME


def test_the_ranking_joins_the_issues_history(p):
    issue = in_frame(p)
    round_id = uuid4()
    issue.note_ranking(round_id, 2, 7, 4, actor(Role.HUB_MANAGER))
    ranked = issue.pending_events[-1]
    assert (ranked.round_id, ranked.rank, ranked.dots, ranked.of) == (round_id, 2, 7, 4)


def test_a_round_with_fewer_than_three_voters_closes_uncounted_and_binds_nothing(p):
    round_, issues = opened(p)
    round_.cast({ids(issues)[0]: 3}, reversible, p.expert)
    round_.cast({ids(issues)[1]: 3}, reversible, p.other_expert)
    round_.close(reversible, p.manager)
    assert not round_.is_open and round_.voter_count == 2
    assert round_.ranking == [] and not round_.binds  # each of the two could read the other's ballot from a count


@pytest.mark.parametrize("online, on_paper, counted", [(1, 6, False), (2, 6, False), (0, 3, True), (3, 1, True)])
def test_one_or_two_online_ballots_beside_paper_tallies_are_not_counted(p, online, on_paper, counted):
    """Whoever recorded the paper tallies knows their counts: taken from the totals, they would
    leave one or two online ballots bare."""
    round_, issues = opened(p)
    for voter in [p.expert, p.other_expert, actor(Role.EXPERT)][:online]:
        round_.cast({ids(issues)[1]: 2}, reversible, voter)
    round_.record_tally(session(), {ids(issues)[0]: on_paper}, on_paper, p.facilitator)
    round_.close(unseal, p.manager)
    assert round_.voter_count == online + on_paper
    assert bool(round_.ranking) is counted and round_.binds is counted
