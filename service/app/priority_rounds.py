"""Priority rounds: experts say what matters most to them, and a selection answers to their vote.

Secret ballots (docs/decisions/0009-secret-ballots.md): each ballot is sealed with the round's own
key, which only this module uses: to show a voter their own ballot while the round is open, and to
count every ballot once when it closes. Then the key is destroyed. No answer of this module, for
any role, holds anyone's ballot but the asker's own; the counts show only once the round is closed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain import Actor, NotFound, ParticipationLevel, PriorityRound, Role, RuleBroken, StaleVersion, SystemicIssue
from domain.policies import FEEDBACK_DUE_DAYS
from domain.priorities import DEFAULT_DOTS, decode_ballot
from service.app.application import CoproduceBase
from service.app.authorization import Permission as P, Target
from service.app.people_queries import people_of_hub

Version = int | None


class PriorityRounds(CoproduceBase):
    """Opening, voting in, tallying and closing priority rounds, and selections weighed against them."""

    def _round(self, round_id: UUID) -> PriorityRound:
        return self._get(PriorityRound, round_id, "priority round")

    def readable_round(self, round_id: UUID, actor: Actor, permission: P = P.READ) -> tuple[PriorityRound, Actor]:
        """A copy of the round, if the actor may read it (the same NotFound as for no such round),
        and the actor as allowed to do `permission` in its hub."""
        hidden = f"no priority round with id {round_id}"
        try:
            round_ = self._round(round_id)
        except NotFound:
            raise NotFound(hidden) from None
        self.authorize(actor, P.READ, Target(round_.hub_id), hidden=hidden)
        return round_, self.authorize(actor, permission, Target(round_.hub_id))

    def _rounds_of(self, hub_id: UUID) -> list[PriorityRound]:
        return [self._round(UUID(round_id)) for round_id in self.hub(hub_id).round_ids]

    def open_round(self, hub_id: UUID, issue_ids: list[UUID], closes_on: date, actor: Actor,
                   dots: int = DEFAULT_DOTS) -> UUID:
        """Open a round over some of the hub's issues in Frame (its managers)."""
        hub = self.readable_hub(hub_id, actor, P.RUN_ROUND)
        acting = self.authorize(actor, P.RUN_ROUND, Target(hub.id))
        issues = []
        for issue_id in issue_ids:
            try:
                issues.append(self.issue(issue_id))
            except NotFound:
                raise NotFound(f"no issue with id {issue_id}") from None
        latest = self._round(UUID(hub.round_ids[-1])) if hub.round_ids else None
        round_ = PriorityRound.open(hub.id, issues, closes_on, dots, acting, latest)
        hub.add_round(round_.id, acting)
        self._save(round_, hub, conflict="someone else opened a round in this hub at the same time: reload")
        return round_.id

    def cast_ballot(self, round_id: UUID, dots: Mapping[str, int], actor: Actor) -> None:
        """An expert of the round's hub places their dots; a second ballot replaces the first."""
        round_, acting = self.readable_round(round_id, actor, P.VOTE)
        round_.cast({str(k): v for k, v in dots.items()}, functools.partial(self.sealer.seal, round_.id), acting)
        self._save(round_)

    def record_tally(self, round_id: UUID, session_id: UUID, dots: Mapping[str, int], voters: int,
                     actor: Actor) -> None:
        """A facilitator records a room's paper dot-vote at one of the hub's sessions."""
        round_, acting = self.readable_round(round_id, actor, P.RECORD_TALLY)
        session = self.hub(round_.hub_id).session(session_id)
        round_.record_tally(session, {str(k): v for k, v in dots.items()}, voters, acting)
        self._save(round_)

    def close_round(self, round_id: UUID, actor: Actor, expected_version: Version = None) -> None:
        """Count and rank (the hub's managers). Each ranked issue's history records its place, and
        the round's key goes: after this, nobody can open a ballot of the round."""
        round_, acting = self.readable_round(round_id, actor, P.RUN_ROUND)
        if expected_version is not None and round_.version != expected_version:
            raise StaleVersion(f"the round is at version {round_.version}, not {expected_version}: reload")
        if not round_.is_open:
            self.keys.destroy(round_.id)  # a close cut short before its key went is finished here
            raise RuleBroken("this round is already closed")
        ranking = round_.close(self.opener(), acting)  # the round's key is read once, not once a ballot
        issues = [self.issue(UUID(r.issue_id)) for r in ranking]
        ranked = []
        for place, issue in zip(ranking, issues):
            if not issue.is_closed:
                issue.note_ranking(round_.id, place.rank, place.dots, len(ranking), acting)
                ranked.append(issue)
        self._save(round_, *ranked)
        self.keys.destroy(round_.id)

    # --- a selection answers to the vote -----------------------------------------------------------

    def binding_round(self, hub_id: UUID) -> PriorityRound | None:
        """The hub's most recently closed round, while it still binds (some issue it ranked has not
        been chosen): the vote the hub's next selections are weighed against."""
        closed = [r for r in self._rounds_of(hub_id) if not r.is_open]
        latest = max(closed, key=lambda r: r.closed_at or "") if closed else None
        return latest if latest is not None and latest.binds else None

    def reasons_the_vote_asks_for(self, issue_id: UUID, actor: Actor) -> list[str]:
        """Why selecting this issue now would need a reason for the experts (none: it would follow
        their vote, or no closed round binds it): for forms to say so before anyone sends them."""
        issue = self.readable_issue(issue_id, actor)
        round_ = self.binding_round(issue.hub_id)
        return round_.standing_of(issue.id).why_a_reason_is_needed() if round_ is not None else []

    def select(self, issue_id: UUID, decision: str, level: ParticipationLevel, actor: Actor,
               expected_version: Version = None, reason_for_experts: str = "") -> None:
        """Record the hub's decision to work on an issue. After a priority round, a selection that
        does not follow the experts' vote needs a reason addressed to them."""
        issue = self.readable_issue(issue_id, actor)
        acting = self.authorize(actor, P.SHAPE_ISSUE, Target(issue.hub_id))
        if expected_version is not None and issue.version != expected_version:
            raise StaleVersion(f"the issue is at version {issue.version}, not {expected_version}: "
                               "reload and try again")
        round_ = self.binding_round(issue.hub_id)
        standing = round_.standing_of(issue.id) if round_ is not None else None
        issue.select(decision, level, acting, standing, reason_for_experts)
        if round_ is not None and standing is not None:
            round_.note_selection(issue.id, standing, reason_for_experts, acting)
            self._save(issue, round_)
        else:
            self._save(issue)
        self._saved.aggregate = issue

    # --- what each person may see ------------------------------------------------------------------

    def rounds_of_hub(self, hub_id: UUID, actor: Actor) -> list[dict[str, Any]]:
        """The hub's rounds as `actor` may see them, newest first."""
        self.readable_hub(hub_id, actor)
        return [self._as_seen(r, actor) for r in reversed(self._rounds_of(hub_id))]

    def round_as_seen(self, round_id: UUID, actor: Actor) -> dict[str, Any]:
        """A round as `actor` may see it: before closing, how many have voted and (to a voter) their
        own ballot; once closed, the ranking, the turnout and the selections made since with their
        reasons. Never anyone else's ballot."""
        round_, _ = self.readable_round(round_id, actor)
        return self._as_seen(round_, actor)

    def _as_seen(self, round_: PriorityRound, actor: Actor) -> dict[str, Any]:
        titles = {str(i): self._cached_title(UUID(i)) for i in round_.issue_ids}
        experts = len(people_of_hub(self.read_models(), round_.hub_id, [Role.EXPERT]))
        hub = self.hub(round_.hub_id)
        return {
            "id": round_.id, "hub_id": round_.hub_id, "version": round_.version,
            "status": "open" if round_.is_open else "closed", "closes_on": date.fromisoformat(round_.closes_on),
            "voting_ended": round_.voting_ended, "dots": round_.dots,
            "issues": [{"id": UUID(i), "title": titles[i]} for i in round_.issue_ids],
            "voters": round_.voter_count, "voted_online": len(round_.ballots), "experts": experts,
            "you_voted": round_.has_voted(actor.account_id),
            "your_ballot": self._own_ballot(round_, actor),
            "tallies": [{"session_id": UUID(t.session_id), "held_on": date.fromisoformat(hub.session(
                UUID(t.session_id)).held_on), "voters": t.voters} for t in round_.tallies.values()],
            "closed_at": datetime.fromisoformat(round_.closed_at) if round_.closed_at else None,
            "ranking": [{"issue_id": UUID(r.issue_id), "title": titles[r.issue_id], "rank": r.rank, "dots": r.dots}
                        for r in round_.ranking],
            "selections": [{"issue_id": UUID(s.issue_id), "title": self._cached_title(UUID(s.issue_id)),
                            "followed": s.followed, "reason": s.reason, "at": datetime.fromisoformat(s.at)}
                           for s in round_.selections],
        }

    def _cached_title(self, issue_id: UUID) -> str:
        try:
            return self._cached(SystemicIssue, issue_id, "issue").title
        except NotFound:
            return "an issue"

    def _own_ballot(self, round_: PriorityRound, actor: Actor) -> dict[UUID, int] | None:
        """The asker's own latest ballot while the round is open (nobody else's, ever)."""
        sealed = round_.sealed_ballot_of(actor.account_id)
        if not round_.is_open or not sealed:
            return None
        opened = self.sealer.open(sealed)
        return {UUID(k): v for k, v in decode_ballot(round_.issue_ids, opened).items()} if opened else None

    def accountability(self, hub_id: UUID, actor: Actor, start: date | None = None, end: date | None = None,
                       overdue_days: int = FEEDBACK_DUE_DAYS) -> dict[str, Any]:
        """The report (see ReadQueries), with how the hub's selections answered the experts' vote."""
        figures = super().accountability(hub_id, actor, start, end, overdue_days)
        figures["experts_vote"] = self._vote_followed(hub_id, figures["start"], figures["end"])
        return figures

    def _vote_followed(self, hub_id: UUID, start: datetime, end: datetime) -> dict[str, Any]:
        """Of the selections weighed against a vote in the period, how many followed it, the reasons
        given when not, and each round closed in the period with its turnout."""
        rounds = self._rounds_of(hub_id)
        noted = [(r, s) for r in rounds for s in r.selections if start <= datetime.fromisoformat(s.at) < end]
        experts = len(people_of_hub(self.read_models(), hub_id, [Role.EXPERT]))
        closed = [r for r in rounds if r.closed_at and start <= datetime.fromisoformat(r.closed_at) < end]
        return {
            "selections": len(noted), "followed": sum(1 for _, s in noted if s.followed),
            "reasons": [{"round_id": r.id, "issue_id": UUID(s.issue_id), "title": self._cached_title(UUID(s.issue_id)),
                         "reason": s.reason, "at": datetime.fromisoformat(s.at)} for r, s in noted if not s.followed],
            "rounds": [{"round_id": r.id, "closed_at": datetime.fromisoformat(r.closed_at or ""),
                        "voters": r.voter_count, "voted_online": r.online_voters, "experts": experts}
                       for r in closed],
        }
