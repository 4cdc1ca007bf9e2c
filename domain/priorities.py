"""Priority rounds: the experts of a hub say, with dots, which issues matter most to them.

A hub manager opens a round over some of the hub's issues in Frame, with a closing date and a
number of dots each person may place. Every expert of the hub places their dots (all on one
issue, or spread) and may change them until the round closes; a facilitator records a room's
paper dot-vote as a tally for the session it was held at. Closing counts the latest ballots and
the tallies and ranks the issues.

Ballots are secret: the round keeps each voter's latest ballot only as an opaque, sealed string
(the application seals it with the round's own key and destroys that key once the round is
closed: see docs/decisions/0009-secret-ballots.md). What the round knows in the clear is who
took part, how many dots each tally gave, and once closed, the totals; a round closed with fewer
than three voters is not counted at all (the count would show how each of them voted), and so
ranks nothing and binds nothing.

The round then binds the hub's next selections: choosing an issue that passes over one the
experts ranked higher, or one outside their top three, needs a reason addressed to the experts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain.clock import TimedAggregate, now
from domain.actors import Actor, Role
from domain.errors import NotFound, RuleBroken
from domain.hub import Session
from domain.issue import SystemicIssue
from domain.workflow import Stage

DEFAULT_DOTS = 3
MOST_DOTS = 10  # each ballot is sealed as two digits per issue, so every ballot of a round has one length
TOP = 3  # a selection outside the experts' top three needs a reason addressed to them
FEWEST_ISSUES, MOST_ISSUES = 2, 20
FEWEST_VOTERS = 3  # with fewer, the count would show how each voted: each could read the other's ballot
# (online too: the paper tallies' counts are known to whoever recorded them, and taken from the totals
# they would leave one or two online ballots bare)


def _dots(choices: Mapping[str, int]) -> int:
    return sum(choices.values())


def encode_ballot(issue_ids: list[str], choices: Mapping[str, int]) -> str:
    """A ballot as text of one length for every ballot of the round (its dots per issue, in the
    round's order, two digits each): a sealed ballot's length says nothing of how it was spread."""
    return ",".join(f"{choices.get(issue_id, 0):02d}" for issue_id in issue_ids)


def decode_ballot(issue_ids: list[str], text: str) -> dict[str, int]:
    counts = [int(part) for part in text.split(",")]
    if len(counts) != len(issue_ids):
        raise RuleBroken("a ballot does not match its round's issues")
    return {issue_id: count for issue_id, count in zip(issue_ids, counts) if count}


@dataclass
class Tally:
    """A room's paper dot-vote at one session: dots per issue, and how many people voted."""

    session_id: str
    counts: dict[str, int]
    voters: int


@dataclass
class Ranked:
    """One issue's place in a closed round (equal dots share a place: 1, 2, 2, 4)."""

    issue_id: str
    rank: int
    dots: int


@dataclass
class NotedSelection:
    """A selection the hub made after the round closed, and whether it followed the vote."""

    issue_id: str
    followed: bool
    reason: str
    at: str  # ISO timestamp


@dataclass(frozen=True)
class Standing:
    """Where an issue stood in the experts' vote when a manager selects it."""

    round_id: str
    rank: int | None  # None: the issue was not in the round
    passed_over: tuple[str, ...]  # issues ranked above it that nobody has selected since

    @property
    def followed(self) -> bool:
        return self.rank is not None and self.rank <= TOP and not self.passed_over

    def why_a_reason_is_needed(self) -> list[str]:
        """Every way this selection departs from the experts' vote, in plain words."""
        reasons = []
        if self.rank is None:
            reasons.append("the experts did not vote on this issue in the last priority round")
        elif self.rank > TOP:
            reasons.append(f"the experts ranked this issue {ordinal(self.rank)}, outside their top {TOP}")
        if self.passed_over:
            many = len(self.passed_over)
            reasons.append(f"{many} issue{'s' if many != 1 else ''} the experts ranked higher "
                           f"{'have' if many != 1 else 'has'} not been chosen")
        return reasons


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank(totals: Mapping[str, int], order: Iterable[str]) -> list[Ranked]:
    """Most dots first; equal dots share a place, in the round's order."""
    ordered = sorted(order, key=lambda issue_id: -totals.get(issue_id, 0))
    ranking: list[Ranked] = []
    for position, issue_id in enumerate(ordered, start=1):
        dots = totals.get(issue_id, 0)
        tied = ranking and ranking[-1].dots == dots
        ranking.append(Ranked(issue_id, ranking[-1].rank if tied else position, dots))
    return ranking


class PriorityRound(TimedAggregate):
    """One round of dot-voting in a hub, from opening to its ranking and the selections after it."""

    @event("RoundOpened")
    def __init__(self, hub_id: UUID, issue_ids: list[str], closes_on: str, dots: int, actor: dict) -> None:
        self.hub_id = hub_id
        self.issue_ids = list(issue_ids)
        self.closes_on = closes_on
        self.dots = dots
        self.ballots: dict[str, str] = {}  # voter id -> their latest ballot, sealed
        self.tallies: dict[str, Tally] = {}  # session id -> the room's tally
        self.closed_at: str | None = None
        self.ranking: list[Ranked] = []
        self.online_voters = 0  # at closing
        self.selections: list[NotedSelection] = []

    @classmethod
    def open(cls, hub_id: UUID, issues: list[SystemicIssue], closes_on: date, dots: int, actor: Actor,
             latest: PriorityRound | None = None) -> PriorityRound:
        """Open a round over some of the hub's issues in Frame; one round of a hub is open at a time."""
        if latest is not None and latest.is_open:
            raise RuleBroken("this hub already has a priority round open: close it first")
        ids = list(dict.fromkeys(str(issue.id) for issue in issues))
        if not FEWEST_ISSUES <= len(ids) <= MOST_ISSUES:
            raise RuleBroken(f"a round needs {FEWEST_ISSUES} to {MOST_ISSUES} different issues")
        for issue in issues:
            if issue.hub_id != hub_id:
                raise NotFound(f"no issue with id {issue.id}")
            if issue.stage != Stage.FRAME or issue.is_parked:
                raise RuleBroken(f"“{issue.title}” is not in Frame: a round is over issues in Frame")
        if closes_on <= now().date():
            raise RuleBroken("the closing date must be after today")
        if not 1 <= dots <= MOST_DOTS:
            raise RuleBroken(f"dots must be between 1 and {MOST_DOTS}")
        return cls(hub_id=hub_id, issue_ids=ids, closes_on=closes_on.isoformat(), dots=dots, actor=actor.as_dict())

    # --- what the round knows ----------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def voting_ended(self) -> bool:
        """Closed, or past its closing date (the round still waits for a manager to close it)."""
        return not self.is_open or now().date() > date.fromisoformat(self.closes_on)

    @property
    def voter_count(self) -> int:
        """How many people have voted: online (each once, however often they changed) and on paper."""
        online = len(self.ballots) if self.is_open else self.online_voters
        return online + sum(t.voters for t in self.tallies.values())

    @property
    def countable(self) -> bool:
        """Whether a count keeps every ballot secret: at least `FEWEST_VOTERS` voters in all, and online
        none or at least as many. The paper tallies' counts are known to whoever recorded them (and are
        in the log): taken from the totals, they would leave one or two online ballots bare."""
        online = len(self.ballots) if self.is_open else self.online_voters
        return self.voter_count >= FEWEST_VOTERS and (online == 0 or online >= FEWEST_VOTERS)

    def has_voted(self, voter_id: UUID | str) -> bool:
        return str(voter_id) in self.ballots

    def sealed_ballot_of(self, voter_id: UUID | str) -> str | None:
        return self.ballots.get(str(voter_id))

    def rank_of(self, issue_id: UUID | str) -> int | None:
        return next((r.rank for r in self.ranking if r.issue_id == str(issue_id)), None)

    # --- voting ------------------------------------------------------------------------------------

    def _check_voting(self) -> None:
        if not self.is_open:
            raise RuleBroken("this round is closed: votes can no longer be placed or changed")
        if self.voting_ended:
            raise RuleBroken(f"voting ended on {date.fromisoformat(self.closes_on):%-d %B %Y}")

    def _check_choices(self, choices: Mapping[str, int], most: int) -> dict[str, int]:
        counted = {}
        for issue_id, count in choices.items():
            if str(issue_id) not in self.issue_ids:
                raise RuleBroken(f"issue {issue_id} is not in this round")
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise RuleBroken("dots must be whole numbers, 0 or more")
            if count:
                counted[str(issue_id)] = count
        if not counted:
            raise RuleBroken("place at least one dot")
        if _dots(counted) > most:
            raise RuleBroken(f"you have {most} dot{'s' if most != 1 else ''} to place, not {_dots(counted)}")
        return counted

    def cast(self, choices: Mapping[str, int], seal: Callable[[str], str], actor: Actor) -> None:
        """An expert places their dots; a second ballot replaces the first. `seal` makes the ballot
        unreadable to all but the count (the round records nothing else of it)."""
        if actor.role != Role.EXPERT:
            raise RuleBroken("only experts vote in a priority round")
        self._check_voting()
        counted = self._check_choices(choices, self.dots)
        self._ballot_cast(ballot=seal(encode_ballot(self.issue_ids, counted)), actor=actor.as_dict())

    @event("BallotCast")
    def _ballot_cast(self, ballot: str, actor: dict) -> None:
        self.ballots[actor["id"]] = ballot

    def record_tally(self, session: Session, counts: Mapping[str, int], voters: int, actor: Actor) -> None:
        """A room's paper dot-vote at a session of the hub; a second tally for the session replaces it."""
        self._check_voting()
        if not isinstance(voters, int) or isinstance(voters, bool) or voters < 1:
            raise RuleBroken("how many people voted must be 1 or more")
        if voters > session.experts_attended:
            raise RuleBroken(f"{voters} people cannot have voted: the session's attendance was "
                             f"{session.experts_attended} expert{'s' if session.experts_attended != 1 else ''}")
        counted = self._check_choices(counts, voters * self.dots)
        self._tally_recorded(session_id=session.id, counts=counted, voters=voters, actor=actor.as_dict())

    @event("TallyRecorded")
    def _tally_recorded(self, session_id: str, counts: dict[str, int], voters: int, actor: dict) -> None:
        self.tallies[session_id] = Tally(session_id, dict(counts), voters)

    # --- closing and after ---------------------------------------------------------------------------

    def count(self, unseal: Callable[[str], str | None]) -> dict[str, int]:
        """The dots of every latest ballot and every tally, per issue of the round."""
        totals = dict.fromkeys(self.issue_ids, 0)
        for sealed in self.ballots.values():
            opened = unseal(sealed)
            if opened is None:
                raise RuleBroken("the round's ballots can no longer be opened: it cannot be counted")
            for issue_id, count in decode_ballot(self.issue_ids, opened).items():
                totals[issue_id] += count
        for tally in self.tallies.values():
            for issue_id, count in tally.counts.items():
                totals[issue_id] += count
        return totals

    def close(self, unseal: Callable[[str], str | None], actor: Actor) -> list[Ranked]:
        """Count the ballots and tallies and rank the issues; the ranking is recorded, the ballots' contents never."""
        if not self.is_open:
            raise RuleBroken("this round is already closed")
        totals = self.count(unseal) if self.countable else {}  # too few: no count, no ranking
        self._closed(totals=totals, online_voters=len(self.ballots), at=now().isoformat(), actor=actor.as_dict())
        return self.ranking

    @event("RoundClosed")
    def _closed(self, totals: dict[str, int], online_voters: int, at: str, actor: dict) -> None:
        self.closed_at = at
        self.online_voters = online_voters
        self.ranking = rank(totals, self.issue_ids) if totals else []
        self.ballots = {voter: "" for voter in self.ballots}  # who took part stays; what they chose goes

    @property
    def binds(self) -> bool:
        """A closed round binds the hub's selections until every issue it ranked has been chosen."""
        chosen = {s.issue_id for s in self.selections}
        return not self.is_open and any(r.issue_id not in chosen for r in self.ranking)

    def standing_of(self, issue_id: UUID | str) -> Standing:
        """Where `issue_id` stood in this closed round, given the selections made since (an issue the
        experts did not vote on passes over every ranked issue nobody has chosen yet)."""
        if self.is_open:
            raise RuleBroken("an open round does not bind selections yet")
        chosen = {s.issue_id for s in self.selections}
        rank_ = self.rank_of(issue_id)
        above = tuple(r.issue_id for r in self.ranking
                      if r.issue_id != str(issue_id) and r.issue_id not in chosen and (rank_ is None or r.rank < rank_))
        return Standing(str(self.id), rank_, above)

    def note_selection(self, issue_id: UUID | str, standing: Standing, reason: str, actor: Actor) -> None:
        """Remember a selection made after closing: the next selection is weighed against it."""
        self._selection_noted(issue_id=str(issue_id), followed=standing.followed, reason=reason.strip(),
                              at=now().isoformat(), actor=actor.as_dict())

    @event("SelectionNoted")
    def _selection_noted(self, issue_id: str, followed: bool, reason: str, at: str, actor: dict) -> None:
        self.selections.append(NotedSelection(issue_id, followed, reason, at))
