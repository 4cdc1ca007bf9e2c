"""Issues at each stage, built through the aggregate's own commands (no store)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from domain import Actor, Attribution, Channel, ParticipationLevel, Role, Stage, SystemicIssue

LEVEL = ParticipationLevel.CO_PRODUCTION


def actor(role: Role) -> Actor:
    return Actor(uuid4(), role)


class People:
    def __init__(self) -> None:
        self.manager = actor(Role.HUB_MANAGER)
        self.expert = actor(Role.EXPERT)
        self.other_expert = actor(Role.EXPERT)
        self.facilitator = actor(Role.FACILITATOR)
        self.owner = actor(Role.ACTION_OWNER)


def contribute(issue: SystemicIssue, who: Actor, text: str = "sealed input"):
    return issue.record_contribution(who.account_id, text, who, Channel.ONLINE, True, Attribution.ANONYMOUS)


def first_input(issue: SystemicIssue) -> list[str]:
    return [next(iter(issue.contributors))]


def in_frame(p: People) -> SystemicIssue:
    return SystemicIssue.raise_issue(uuid4(), "Registering with a GP", p.expert)


def ready_to_explore(p: People) -> SystemicIssue:
    issue = in_frame(p)
    issue.frame("No address, no GP", "People without a fixed address", p.manager)
    contribute(issue, p.expert)
    issue.select("Chosen at the hub meeting", LEVEL, p.manager)
    return issue


def in_explore(p: People) -> SystemicIssue:
    issue = ready_to_explore(p)
    issue.advance_stage(Stage.EXPLORE, "ready", LEVEL, p.manager)
    return issue


def in_act(p: People) -> SystemicIssue:
    issue = in_explore(p)
    issue.record_finding("Reception staff did not know the rules", first_input(issue), p.manager)
    issue.add_stakeholder("GP federation", "service", p.manager)
    issue.advance_stage(Stage.ACT, "ready", LEVEL, p.manager)
    return issue


def in_learn(p: People) -> SystemicIssue:
    issue = in_act(p)
    action = issue.commit_action("Brief receptions", p.owner.account_id, date(2024, 3, 31), first_input(issue),
                                 p.manager)
    issue.complete_action(action, "done", p.owner)
    issue.advance_stage(Stage.LEARN, "action complete", LEVEL, p.manager)
    return issue


def ready_to_close(p: People) -> SystemicIssue:
    issue = in_learn(p)
    issue.record_learning("Five practices now register", "Follow-up calls", "Check in six months", p.manager)
    issue.give_feedback("Every practice was briefed", issue.awaiting_feedback, p.manager)
    return issue
