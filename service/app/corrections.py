"""Is this what you said? A person confirms or corrects their input, and changes what they agreed to.

Only the contributor may (the authorization table's CORRECT_INPUT, on their own input); the issue
decides the rest: not withdrawn, not on a closed issue, and (for input they wrote themselves) not
once the issue has moved on to another stage. Corrected words are sealed with the person's key.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain import Actor, Attribution, NotFound, RuleBroken, SystemicIssue
from service.app.authorization import Permission as P
from service.app.issue_commands import IssueCommands, Version, _contributor
from service.app.queries import ReadQueries


class InputCorrections(IssueCommands, ReadQueries):
    """Confirming, correcting and changing consent on one's own input."""

    def _still_here(self, acting: Actor) -> None:
        if self.account(acting.account_id).forgotten:
            raise RuleBroken("this person asked to be forgotten: their input cannot be changed")

    def confirm_contribution(self, issue_id: UUID, contribution_id: UUID, actor: Actor,
                             expected_version: Version = None) -> None:
        """The contributor says that what a facilitator wrote down for them is right."""
        def confirm(issue: SystemicIssue, acting: Actor) -> None:
            self._still_here(acting)
            issue.confirm_contribution(contribution_id, acting)
        self._on_issue(issue_id, actor, P.CORRECT_INPUT, confirm, expected_version,
                       owner=_contributor(contribution_id))

    def correct_contribution(self, issue_id: UUID, contribution_id: UUID, text: str, actor: Actor,
                             expected_version: Version = None) -> None:
        """The contributor puts their input in their own words: the issue shows these from now on."""
        def correct(issue: SystemicIssue, acting: Actor) -> None:
            self._still_here(acting)
            words = text.strip()
            if words and words == self._current_words(issue, str(contribution_id)):
                raise RuleBroken("these are the words already recorded: nothing to correct")
            sealed = self.sealed(acting.account_id, words, "text") if words else ""
            issue.correct_contribution(contribution_id, sealed, acting)
        self._on_issue(issue_id, actor, P.CORRECT_INPUT, correct, expected_version,
                       owner=_contributor(contribution_id))

    def change_consent(self, issue_id: UUID, contribution_id: UUID, may_quote: bool,
                       attribution: Attribution, actor: Actor, expected_version: Version = None) -> None:
        """The contributor changes whether their input may be quoted and how they are named."""
        def change(issue: SystemicIssue, acting: Actor) -> None:
            self._still_here(acting)
            now = self._recorded(issue, str(contribution_id))
            if (now.may_quote, now.attribution) == (bool(may_quote), str(getattr(attribution, "value", attribution))):
                raise RuleBroken("this is already what you agreed to: nothing to change")
            issue.change_consent(contribution_id, may_quote, attribution, acting)
        self._on_issue(issue_id, actor, P.CORRECT_INPUT, change, expected_version,
                       owner=_contributor(contribution_id))

    def _recorded(self, issue: SystemicIssue, contribution_id: str) -> Any:
        issue.contributor_of(contribution_id)
        return next(c for c in self.contributions(issue) if c.id == contribution_id)

    def _current_words(self, issue: SystemicIssue, contribution_id: str) -> str | None:
        return self.open_sealed(self._recorded(issue, contribution_id).text)

    def may_change_input(self, issue_id: UUID, contribution_id: UUID, actor: Actor) -> bool:
        """Whether the table lets `actor` confirm, correct or change the consent of this input (its
        contributor): for offering the forms; each command decides again."""
        issue = self.readable_issue(issue_id, actor)
        return self.allows(actor, P.CORRECT_INPUT, issue.hub_id, UUID(issue.contributor_of(contribution_id)))

    def contribution_as_seen(self, issue_id: UUID, contribution_id: UUID, actor: Actor) -> dict[str, Any]:
        """One piece of an issue's input as `actor` may see it (the disclosure policy applied)."""
        for seen in self.issue_as_seen(issue_id, actor)["contributions"]:
            if seen["id"] == str(contribution_id):
                return seen
        raise NotFound(f"contribution {contribution_id} is not part of this issue")
