"""The read models count what the domain's policies say: generated issues with input, feedback,
withdrawals and actions, on both stores, and every figure the SQL gives against the same policy
applied to the aggregates.

The policies live in domain/policies.py; the accountability and my-input read models translate
them into SQL. Should either side change alone, these figures part ways.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest

from domain import SystemicIssue
from domain.policies import FEEDBACK_DUE_DAYS, action_overdue, awaits_feedback, feedback_overdue
from projections import accountability, my_input
from projections.times import now
from tests.integration.test_store import say

EXPERTS = ("alex", "jo")
OWNERS = ("nadia", "sam")


def generate(app, cast, rng: random.Random) -> list[UUID]:
    """A few issues of the hub, each with input and a random run of feedback, withdrawals and actions."""
    issues = []
    for n in range(rng.randint(2, 3)):
        issue = app.raise_issue(cast.hub, f"Generated issue {n}", cast.actors[rng.choice(EXPERTS)])
        issues.append(issue)
        for _ in range(rng.randint(3, 6)):
            say(app, cast, issue, rng.choice(EXPERTS), "Something that happened to me")
        for _ in range(rng.randint(6, 12)):
            step(app, cast, issue, rng)
        who = rng.choice(EXPERTS)  # and input withdrawn before any feedback, whatever the dice said
        app.withdraw_contribution(issue, say(app, cast, issue, who, "Never mind"), cast.actors[who])
    return issues


def step(app, cast, issue_id: UUID, rng: random.Random) -> None:
    """One thing that may happen next to an issue, chosen at random among those its state allows."""
    issue = app.issue(issue_id)
    active = [UUID(c) for c in issue.active_contributions]
    open_actions = [a for a in issue.actions.values() if a.status == "open"]
    people = {str(i): name for name, i in cast.ids.items()}
    moves = ["say"]
    if active:
        moves += ["feedback", "feedback", "withdraw", "commit", "commit"]
    if open_actions:
        moves += ["complete", "drop"]
    move = rng.choice(moves)
    if move == "say":
        say(app, cast, issue_id, rng.choice(EXPERTS), "And another thing")
    elif move == "feedback":
        app.give_feedback(issue_id, "Here is what happened", rng.sample(active, rng.randint(1, len(active))),
                          cast.manager)
    elif move == "withdraw":
        chosen = rng.choice(active)
        app.withdraw_contribution(issue_id, chosen, cast.actors[people[issue.contributor_of(chosen)]])
    elif move == "commit":
        due = now().date() + timedelta(days=rng.choice([-5, -1, 0, 0, 1, 5]))  # due today is the edge
        app.commit_action(issue_id, "Change the letters", cast.ids[rng.choice(OWNERS)], due,
                          rng.sample(active, rng.randint(1, min(2, len(active)))), cast.manager)
    elif move == "complete":
        action = rng.choice(open_actions)
        app.complete_action(issue_id, UUID(action.id), "Done", cast.actors[people[action.owner_id]])
    else:
        app.drop_action(issue_id, UUID(rng.choice(open_actions).id), "No longer needed", cast.manager)


class Facts:
    """What the aggregates hold, with the times their events were recorded at."""

    def __init__(self, app, issue_ids: list[UUID]):
        self.issues: list[SystemicIssue] = [app.issue(i) for i in issue_ids]
        self.recorded_at: dict[str, datetime] = {}
        self.answered_at: dict[str, datetime] = {}
        self.committed_at: dict[str, datetime] = {}
        for issue_id in issue_ids:
            for e in app.history(issue_id):
                kind = type(e).__name__
                if kind == "ContributionRecorded":
                    self.recorded_at[str(e.contribution_id)] = e.timestamp
                elif kind == "FeedbackGiven":
                    for c in e.contribution_ids:
                        self.answered_at.setdefault(str(c), e.timestamp)
                elif kind == "ActionCommitted":
                    self.committed_at[str(e.action_id)] = e.timestamp

    def contributions(self) -> list[tuple[SystemicIssue, str]]:
        return [(issue, c) for issue in self.issues for c in issue.contributors]

    def report(self, start: datetime, end: datetime, today: datetime, days: int) -> dict[str, Any]:
        """The accountability figures, by the policies applied to the aggregates."""
        received = [(i, c) for i, c in self.contributions()
                    if start <= self.recorded_at[c] < end and c not in i.withdrawn]
        by_owner: dict[str, Counter] = {}
        for issue in self.issues:
            for a in issue.actions.values():
                if start <= self.committed_at[a.id] < end:
                    counts = by_owner.setdefault(a.owner_id, Counter(committed=0, completed=0, overdue=0))
                    counts.update(committed=1, completed=a.status == "completed",
                                  overdue=action_overdue(a.status, a.due, today.date()))
        return {
            "contributions_received": len(received),
            "awaiting_feedback": sum(awaits_feedback(c in i.withdrawn, c in i.answered) for i, c in received),
            "overdue_feedback": sum(feedback_overdue(self.recorded_at[c], self.answered_at.get(c), c in i.withdrawn,
                                                     today, days) for i, c in received),
            "actions_by_owner": [{"owner_id": owner, **by_owner[owner]} for owner in sorted(by_owner)],
        }

    def input_of(self, contributor_id: UUID) -> tuple[int, int]:
        """How many pieces of input the person gave, and how many await feedback."""
        theirs = [(i, c) for i, c in self.contributions() if i.contributors[c] == str(contributor_id)]
        return len(theirs), sum(i.awaits_feedback(c) for i, c in theirs)


def moments(facts: Facts, rng: random.Random) -> list[tuple[datetime, int]]:
    """Days to judge overdue by and `today`s to judge at: before, at and after the input's own times."""
    recorded = sorted(facts.recorded_at.values())
    waiting = sorted(facts.recorded_at[c] for i, c in facts.contributions() if i.awaits_feedback(c))
    at_one = rng.choice(waiting or recorded)  # judged at the very moment input that awaits was recorded: the edge
    return [(now(), FEEDBACK_DUE_DAYS), (now() + timedelta(days=1), 0), (at_one, 0),
            (at_one + timedelta(days=FEEDBACK_DUE_DAYS), FEEDBACK_DUE_DAYS),
            (rng.choice(recorded) + timedelta(microseconds=1), 0),
            (now() + timedelta(days=FEEDBACK_DUE_DAYS + 1), FEEDBACK_DUE_DAYS)]


