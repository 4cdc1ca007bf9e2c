"""Commands on systemic issues: one method per thing a person can do to an issue.

Every command takes the acting person and is decided here by the authorization table,
whichever door it came through (API, web pages, command line). Every command also takes
`expected_version`: when given, it is refused with a ConflictError unless the issue is
still at that version (the HTTP API's If-Match, the web forms' version field).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar
from uuid import UUID

from domain import (
    Account, Actor, Attribution, Channel, NotFound, ParticipationLevel, Role, RuleBroken, Stage, StaleVersion,
    SystemicIssue,
)
from service.app.application import CoproduceBase
from service.app.authorization import Decision, Permission as P, Target, Who, decide

T = TypeVar("T")
Version = int | None
Owner = Callable[[SystemicIssue], UUID | None]


def _no_owner(issue: SystemicIssue) -> None:
    return None


def _contributor(contribution_id: UUID) -> Owner:
    return lambda issue: UUID(issue.contributor_of(contribution_id))


def _action_owner(action_id: UUID) -> Owner:
    def owner(issue: SystemicIssue) -> UUID:
        action = issue.actions.get(str(action_id))
        if action is None:
            raise NotFound(f"action {action_id} is not part of this issue")
        return UUID(action.owner_id)
    return owner


class IssueCommands(CoproduceBase):
    """Raising, framing, exploring, acting on, learning from and closing issues."""

    def _on_issue(self, issue_id: UUID, actor: Actor, permission: P,
                  change: Callable[[SystemicIssue, Actor], T], expected_version: Version,
                  owner: Owner = _no_owner) -> T:
        """Load the issue, decide whether `actor` may do `permission` on it (on what `owner` names as
        theirs), check the version the caller last saw, change it and save."""
        def decide(issue: SystemicIssue) -> T:
            self.authorize(actor, P.READ, Target(issue.hub_id), hidden=f"no issue with id {issue_id}")
            acting = self.authorize(actor, permission, Target(issue.hub_id, owner(issue)))
            if expected_version is not None and issue.version != expected_version:
                raise StaleVersion(f"the issue is at version {issue.version}, not {expected_version}: "
                                   "reload and try again")
            result = change(issue, acting)
            self._save(issue)
            self._saved.aggregate = issue
            return result
        return self._decided(SystemicIssue, issue_id, "issue", decide)

    def raise_issue(self, hub_id: UUID, title: str, actor: Actor) -> UUID:
        """Raise an issue in a hub; it starts in Frame."""
        self.readable_hub(hub_id, actor)
        acting = self.authorize(actor, P.RAISE_ISSUE, Target(hub_id))
        issue = SystemicIssue.raise_issue(hub_id, title, acting)
        self._save(issue)
        return issue.id

    def missing_before(self, issue_id: UUID, stage: Stage, actor: Actor) -> list[str]:
        """What is still missing before the issue may advance to `stage`."""
        return self.readable_issue(issue_id, actor).missing_before(Stage(stage))

    def rename_issue(self, issue_id: UUID, title: str, actor: Actor, expected_version: Version = None) -> None:
        """Give an issue a new title (its hub's managers)."""
        self._on_issue(issue_id, actor, P.SHAPE_ISSUE, lambda i, a: i.rename(title, a), expected_version)

    def frame(self, issue_id: UUID, problem: str, affected: str, actor: Actor,
              expected_version: Version = None) -> None:
        self._on_issue(issue_id, actor, P.SHAPE_ISSUE, lambda i, a: i.frame(problem, affected, a), expected_version)

    def record_contribution(
        self, issue_id: UUID, contributor_id: UUID, text: str, actor: Actor, *,
        channel: Channel, may_quote: bool, attribution: Attribution,
        session_id: UUID | None = None, expected_version: Version = None,
    ) -> UUID:
        """Record an expert's input, sealed with the expert's own key: their own, or (a facilitator)
        input given at a session by an expert of the issue's hub."""
        def record(issue: SystemicIssue, acting: Actor) -> UUID:  # checked on the issue as it is saved
            self.contributor_at(contributor_id, issue.hub_id, for_self=str(contributor_id) == str(acting.account_id))
            if session_id is not None:
                self.hub(issue.hub_id).session(session_id)
            sealed = self.sealed(contributor_id, text, "text") if text.strip() else ""
            return issue.record_contribution(contributor_id, sealed, acting, channel, may_quote, attribution,
                                             session_id)
        return self._on_issue(issue_id, actor, P.CONTRIBUTE, record, expected_version,
                              owner=lambda issue: UUID(str(contributor_id)))

    def contributor_at(self, contributor_id: UUID, hub_id: UUID, *, for_self: bool = False) -> Account:
        """The expert whose input may be recorded on an issue of the hub, or NotFound. One answer for no
        such account, someone of another hub, another role and someone forgotten, at every door: the
        answer tells no account apart from another (no username, role or erasure shows through it).
        Someone giving their own input is told why (RuleBroken): it is about no one but them."""
        if for_self:
            yourself = self._cached(Account, contributor_id, "account")
            if yourself.role != Role.EXPERT:
                raise RuleBroken("input can only be recorded for an expert")
            if str(hub_id) not in yourself.hub_ids:
                raise RuleBroken("you are not a member of this issue's hub")
        try:
            contributor = self._cached(Account, contributor_id, "account")  # read only: no copy
        except NotFound:
            contributor = None
        if (contributor is None or contributor.role != Role.EXPERT or contributor.forgotten
                or str(hub_id) not in contributor.hub_ids):
            raise NotFound(f"no expert of this hub with id {contributor_id}")
        return contributor

    def withdraw_contribution(self, issue_id: UUID, contribution_id: UUID, actor: Actor,
                              expected_version: Version = None) -> None:
        """Withdraw a piece of input: only its contributor may."""
        self._on_issue(issue_id, actor, P.WITHDRAW, lambda i, a: i.withdraw_contribution(contribution_id, a),
                       expected_version, owner=_contributor(contribution_id))

    def theme_contributions(self, issue_id: UUID, theme: str, contribution_ids: list[UUID],
                            actor: Actor, expected_version: Version = None) -> None:
        self._on_issue(issue_id, actor, P.SHAPE_ISSUE,
                       lambda i, a: i.theme_contributions(theme, contribution_ids, a), expected_version)

    def record_finding(self, issue_id: UUID, summary: str, contribution_ids: list[UUID],
                       actor: Actor, expected_version: Version = None) -> UUID:
        return self._on_issue(issue_id, actor, P.SHAPE_ISSUE,
                              lambda i, a: i.record_finding(summary, contribution_ids, a), expected_version)

    def add_stakeholder(self, issue_id: UUID, name: str, kind: str, actor: Actor,
                        expected_version: Version = None) -> None:
        self._on_issue(issue_id, actor, P.SHAPE_ISSUE, lambda i, a: i.add_stakeholder(name, kind, a),
                       expected_version)

    def commit_action(self, issue_id: UUID, title: str, owner_id: UUID, due: date,
                      contribution_ids: list[UUID], actor: Actor,
                      expected_version: Version = None) -> UUID:
        """Commit to an action with a named owner and a due date. The owner must be someone of the
        issue's hub whose role lets them report on it (an action owner or a hub manager)."""
        def commit(issue: SystemicIssue, acting: Actor) -> UUID:
            self._check_may_own(issue, owner_id)
            return issue.commit_action(title, owner_id, due, contribution_ids, acting)
        return self._on_issue(issue_id, actor, P.COMMIT_ACTION, commit, expected_version)

    def _check_may_own(self, issue: SystemicIssue, owner_id: UUID) -> None:
        try:
            owner = self.account(owner_id)
        except NotFound:
            raise NotFound(f"no account with id {owner_id} to own the action") from None
        who = Who(owner.id, owner.role, frozenset(owner.hub_ids))
        if owner.forgotten or decide(who, P.REPORT_PROGRESS, Target(issue.hub_id, owner.id)) is not Decision.ALLOWED:
            raise RuleBroken(f"{owner.username} cannot own an action here: an action's owner must be an "
                             "action owner or hub manager of the issue's hub")

    def report_progress(self, issue_id: UUID, action_id: UUID, note: str, actor: Actor,
                        expected_version: Version = None) -> None:
        self._on_issue(issue_id, actor, P.REPORT_PROGRESS, lambda i, a: i.report_progress(action_id, note, a),
                       expected_version, owner=_action_owner(action_id))

    def complete_action(self, issue_id: UUID, action_id: UUID, note: str, actor: Actor,
                        expected_version: Version = None) -> None:
        self._on_issue(issue_id, actor, P.REPORT_PROGRESS, lambda i, a: i.complete_action(action_id, note, a),
                       expected_version, owner=_action_owner(action_id))

    def drop_action(self, issue_id: UUID, action_id: UUID, reason: str, actor: Actor,
                    expected_version: Version = None) -> None:
        self._on_issue(issue_id, actor, P.DROP_ACTION, lambda i, a: i.drop_action(action_id, reason, a),
                       expected_version, owner=_action_owner(action_id))

    def give_feedback(self, issue_id: UUID, message: str, contribution_ids: list[UUID],
                      actor: Actor, expected_version: Version = None) -> UUID:
        return self._on_issue(issue_id, actor, P.GIVE_FEEDBACK,
                              lambda i, a: i.give_feedback(message, contribution_ids, a), expected_version)

    def record_learning(self, issue_id: UUID, what_changed: str, evidence: str, next_steps: str,
                        actor: Actor, expected_version: Version = None) -> UUID:
        return self._on_issue(issue_id, actor, P.RECORD_LEARNING, lambda i, a: i.record_learning(
            what_changed, evidence, next_steps, a), expected_version)

    def advance_stage(self, issue_id: UUID, to: Stage, reason: str, level: ParticipationLevel,
                      actor: Actor, expected_version: Version = None) -> None:
        self._on_issue(issue_id, actor, P.DECIDE_STAGE, lambda i, a: i.advance_stage(to, reason, level, a),
                       expected_version)

    def move_back(self, issue_id: UUID, to: Stage, reason: str, level: ParticipationLevel,
                  actor: Actor, expected_version: Version = None) -> None:
        self._on_issue(issue_id, actor, P.DECIDE_STAGE, lambda i, a: i.move_back(to, reason, level, a),
                       expected_version)

    def close_issue(self, issue_id: UUID, outcome: str, level: ParticipationLevel, actor: Actor,
                    expected_version: Version = None) -> None:
        self._on_issue(issue_id, actor, P.DECIDE_STAGE, lambda i, a: i.close(outcome, level, a), expected_version)

    def rate_participation(self, issue_id: UUID, decision: int, level: ParticipationLevel, actor: Actor,
                           expected_version: Version = None) -> None:
        self._on_issue(issue_id, actor, P.RATE_DECISION, lambda i, a: i.rate_participation(decision, level, a),
                       expected_version)

    def park(self, issue_id: UUID, reason: str, actor: Actor, expected_version: Version = None) -> None:
        self._on_issue(issue_id, actor, P.DECIDE_STAGE, lambda i, a: i.park(reason, a), expected_version)

    def reopen(self, issue_id: UUID, reason: str, actor: Actor, expected_version: Version = None) -> None:
        self._on_issue(issue_id, actor, P.DECIDE_STAGE, lambda i, a: i.reopen(reason, a), expected_version)
