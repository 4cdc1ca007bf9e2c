"""Each piece of an issue's input as people see it: what it says and how it came in.

The issue aggregate keeps only what its rules read of its input (see `SystemicIssue`).
The rest comes from the "my input" read model; input recorded since that read model last
caught up (a projection worker may run behind the commands) is read from its stored event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from domain import SystemicIssue

PAGE = 200  # events read at a time, newest first, looking for input the read model lacks


@dataclass
class Contribution:
    """One piece of input by one expert; `text` is sealed with their own key."""

    id: str
    contributor_id: str
    entered_by: str
    channel: str
    session_id: str | None
    may_quote: bool
    attribution: str
    text: str
    withdrawn: bool
    themes: list[str]
    answered_by: list[str]
    corrected: bool = False


def as_seen(issue: SystemicIssue, recorded: dict[str, Any]) -> list[Contribution]:
    """The issue's input in the order recorded. `recorded`: for each contribution id, its read
    model row (or the like, from its event) with what it says and how it came in."""
    answered_by: dict[str, list[str]] = defaultdict(list)
    for feedback in issue.feedback.values():
        for contribution_id in feedback.contribution_ids:
            answered_by[contribution_id].append(feedback.id)
    return [_seen(contribution_id, contributor_id, recorded[contribution_id], issue, answered_by[contribution_id])
            for contribution_id, contributor_id in issue.contributors.items()]


def _seen(contribution_id: str, contributor_id: str, row: Any, issue: SystemicIssue,
          answered_by: list[str]) -> Contribution:
    return Contribution(
        id=contribution_id, contributor_id=contributor_id, entered_by=row.entered_by, channel=row.channel,
        session_id=row.session_id, may_quote=row.may_quote, attribution=row.attribution, text=row.text,
        withdrawn=contribution_id in issue.withdrawn, themes=list(row.themes), answered_by=answered_by,
        corrected=row.corrected_at is not None)


def recorded_lately(events: Any, issue_id: UUID, wanted: Iterable[str]) -> dict[str, SimpleNamespace]:
    """How each of `wanted` came in, from its `ContributionRecorded` event, with its latest correction
    and consent: the issue's events are read from the newest back, a page at a time, until all are found."""
    wanted, found, later, below = set(wanted), {}, defaultdict(dict), None
    while wanted - found.keys():
        page = list(events.get(issue_id, lte=below, desc=True, limit=PAGE))
        for event in page:
            contribution_id = str(getattr(event, "contribution_id", ""))
            if contribution_id not in wanted:
                continue
            if isinstance(event, SystemicIssue.ContributionRecorded):
                found[contribution_id] = SimpleNamespace(**{
                    "entered_by": event.actor["id"], "channel": event.channel,
                    "session_id": str(event.session_id) if event.session_id else None,
                    "may_quote": event.may_quote, "attribution": event.attribution, "text": event.text,
                    "themes": (), "corrected_at": None, **later[contribution_id]})
            else:
                _remember_later(later[contribution_id], event)
        if len(page) < PAGE:
            break
        below = page[-1].originator_version - 1
    return found


def _remember_later(latest: dict[str, Any], event: Any) -> None:
    """The newest correction and change of consent of one piece of input (events come newest first)."""
    if isinstance(event, SystemicIssue.ContributionCorrected) and "text" not in latest:
        latest.update(text=event.text, corrected_at=event.timestamp)
    elif isinstance(event, SystemicIssue.ConsentChanged) and "may_quote" not in latest:
        latest.update(may_quote=event.may_quote, attribution=event.attribution)
