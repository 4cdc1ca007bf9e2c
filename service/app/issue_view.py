"""An issue as one person may see it: what every door shows of an issue, with the disclosure
policy (service/disclosure.py) applied to each piece of input."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from domain import SystemicIssue
from domain.workflow import next_stage
from service.app import disclosure
from service.app.authorization import Who
from service.app.contributions import Contribution
from service.app.ports import SealBroken

Opener = Callable[[str], str | None]
Names = Callable[[str], str]


def as_input(issue: SystemicIssue, c: Contribution) -> disclosure.Input:
    return disclosure.Input(issue.hub_id, c.contributor_id, c.entered_by, c.may_quote, c.attribution)


def _words(open_sealed: Opener, c: Contribution, readable: bool) -> tuple[str | None, str]:
    if c.withdrawn:
        return None, "withdrawn"
    if not readable:
        return None, "not_shown"
    try:
        words = open_sealed(c.text)
    except SealBroken:
        return None, "erased"
    return (words, "shown") if words else (None, "erased")  # blank once its contributor is forgotten


def contribution_seen(issue: SystemicIssue, c: Contribution, viewer: Who, open_sealed: Opener,
                      names: Names) -> dict[str, Any]:
    """One piece of input as `viewer` may see it: words, name and ids by the disclosure policy."""
    item = as_input(issue, c)
    words, status = _words(open_sealed, c, disclosure.may_read_words(viewer, item))
    return {
        "id": c.id, "contributor_id": disclosure.contributor_id_shown(viewer, item),
        "contributor": disclosure.name_shown(viewer, item, names(c.contributor_id)),
        "entered_by": disclosure.entered_by_shown(item), "channel": c.channel, "session_id": c.session_id,
        "may_quote": c.may_quote, "attribution": c.attribution, "text": words, "text_status": status,
        "withdrawn": c.withdrawn, "themes": c.themes, "answered_by": c.answered_by,
        "awaiting_feedback": issue.awaits_feedback(c.id), "corrected": c.corrected,
    }


def issue_seen(issue: SystemicIssue, contributions: list[Contribution], viewer: Who, open_sealed: Opener,
               names: Names) -> dict[str, Any]:
    """The whole issue as `viewer` may see it."""
    upcoming = next_stage(issue.stage)
    return {
        "id": issue.id, "hub_id": issue.hub_id, "title": issue.title, "summary": issue.plain_summary,
        "stage": issue.stage.value,
        "cycle": issue.cycle, "parked_reason": issue.parked_reason,
        "framing": issue.framing and dataclasses.asdict(issue.framing),
        "selection": issue.selection and dataclasses.asdict(issue.selection),
        "contributions": [contribution_seen(issue, c, viewer, open_sealed, names) for c in contributions],
        "findings": [dataclasses.asdict(f) for f in issue.findings.values()],
        "stakeholders": [dataclasses.asdict(s) for s in issue.stakeholders],
        "actions": [{**dataclasses.asdict(a), "owner": names(a.owner_id)} for a in issue.actions.values()],
        "feedback": [dataclasses.asdict(f) for f in issue.feedback.values()],
        "learnings": [dataclasses.asdict(learning) for learning in issue.learnings.values()],
        "outcome": issue.outcome, "awaiting_feedback": issue.awaiting_feedback_count,
        "next_stage": upcoming.value if upcoming else None,
        "missing_before_next": issue.missing_before(upcoming) if upcoming else [],
        "version": issue.version,
    }
