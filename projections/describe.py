"""Plain-language sentences for domain events: what happened, who did it and why."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from domain.priorities import ordinal

FORGOTTEN = "a person who asked to be forgotten"  # how a forgotten person is named everywhere

ROLE_WORDS = {
    "expert": "expert", "facilitator": "facilitator", "hub_manager": "hub manager",
    "action_owner": "action owner", "auditor": "auditor", "admin": "admin",
}


class Naming(Protocol):
    """How people are named to the person reading a history (the application's disclosure policy)."""

    def account(self, account_id: str) -> str:
        """Anyone by account id: staff, owners."""

    def actor(self, event: Any) -> str:
        """Who did it, as the reader may see them."""

    def contributor(self, event: Any) -> str:
        """The person whose input the event is about, as the reader may see them."""

    def rating_shown(self, event: Any) -> bool:
        """Whether the reader may see how this rating went (else: that a rating was given)."""


@dataclass(frozen=True)
class Entry:
    """One line of an issue's history."""

    when: datetime
    who: str
    role: str
    what: str
    why: str = ""
    level: str = ""


def _count(ids: list[Any], noun: str) -> str:
    return f"{len(ids)} {noun}{'' if len(ids) == 1 else 's'}"


def _contribution(e: Any, n: Naming) -> str:
    """Input given by the person who did it ("gave input"), or written down for them by someone else."""
    quote = "may be quoted" if e.may_quote else "not to be quoted"
    via = ", given at a session" if e.session_id else ""
    how = f"({e.channel.replace('_', ' ')}{via}; {quote})"
    if str((getattr(e, "actor", None) or {}).get("id")) == str(e.contributor_id):
        return f"gave input {how}"
    return f"recorded input from {n.contributor(e)} {how}"


def _rating(e: Any, n: Naming) -> str:
    return f"said decision {e.decision} felt like {e.level}" if n.rating_shown(e) else \
        f"said how decision {e.decision} felt"


def _weighed(e: Any, n: Naming) -> str:
    if e.followed:
        return f"chose the issue the experts ranked {ordinal(e.rank)}: the selection followed their vote"
    placed = f"ranked {ordinal(e.rank)}" if e.rank is not None else "not voted on"
    return f"did not follow the experts' vote (the issue was {placed}); the reason is for the experts"


Sentence = Callable[[Any, Naming], str]

SENTENCES: dict[str, Sentence] = {
    "Raised": lambda e, n: f"raised the issue “{e.title}”",
    "Renamed": lambda e, n: f"renamed the issue to “{e.title}”",
    "Framed": lambda e, n: f"framed the issue: {e.problem} (affects: {e.affected})",
    "Selected": lambda e, n: "selected the issue to work on",
    "ContributionRecorded": _contribution,
    "ContributionWithdrawn": lambda e, n: "withdrew a contribution",
    "ContributionConfirmed": lambda e, n: "confirmed that the input written down for them is right",
    "ContributionCorrected": lambda e, n: "corrected the words of a contribution",
    "ConsentChanged": lambda e, n: "changed what they agreed to for a contribution: "
                                   + ("may be quoted" if e.may_quote else "not to be quoted"),
    "ContributionsThemed": lambda e, n: f"themed {_count(e.contribution_ids, 'contribution')} as “{e.theme}”",
    "FindingRecorded": lambda e, n: f"recorded a finding from {_count(e.contribution_ids, 'contribution')}: {e.summary}",
    "StakeholderJoined": lambda e, n: f"recorded that {e.name} ({e.kind}) joined",
    "ActionCommitted": lambda e, n: f"committed to “{e.title}”, owned by {n.account(str(e.owner_id))}, "
                                    f"due {date.fromisoformat(str(e.due)):%-d %B %Y}",
    "ActionProgressReported": lambda e, n: f"reported progress on an action: {e.note}",
    "ActionCompleted": lambda e, n: "completed an action" + (f": {e.note}" if e.note else ""),
    "ActionDropped": lambda e, n: "dropped an action",
    "FeedbackGiven": lambda e, n: f"gave feedback on {_count(e.contribution_ids, 'contribution')}: {e.message}",
    "LearningRecorded": lambda e, n: f"recorded learning: {e.what_changed} (evidence: {e.evidence})",
    "StageAdvanced": lambda e, n: f"advanced the issue from {e.from_stage} to {e.to}",
    "StageMovedBack": lambda e, n: f"moved the issue back from {e.from_stage} to {e.to}",
    "Parked": lambda e, n: "parked the issue",
    "Reopened": lambda e, n: "reopened the issue",
    "Closed": lambda e, n: f"closed the issue with the outcome: {e.outcome}",
    "ParticipationRated": _rating,
    "VoteWeighed": _weighed,
    "RankedByExperts": lambda e, n: f"the experts' priority round ranked the issue {ordinal(e.rank)} of {e.of} "
                                    f"({e.dots} dot{'' if e.dots == 1 else 's'})",
}

REASONS = ("reason", "decision")


def kind_of(event: Any) -> str:
    return type(event).__name__


def describe(event: Any, naming: Naming, sentences: Mapping[str, Sentence] = SENTENCES) -> Entry:
    """An Entry for one issue event, naming people as `naming` lets its reader see them, in the words
    of `sentences` (these, or the pages' plainer ones for experts: same events, another register)."""
    actor = getattr(event, "actor", None) or {}
    sentence = sentences.get(kind_of(event), lambda e, n: kind_of(e))
    why = next((v for f in REASONS if isinstance(v := getattr(event, f, ""), str) and v), "")
    hidden_rating = kind_of(event) == "ParticipationRated" and not naming.rating_shown(event)
    return Entry(
        when=event.timestamp,
        who=naming.actor(event) if actor.get("id") else "unknown",
        role=ROLE_WORDS.get(actor.get("role", ""), actor.get("role", "")),
        what=sentence(event, naming),
        why=why,
        level="" if hidden_rating else getattr(event, "level", ""),
    )