def periods(facts: Facts, rng: random.Random) -> list[tuple[datetime, datetime]]:
    recorded = sorted(facts.recorded_at.values())
    cut = sorted(rng.sample(recorded, 2))
    return [(datetime(2000, 1, 1, tzinfo=timezone.utc), now() + timedelta(days=1)), (cut[0], cut[1])]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_accountability_report_counts_what_the_policies_say(app, cast, seed):
    # given
    rng = random.Random(seed)
    facts = Facts(app, generate(app, cast, rng))
    app.projections.catch_up()
    # when / then
    checked = Counter()
    with app.engine.connect() as conn:
        for start, end in periods(facts, rng):
            for today, days in moments(facts, rng):
                report = accountability.report(conn, cast.hub, start, end, today, days)
                expected = facts.report(start, end, today, days)
                assert {key: report[key] for key in expected} == expected, (start, end, today, days)
                checked.update(awaiting=expected["awaiting_feedback"], overdue=expected["overdue_feedback"],
                               actions_overdue=sum(o["overdue"] for o in expected["actions_by_owner"]))
    # the data exercised every rule, not only its empty case
    assert checked["awaiting"] and checked["overdue"] and checked["actions_overdue"], checked


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_my_input_counts_and_marks_what_awaits_feedback_by_the_policy(app, cast, seed):
    # given
    facts = Facts(app, generate(app, cast, random.Random(seed)))
    app.projections.catch_up()
    for name in EXPERTS:
        expert = cast.ids[name]
        marked = {(str(i.id), c): i.awaits_feedback(c) for i, c in facts.contributions()
                  if i.contributors[c] == str(expert)}
        # when
        with app.engine.connect() as conn:
            counted = my_input.count_of_contributor(conn, expert)
        page = app.my_input_page(cast.actors[name], 0, 1000)
        # then
        assert tuple(counted) == facts.input_of(expert) == (page.total, page.awaiting)
        assert {(s["issue_id"], s["contribution_id"]): s["awaiting_feedback"] for s in page.stories} == marked


@pytest.mark.parametrize("seed", [1, 2])
def test_the_issue_page_marks_what_awaits_feedback_by_the_policy(app, cast, seed):
    facts = Facts(app, generate(app, cast, random.Random(seed)))
    for issue in facts.issues:
        seen = app.issue_as_seen(issue.id, cast.manager)
        assert seen["awaiting_feedback"] == len(issue.awaiting_feedback)
        assert {c["id"]: awaits_feedback(c["withdrawn"], bool(c["answered_by"])) for c in seen["contributions"]} \
            == {c: issue.awaits_feedback(c) for c in issue.contributors}
