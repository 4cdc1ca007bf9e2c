"""The SystemicIssue aggregate: one issue raised by experts, and all that happens to it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import event

from domain.clock import TimedAggregate, new_id
from domain import policies, workflow
from domain.actors import Actor, Role
from domain.errors import IssueClosed, NotFound, RuleBroken, StageRefused, choice
from domain.participation import ParticipationLevel
from domain.text import shows_something
from domain.records import (
    Action, ActionStatus, Attribution, Channel, Feedback, Finding, Framing, Learning, Selection, Stakeholder,
)
from domain.workflow import Stage

if TYPE_CHECKING:
    from domain.priorities import Standing


SUMMARY_LENGTH = 160


def _required(value: str, what: str) -> str:
    if not value or not shows_something(value):
        raise RuleBroken(f"{what} is required")
    return value.strip()


class SystemicIssue(TimedAggregate):
    """A systemic issue moving through frame → explore → act → learn.

    Of each piece of input, the issue keeps only what its rules read: whose it is, whether
    it was withdrawn and whether feedback answered it. What the input says and how it came
    in stay in its `ContributionRecorded` event (and the read models): an issue may gather
    thousands of contributions, and every command loads the issue.
    """

    class_version = 3

    @event("Raised")
    def __init__(self, hub_id: UUID, title: str, actor: dict) -> None:
        self.hub_id = hub_id
        self.title = title
        self.raised_by = actor
        self._stage = Stage.FRAME.value
        self.cycle = 1
        self.parked_reason: str | None = None
        self.framing: Framing | None = None
        self.selection: Selection | None = None
        self.contributors: dict[str, str] = {}  # contribution id -> the expert whose input it is
        self.withdrawn: set[str] = set()  # contribution ids
        self.answered: set[str] = set()  # contribution ids some feedback answered
        self.written_down: set[str] = set()  # input a facilitator wrote down on its contributor's behalf
        self.unconfirmed: set[str] = set()  # of those, not yet confirmed or corrected by the contributor
        self.this_stage: set[str] = set()  # input recorded since the issue entered its current stage
        self.findings: dict[str, Finding] = {}
        self.stakeholders: list[Stakeholder] = []
        self.actions: dict[str, Action] = {}
        self.feedback: dict[str, Feedback] = {}
        self.learnings: dict[str, Learning] = {}
        self.outcome: str | None = None
        self.decisions: dict[str, str] = {}  # event version -> participation level claimed
        self.ratings: dict[str, dict[str, str]] = {}  # event version -> {expert id: level felt}

    @classmethod
    def raise_issue(cls, hub_id: UUID, title: str, actor: Actor) -> SystemicIssue:
        """Raise a new issue in a hub; it starts in Frame."""
        return cls(hub_id=hub_id, title=_required(title, "title"), actor=actor.as_dict())

    plain_summary = ""  # one line in plain words, shown first to the public (older snapshots lack it)

    def summarise(self, summary: str, actor: Actor) -> None:
        """Say in one line of plain words what the issue is about, for receipts, posters and the public."""
        summary = _required(summary, "summary")
        if len(summary.splitlines()) > 1 or len(summary) > SUMMARY_LENGTH:
            raise RuleBroken(f"summary must be one line of at most {SUMMARY_LENGTH} characters")
        self._summarised(summary=summary, actor=actor.as_dict())

    @event("SummarisedInPlainWords")
    def _summarised(self, summary: str, actor: dict) -> None:
        self.plain_summary = summary

    # --- facts the workflow rules read -------------------------------------------

    @property
    def stage(self) -> Stage:
        return Stage(self._stage)

    @property
    def is_parked(self) -> bool:
        return self.parked_reason is not None

    @property
    def is_closed(self) -> bool:
        return self.stage == Stage.CLOSED

    @property
    def has_framing(self) -> bool:
        return self.framing is not None

    @property
    def has_selection(self) -> bool:
        return self.selection is not None and self.selection.cycle == self.cycle

    @staticmethod
    def upcast_v1_v2(state: dict) -> None:
        """Snapshots taken when the issue kept each contribution whole."""
        contributions = [c if isinstance(c, dict) else vars(c) for c in state.pop("contributions").values()]
        state["contributors"] = {c["id"]: c["contributor_id"] for c in contributions}
        state["withdrawn"] = {c["id"] for c in contributions if c["withdrawn"]}
        state["answered"] = {c["id"] for c in contributions if c["answered_by"]}

    @staticmethod
    def upcast_v2_v3(state: dict) -> None:
        """Snapshots taken before input could be confirmed or corrected: they do not say who wrote
        each piece down, so its contributor may confirm or correct any of it while the issue is open."""
        earlier = set(state["contributors"]) - set(state["withdrawn"])
        state["written_down"], state["unconfirmed"], state["this_stage"] = set(earlier), set(earlier), set()

    @property
    def active_contributions(self) -> list[str]:
        """Ids of the input that counts: recorded and not withdrawn, in the order recorded."""
        return [c for c in self.contributors if c not in self.withdrawn]

    @property
    def expert_contribution_count(self) -> int:
        return len(self.contributors) - len(self.withdrawn)

    @property
    def finding_count(self) -> int:
        return sum(1 for f in self.findings.values() if f.cycle == self.cycle)

    @property
    def stakeholder_count(self) -> int:
        return len(self.stakeholders)

    @property
    def completed_owned_action_count(self) -> int:
        done = ActionStatus.COMPLETED.value
        return sum(1 for a in self.actions.values()
                   if a.status == done and a.owner_id and a.cycle == self.cycle)

    @property
    def learning_count(self) -> int:
        return sum(1 for learning in self.learnings.values() if learning.cycle == self.cycle)

    def awaits_feedback(self, contribution_id: str) -> bool:
        return policies.awaits_feedback(contribution_id in self.withdrawn, contribution_id in self.answered)

    @property
    def awaiting_feedback(self) -> list[str]:
        """Ids of the input no feedback has answered yet, withdrawn input aside."""
        return [c for c in self.contributors if self.awaits_feedback(c)]

    @property
    def awaiting_feedback_count(self) -> int:
        return len(self.awaiting_feedback)

    def contributor_of(self, contribution_id: UUID | str) -> str:
        """The id of the expert whose input this is; NotFound if it is not part of this issue."""
        try:
            return self.contributors[str(contribution_id)]
        except KeyError:
            raise NotFound(f"contribution {contribution_id} is not part of this issue") from None

    def missing_before(self, to_stage: Stage) -> list[str]:
        """What is still missing before this issue may advance to `to_stage`."""
        return workflow.unmet_criteria(self, to_stage)

    # --- guards --------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.is_closed:
            raise IssueClosed()

    def _active_ids(self, contribution_ids: list[UUID] | list[str]) -> list[str]:
        """The chosen contributions, each one part of this issue and not withdrawn."""
        ids = [str(i) for i in dict.fromkeys(contribution_ids)]
        if not ids:
            raise RuleBroken("at least one contribution must be chosen")
        for contribution_id in ids:
            self.contributor_of(contribution_id)
            if contribution_id in self.withdrawn:
                raise RuleBroken(f"contribution {contribution_id} has been withdrawn")
        return ids

    def _action(self, action_id: UUID | str) -> Action:
        try:
            action = self.actions[str(action_id)]
        except KeyError:
            raise NotFound(f"action {action_id} is not part of this issue") from None
        if action.status != ActionStatus.OPEN.value:
            raise RuleBroken(f"action {action_id} has already been {action.status}")
        return action

    # --- framing and selection -------------------------------------------------------

    def rename(self, title: str, actor: Actor) -> None:
        """Give the issue a new title (its history keeps every earlier one)."""
        self._check_open()
        title = _required(title, "title")
        if title == self.title:
            raise RuleBroken("the issue already has this title")
        self._renamed(title=title, actor=actor.as_dict())

    @event("Renamed")
    def _renamed(self, title: str, actor: dict) -> None:
        self.title = title

    def frame(self, problem: str, affected: str, actor: Actor) -> None:
        """Record (or restate) the framing: the problem and who it affects."""
        self._check_open()
        self._framed(problem=_required(problem, "problem"),
                     affected=_required(affected, "who is affected"), actor=actor.as_dict())

    @event("Framed")
    def _framed(self, problem: str, affected: str, actor: dict) -> None:
        self.framing = Framing(problem, affected)

    def select(self, decision: str, level: ParticipationLevel, actor: Actor,
               standing: Standing | None = None, reason_for_experts: str = "") -> None:
        """Record the hub's decision to work on this issue, and how it was taken.

        After a priority round has closed, `standing` says where the experts ranked this issue: a
        selection that does not follow their vote needs a reason addressed to them, and every
        selection records whether it followed the vote."""
        self._check_open()
        decision, level = _required(decision, "decision"), choice(ParticipationLevel, level, "level").value
        reason = (reason_for_experts or "").strip()
        if standing is not None and not standing.followed and not reason:
            raise RuleBroken("a reason for the experts is needed (why we did not follow your vote): "
                             + "; ".join(standing.why_a_reason_is_needed()))
        self._selected(decision=decision, level=level, actor=actor.as_dict())
        if standing is not None:
            self._vote_weighed(round_id=standing.round_id, rank=standing.rank, followed=standing.followed,
                               reason=reason, actor=actor.as_dict())

    @event("Selected")
    def _selected(self, decision: str, level: str, actor: dict) -> None:
        self.selection = Selection(decision, level, self.cycle)
        self._remember_decision(level)

    @event("VoteWeighed")
    def _vote_weighed(self, round_id: str, rank: int | None, followed: bool, reason: str, actor: dict) -> None:
        """Whether the selection just made followed the experts' vote, and if not, why."""
        if self.selection is not None:
            self.selection.followed_vote, self.selection.reason_for_experts = followed, reason

    def note_ranking(self, round_id: UUID, rank: int, dots: int, of: int, actor: Actor) -> None:
        """A priority round closed: this issue's place in it becomes part of its history."""
        self._check_open()
        self._ranked_by_experts(round_id=round_id, rank=rank, dots=dots, of=of, actor=actor.as_dict())

    @event("RankedByExperts")
    def _ranked_by_experts(self, round_id: UUID, rank: int, dots: int, of: int, actor: dict) -> None:
        """History only: the issue's rules read nothing of it."""

    # --- input ---------------------------------------------------------------------------

    def record_contribution(
        self, contributor_id: UUID, text: str, actor: Actor, channel: Channel,
        may_quote: bool, attribution: Attribution, session_id: UUID | None = None,
    ) -> UUID:
        """Record an expert's input; `text` arrives already sealed with their key.

        An expert records their own input; anyone else records it on an expert's behalf,
        which is allowed only for facilitators and names the session it was given at.
        """
        self._check_open()
        on_behalf = contributor_id != actor.account_id
        if on_behalf and actor.role != Role.FACILITATOR:
            raise RuleBroken("only a facilitator may record input on someone else's behalf")
        if on_behalf and session_id is None:
            raise RuleBroken("input recorded on someone's behalf must name the session it was given at")
        contribution_id = new_id()
        self._contribution_recorded(
            contribution_id=contribution_id, contributor_id=contributor_id,
            text=_required(text, "text"), channel=choice(Channel, channel, "channel").value,
            session_id=session_id, may_quote=bool(may_quote),
            attribution=choice(Attribution, attribution, "attribution").value, actor=actor.as_dict(),
        )
        return contribution_id

    @event("ContributionRecorded")
    def _contribution_recorded(
        self, contribution_id: UUID, contributor_id: UUID, text: str, channel: str,
        session_id: UUID | None, may_quote: bool, attribution: str, actor: dict,
    ) -> None:
        self.contributors[str(contribution_id)] = str(contributor_id)
        if str(contributor_id) != actor["id"]:
            self.written_down.add(str(contribution_id))
            self.unconfirmed.add(str(contribution_id))
        self.this_stage.add(str(contribution_id))

    def withdraw_contribution(self, contribution_id: UUID, actor: Actor) -> None:
        """Withdraw input; it no longer counts, and no longer awaits feedback."""
        self._check_open()
        self.contributor_of(contribution_id)
        if str(contribution_id) in self.withdrawn:
            raise RuleBroken(f"contribution {contribution_id} has already been withdrawn")
        self._contribution_withdrawn(contribution_id=contribution_id, actor=actor.as_dict())

    @event("ContributionWithdrawn")
    def _contribution_withdrawn(self, contribution_id: UUID, actor: dict) -> None:
        self.withdrawn.add(str(contribution_id))
        self.unconfirmed.discard(str(contribution_id))

    # --- "is this what you said?" ----------------------------------------------------------

    def _own_live_input(self, contribution_id: UUID, actor: Actor) -> str:
        """The id of input `actor` gave, still standing; RuleBroken with the reason otherwise."""
        contribution = str(contribution_id)
        if self.contributor_of(contribution) != str(actor.account_id):
            raise RuleBroken("only the person who gave this input can change it")
        if contribution in self.withdrawn:
            raise RuleBroken("this input has been withdrawn, so it cannot be changed")
        return contribution

    def awaits_confirmation(self, contribution_id: str) -> bool:
        """Written down on the contributor's behalf, and not yet confirmed or corrected by them."""
        return contribution_id in self.unconfirmed

    def may_be_corrected(self, contribution_id: str) -> bool:
        """Written down by someone else (while the issue is open), or given in the current stage."""
        return contribution_id in self.written_down or contribution_id in self.this_stage

    def confirm_contribution(self, contribution_id: UUID, actor: Actor) -> None:
        """The contributor says the words written down on their behalf are right."""
        self._check_open()
        contribution = self._own_live_input(contribution_id, actor)
        if contribution not in self.written_down:
            raise RuleBroken("you wrote this input yourself, so there is nothing to confirm")
        if contribution not in self.unconfirmed:
            raise RuleBroken("this input has already been confirmed or corrected")
        self._contribution_confirmed(contribution_id=contribution, actor=actor.as_dict())

    @event("ContributionConfirmed")
    def _contribution_confirmed(self, contribution_id: str, actor: dict) -> None:
        self.unconfirmed.discard(contribution_id)

    def correct_contribution(self, contribution_id: UUID, text: str, actor: Actor) -> None:
        """The contributor puts their input in their own words; `text` arrives sealed with their key."""
        self._check_open()
        contribution = self._own_live_input(contribution_id, actor)
        if not self.may_be_corrected(contribution):
            raise RuleBroken(f"input you wrote yourself can be corrected only in the stage it was given in; "
                             f"the issue has moved on to {self.stage.value}")
        self._contribution_corrected(contribution_id=contribution, text=_required(text, "text"),
                                     actor=actor.as_dict())

    @event("ContributionCorrected")
    def _contribution_corrected(self, contribution_id: str, text: str, actor: dict) -> None:
        self.unconfirmed.discard(contribution_id)

    def change_consent(self, contribution_id: UUID, may_quote: bool, attribution: Attribution,
                       actor: Actor) -> None:
        """The contributor changes whether their input may be quoted and how they are named.

        Allowed on a closed issue too: what a person agrees to show is theirs to narrow at any time."""
        contribution = self._own_live_input(contribution_id, actor)
        self._consent_changed(contribution_id=contribution, may_quote=bool(may_quote),
                              attribution=choice(Attribution, attribution, "attribution").value,
                              actor=actor.as_dict())

    @event("ConsentChanged")
    def _consent_changed(self, contribution_id: str, may_quote: bool, attribution: str, actor: dict) -> None:
        """What the contributor agreed to is for the read models and pages: the rules do not read it."""

    def theme_contributions(self, theme: str, contribution_ids: list[UUID], actor: Actor) -> None:
        """Group contributions under a theme."""
        self._check_open()
        ids = self._active_ids(contribution_ids)
        self._contributions_themed(theme=_required(theme, "theme"), contribution_ids=ids,
                                   actor=actor.as_dict())

    @event("ContributionsThemed")
    def _contributions_themed(self, theme: str, contribution_ids: list[str], actor: dict) -> None:
        """Themes are for people to read: the read models keep them."""

    # --- exploring -------------------------------------------------------------------------

    def record_finding(self, summary: str, contribution_ids: list[UUID], actor: Actor) -> UUID:
        """Record what exploring showed, linked to the input behind it."""
        self._check_open()
        ids = self._active_ids(contribution_ids)
        finding_id = new_id()
        self._finding_recorded(finding_id=finding_id, summary=_required(summary, "summary"),
                               contribution_ids=ids, actor=actor.as_dict())
        return finding_id

    @event("FindingRecorded")
    def _finding_recorded(self, finding_id: UUID, summary: str, contribution_ids: list[str],
                          actor: dict) -> None:
        self.findings[str(finding_id)] = Finding(str(finding_id), summary, list(contribution_ids), self.cycle)

    def add_stakeholder(self, name: str, kind: str, actor: Actor) -> None:
        """Record an organisation or role that joined the issue."""
        self._check_open()
        name = _required(name, "stakeholder name")
        if any(s.name.casefold() == name.casefold() for s in self.stakeholders):
            raise RuleBroken(f"{name} has already joined this issue")
        self._stakeholder_joined(name=name, kind=_required(kind, "kind of stakeholder"),
                                 actor=actor.as_dict())

    @event("StakeholderJoined")
    def _stakeholder_joined(self, name: str, kind: str, actor: dict) -> None:
        self.stakeholders.append(Stakeholder(name, kind))

    # --- acting ------------------------------------------------------------------------------

    def commit_action(self, title: str, owner_id: UUID, due: date, contribution_ids: list[UUID],
                      actor: Actor) -> UUID:
        """Record a commitment with a named owner and a due date."""
        self._check_open()
        ids = self._active_ids(contribution_ids)
        action_id = new_id()
        self._action_committed(action_id=action_id, title=_required(title, "action title"),
                               owner_id=owner_id, due=due.isoformat(), contribution_ids=ids,
                               actor=actor.as_dict())
        return action_id

    @event("ActionCommitted")
    def _action_committed(self, action_id: UUID, title: str, owner_id: UUID, due: str,
                          contribution_ids: list[str], actor: dict) -> None:
        self.actions[str(action_id)] = Action(str(action_id), title, str(owner_id), due,
                                              list(contribution_ids), self.cycle)

    def report_progress(self, action_id: UUID, note: str, actor: Actor) -> None:
        """Add a progress note to an open action."""
        self._check_open()
        self._action(action_id)
        self._action_progress_reported(action_id=action_id, note=_required(note, "progress note"),
                                       actor=actor.as_dict())

    @event("ActionProgressReported")
    def _action_progress_reported(self, action_id: UUID, note: str, actor: dict) -> None:
        self.actions[str(action_id)].progress.append(note)

    def complete_action(self, action_id: UUID, note: str, actor: Actor) -> None:
        """Mark an open action as done."""
        self._check_open()
        self._action(action_id)
        self._action_completed(action_id=action_id, note=note.strip(), actor=actor.as_dict())

    @event("ActionCompleted")
    def _action_completed(self, action_id: UUID, note: str, actor: dict) -> None:
        self._end_action(action_id, ActionStatus.COMPLETED, note)

    def drop_action(self, action_id: UUID, reason: str, actor: Actor) -> None:
        """Drop an open action, saying why."""
        self._check_open()
        self._action(action_id)
        self._action_dropped(action_id=action_id, reason=_required(reason, "reason"),
                             actor=actor.as_dict())

    @event("ActionDropped")
    def _action_dropped(self, action_id: UUID, reason: str, actor: dict) -> None:
        self._end_action(action_id, ActionStatus.DROPPED, reason)

    def _end_action(self, action_id: UUID, status: ActionStatus, note: str) -> None:
        action = self.actions[str(action_id)]
        action.status = status.value
        action.end_note = note

    # --- closing the loop -------------------------------------------------------------------

    def give_feedback(self, message: str, contribution_ids: list[UUID], actor: Actor) -> UUID:
        """Tell contributors what happened with their input ("you said, we did")."""
        self._check_open()
        ids = self._active_ids(contribution_ids)
        feedback_id = new_id()
        self._feedback_given(feedback_id=feedback_id, message=_required(message, "message"),
                             contribution_ids=ids, actor=actor.as_dict())
        return feedback_id

    @event("FeedbackGiven")
    def _feedback_given(self, feedback_id: UUID, message: str, contribution_ids: list[str],
                        actor: dict) -> None:
        self.feedback[str(feedback_id)] = Feedback(str(feedback_id), message, list(contribution_ids))
        self.answered.update(contribution_ids)

    def record_learning(self, what_changed: str, evidence: str, next_steps: str, actor: Actor) -> UUID:
        """Record an evaluation: what changed, the evidence, what to do next."""
        self._check_open()
        learning_id = new_id()
        self._learning_recorded(
            learning_id=learning_id, what_changed=_required(what_changed, "what changed"),
            evidence=_required(evidence, "evidence"), next_steps=next_steps.strip(),
            actor=actor.as_dict(),
        )
        return learning_id

    @event("LearningRecorded")
    def _learning_recorded(self, learning_id: UUID, what_changed: str, evidence: str,
                           next_steps: str, actor: dict) -> None:
        self.learnings[str(learning_id)] = Learning(str(learning_id), what_changed, evidence,
                                                    next_steps, self.cycle)

    # --- stage decisions -----------------------------------------------------------------------

    def advance_stage(self, to: Stage, reason: str, level: ParticipationLevel, actor: Actor) -> None:
        """Move forward one stage, if every exit criterion of the current stage is met."""
        to, level = choice(Stage, to, "stage"), choice(ParticipationLevel, level, "level")
        if to == Stage.CLOSED:
            raise RuleBroken("an issue is closed with its outcome: use close")
        self._check_decision(to, self.missing_before(to), reason)
        self._stage_advanced(from_stage=self.stage.value, to=to.value, reason=reason.strip(),
                             level=level.value, actor=actor.as_dict())

    @event("StageAdvanced")
    def _stage_advanced(self, from_stage: str, to: str, reason: str, level: str, actor: dict) -> None:
        self._stage = to
        self.this_stage = set()
        self._remember_decision(level)

    def move_back(self, to: Stage, reason: str, level: ParticipationLevel, actor: Actor) -> None:
        """Move back to an earlier stage (from Learn: start a new cycle), saying why."""
        to, level = choice(Stage, to, "stage"), choice(ParticipationLevel, level, "level")
        missing = workflow.unmet_for_moving_back(self, to, reason)
        if missing:
            raise StageRefused(self.stage.value, to.value, missing)
        self._stage_moved_back(from_stage=self.stage.value, to=to.value, reason=reason.strip(),
                               level=level.value, actor=actor.as_dict())

    @event("StageMovedBack")
    def _stage_moved_back(self, from_stage: str, to: str, reason: str, level: str, actor: dict) -> None:
        if from_stage == Stage.LEARN.value:
            self.cycle += 1  # a new cycle: its decisions, findings, actions and learning start afresh
        self._stage = to
        self.this_stage = set()
        self._remember_decision(level)

    def close(self, outcome: str, level: ParticipationLevel, actor: Actor) -> None:
        """Close the issue from Learn; refused while any input awaits feedback."""
        level = choice(ParticipationLevel, level, "level")
        self._check_decision(Stage.CLOSED, self.missing_before(Stage.CLOSED), outcome, "an outcome")
        self._closed(from_stage=self.stage.value, outcome=outcome.strip(), level=level.value,
                     actor=actor.as_dict())

    @event("Closed")
    def _closed(self, from_stage: str, outcome: str, level: str, actor: dict) -> None:
        self._stage = Stage.CLOSED.value
        self.outcome = outcome
        self._remember_decision(level)

    def _remember_decision(self, level: str) -> None:
        # called from inside an event's apply, where the event's own version is version + 1
        self.decisions[str(self.version + 1)] = level

    def rate_participation(self, decision: int, level: ParticipationLevel, actor: Actor) -> None:
        """An expert says at which level they felt a decision was really taken."""
        if actor.role != Role.EXPERT:
            raise RuleBroken("only experts rate how a decision felt")
        if str(decision) not in self.decisions:
            raise NotFound(f"there is no decision at position {decision} of this issue")
        if str(actor.account_id) in self.ratings.get(str(decision), {}):
            raise RuleBroken("you have already rated this decision")
        self._participation_rated(decision=decision, level=choice(ParticipationLevel, level, "level").value,
                                  actor=actor.as_dict())

    @event("ParticipationRated")
    def _participation_rated(self, decision: int, level: str, actor: dict) -> None:
        self.ratings.setdefault(str(decision), {})[actor["id"]] = level

    def _check_decision(self, to: Stage, missing: list[str], why: str,
                        what: str = "a reason for the decision") -> None:
        missing = list(missing)
        if not why or not why.strip():
            missing.append(what)
        if missing:
            raise StageRefused(self.stage.value, to.value, missing)

    def park(self, reason: str, actor: Actor) -> None:
        """Pause work on the issue, saying why."""
        self._check_open()
        if self.is_parked:
            raise RuleBroken("the issue is already parked")
        self._parked(reason=_required(reason, "reason"), actor=actor.as_dict())

    @event("Parked")
    def _parked(self, reason: str, actor: dict) -> None:
        self.parked_reason = reason

    def reopen(self, reason: str, actor: Actor) -> None:
        """Take a parked issue back up at the stage it was parked in."""
        self._check_open()
        if not self.is_parked:
            raise RuleBroken("the issue is not parked")
        self._reopened(reason=_required(reason, "reason"), actor=actor.as_dict())

    @event("Reopened")
    def _reopened(self, reason: str, actor: dict) -> None:
        self.parked_reason = None
