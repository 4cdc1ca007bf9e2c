"""Commands on systemic issues: one method per thing a user can do to an issue.

Every command takes `expected_version`: when given, the command is refused with a
ConflictError unless the issue is still at that version (the HTTP API's If-Match).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar
from uuid import UUID

from domain import (
    Actor, Attribution, Channel, NotFound, ParticipationLevel, Role, RuleBroken, Stage, SystemicIssue,
)
from service.application import CoproduceBase

T = TypeVar("T")
Version = int | None


class IssueCommands(CoproduceBase):
    """Raising, framing, exploring, acting on, learning from and closing issues."""

    def _on_issue(self, issue_id: UUID, change: Callable[[SystemicIssue], T],
                  expected_version: Version) -> T:
        return self._change(SystemicIssue, issue_id, "issue", change, expected_version)

    def raise_issue(self, hub_id: UUID, title: str, actor: Actor) -> UUID:
        """Raise an issue in a hub; it starts in Frame."""
        self.hub(hub_id)
        issue = SystemicIssue.raise_issue(hub_id, title, actor)
        self._save(issue)
        return issue.id

    def missing_before(self, issue_id: UUID, stage: Stage) -> list[str]:
        """What is still missing before the issue may advance to `stage`."""
        return self.issue(issue_id).missing_before(Stage(stage))

    def frame(self, issue_id: UUID, problem: str, affected: str, actor: Actor,
              expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.frame(problem, affected, actor), expected_version)

    def select(self, issue_id: UUID, decision: str, level: ParticipationLevel, actor: Actor,
               expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.select(decision, level, actor), expected_version)

    def record_contribution(
        self, issue_id: UUID, contributor_id: UUID, text: str, actor: Actor, *,
        channel: Channel, may_quote: bool, attribution: Attribution,
        session_id: UUID | None = None, expected_version: Version = None,
    ) -> UUID:
        """Record an expert's input, sealed with the expert's own key."""
        contributor = self.account(contributor_id)
        if contributor.role != Role.EXPERT:
            raise RuleBroken("input can only be recorded for an expert")
        if contributor.forgotten:
            raise RuleBroken(f"{contributor.username} asked to be forgotten: no new input can be recorded for them")

        def record(issue: SystemicIssue) -> UUID:  # checked on the issue as it is saved: one load, not two
            if str(issue.hub_id) not in contributor.hub_ids:
                raise RuleBroken(f"{contributor.username} is not a member of this issue's hub")
            if session_id is not None:
                self.hub(issue.hub_id).session(session_id)
            sealed = self.sealer.seal(contributor_id, text) if text.strip() else ""
            return issue.record_contribution(contributor_id, sealed, actor, channel, may_quote, attribution,
                                             session_id)
        return self._on_issue(issue_id, record, expected_version)

    def withdraw_contribution(self, issue_id: UUID, contribution_id: UUID, actor: Actor,
                              expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.withdraw_contribution(contribution_id, actor),
                       expected_version)

    def theme_contributions(self, issue_id: UUID, theme: str, contribution_ids: list[UUID],
                            actor: Actor, expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.theme_contributions(theme, contribution_ids, actor),
                       expected_version)

    def record_finding(self, issue_id: UUID, summary: str, contribution_ids: list[UUID],
                       actor: Actor, expected_version: Version = None) -> UUID:
        return self._on_issue(issue_id, lambda i: i.record_finding(summary, contribution_ids, actor),
                              expected_version)

    def add_stakeholder(self, issue_id: UUID, name: str, kind: str, actor: Actor,
                        expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.add_stakeholder(name, kind, actor), expected_version)

    def commit_action(self, issue_id: UUID, title: str, owner_id: UUID, due: date,
                      contribution_ids: list[UUID], actor: Actor,
                      expected_version: Version = None) -> UUID:
        """Commit to an action with a named owner (an existing account) and a due date."""
        try:
            self.account(owner_id)
        except NotFound:
            raise NotFound(f"no account with id {owner_id} to own the action") from None
        return self._on_issue(issue_id, lambda i: i.commit_action(
            title, owner_id, due, contribution_ids, actor), expected_version)

    def report_progress(self, issue_id: UUID, action_id: UUID, note: str, actor: Actor,
                        expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.report_progress(action_id, note, actor), expected_version)

    def complete_action(self, issue_id: UUID, action_id: UUID, note: str, actor: Actor,
                        expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.complete_action(action_id, note, actor), expected_version)

    def drop_action(self, issue_id: UUID, action_id: UUID, reason: str, actor: Actor,
                    expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.drop_action(action_id, reason, actor), expected_version)

    def give_feedback(self, issue_id: UUID, message: str, contribution_ids: list[UUID],
                      actor: Actor, expected_version: Version = None) -> UUID:
        return self._on_issue(issue_id, lambda i: i.give_feedback(message, contribution_ids, actor),
                              expected_version)

    def record_learning(self, issue_id: UUID, what_changed: str, evidence: str, next_steps: str,
                        actor: Actor, expected_version: Version = None) -> UUID:
        return self._on_issue(issue_id, lambda i: i.record_learning(
            what_changed, evidence, next_steps, actor), expected_version)

    def advance_stage(self, issue_id: UUID, to: Stage, reason: str, level: ParticipationLevel,
                      actor: Actor, expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.advance_stage(to, reason, level, actor), expected_version)

    def move_back(self, issue_id: UUID, to: Stage, reason: str, level: ParticipationLevel,
                  actor: Actor, expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.move_back(to, reason, level, actor), expected_version)

    def close_issue(self, issue_id: UUID, outcome: str, level: ParticipationLevel, actor: Actor,
              expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.close(outcome, level, actor), expected_version)

    def rate_participation(self, issue_id: UUID, decision: int, level: ParticipationLevel, actor: Actor,
                           expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.rate_participation(decision, level, actor), expected_version)

    def park(self, issue_id: UUID, reason: str, actor: Actor, expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.park(reason, actor), expected_version)

    def reopen(self, issue_id: UUID, reason: str, actor: Actor, expected_version: Version = None) -> None:
        self._on_issue(issue_id, lambda i: i.reopen(reason, actor), expected_version)
