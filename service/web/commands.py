"""Every form that changes an issue: what it asks, which application method it calls, and when the
domain's workflow makes it possible. Who may use it is decided by the application, on GET (to offer
it) and again by the command itself on POST.

Each form posts the issue's version as it was shown, so a change someone else made
meanwhile is refused (as with If-Match in the API) instead of silently built upon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from marshmallow import Schema, fields

from domain import Actor, Attribution, Channel, ParticipationLevel, Role, Stage, SystemicIssue
from domain.workflow import earlier_stages, next_stage
from service.app import schemas as s
from service.app.authorization import Permission as P
from service.app.coproduce import Coproduce
from service.web.forms import Field
from service.web.wording import (HISTORY_SAID, LEVELS, LEVELS_SAID, NAMING, YES_NO, count, ended, excerpt,
                                 level_said, long_date, reads_hard)


def _reason_for_experts(ctx: "Context") -> Field:
    departs = ctx.app.reasons_the_vote_asks_for(ctx.issue.id, ctx.actor)
    hint = ("The experts will read this as 'why we did not follow your vote'. "
            + (f"It is needed: {'; '.join(departs)}." if departs else "Leave it blank if the hub chose as they voted."))
    return Field("reason_for_experts", "If this does not follow the experts' last vote: why?", "textarea", hint)


@dataclass(frozen=True)
class Context:
    """What a form needs to ask its questions: the application, the issue, and who is asking."""

    app: Coproduce
    issue: SystemicIssue
    actor: Actor

    @cached_property
    def contributions(self) -> list[dict[str, Any]]:
        """The issue's input as the person asking may see it (the disclosure policy applied)."""
        return self.app.issue_as_seen(self.issue.id, self.actor, self.issue)["contributions"]


class ActionIn(Schema):
    action_id = fields.UUID(required=True)


class ProgressIn(s.ProgressIn, ActionIn):
    pass


class CompletionIn(s.CompletionIn, ActionIn):
    pass


class DropIn(s.ReasonIn, ActionIn):
    pass


class AdvanceIn(Schema):
    """A move to the next stage: where to comes from the issue, not the form."""

    reason = s.text()
    level = s.choice(ParticipationLevel)


class MyInputIn(Schema):
    text = s.text()
    may_quote = fields.Boolean(required=True)
    attribution = s.choice(Attribution)


class WithdrawIn(Schema):
    contribution_id = fields.UUID(required=True)


Questions = Callable[[Context], list[Field]]


@dataclass(frozen=True)
class Command:
    slug: str
    title: str
    method: str  # the application method it calls
    schema: type[Schema]
    permission: P
    questions: Questions
    offered: Callable[[Context], bool] = lambda ctx: not ctx.issue.is_closed
    fixed: Callable[[Context], dict[str, Any]] = lambda ctx: {}
    roles: frozenset[Role] | None = None  # offered only to these roles (None: whoever the table allows)
    hint: str = ""  # what the domain word in its title means, said beside it where it is offered
    tip: Callable[[dict[str, Any]], str] = lambda data: ""  # a word of advice once it is done
    done: Callable[[dict[str, Any]], str] = field(kw_only=True)  # said once it is done (given its arguments)
    stages: frozenset[Stage] | None = None  # offered only at these stages (None: whenever `offered` says)

    def arguments(self, ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
        return {**data, **self.fixed(ctx)}

    def offered_now(self, ctx: Context) -> bool:
        """Whether the issue page offers it now: when the workflow makes it possible, and at a stage where it
        is part of the work (forms of a later stage wait for it; their addresses still work)."""
        return (self.stages is None or ctx.issue.stage in self.stages) and self.offered(ctx)


def _moved(args: dict[str, Any], back: bool = False) -> str:
    return f"the issue moved {'back ' if back else ''}to {Stage(args['to']).label}"


FROM_EXPLORE = frozenset({Stage.EXPLORE, Stage.ACT, Stage.LEARN})
FROM_ACT = frozenset({Stage.ACT, Stage.LEARN})


def _input_options(ctx: Context, only_awaiting: bool = False) -> tuple[tuple[str, str], ...]:
    return tuple((c["id"], f"{c['contributor']}: {excerpt(c['text'])}") for c in ctx.contributions
                 if not c["withdrawn"] and (not only_awaiting or ctx.issue.awaits_feedback(c["id"])))


def _inputs(label: str, only_awaiting: bool = False) -> Questions:
    def ask(ctx: Context) -> list[Field]:
        options = _input_options(ctx, only_awaiting)
        hint = (f"{count(len(options), 'piece of input still awaits', 'pieces of input still await')} feedback."
                if only_awaiting else "")
        return [Field("contribution_ids", label, "checkboxes", hint, options)]
    return ask


def _open_actions(ctx: Context, mine_only: bool) -> tuple[tuple[str, str], ...]:
    return tuple((a.id, f"{a.title} (owner: {ctx.app.display_name(a.owner_id)}, due {long_date(a.due)})")
                 for a in ctx.issue.actions.values()
                 if a.status == "open" and (not mine_only or a.owner_id == str(ctx.actor.account_id)))


def _action(ctx: Context) -> Field:
    mine = ctx.actor.role == Role.ACTION_OWNER
    return Field("action_id", "Which action", "radios", options=_open_actions(ctx, mine))


def _owners(ctx: Context) -> tuple[tuple[str, str], ...]:
    return tuple((str(a.id), ctx.app.display_name(a.id)) for a in ctx.app.possible_owners(ctx.issue.id, ctx.actor))


def _has_open_actions(ctx: Context) -> bool:
    return not ctx.issue.is_closed and any(a.status == "open" for a in ctx.issue.actions.values())


def _may_advance(ctx: Context) -> bool:
    """An advance is offered (with what is still missing) while a stage other than Closed follows."""
    upcoming = next_stage(ctx.issue.stage)
    return upcoming not in (None, Stage.CLOSED) and not ctx.issue.is_parked


def _may_close(ctx: Context) -> bool:
    return next_stage(ctx.issue.stage) == Stage.CLOSED and not ctx.issue.is_parked


def _may_move_back(ctx: Context) -> bool:
    return bool(earlier_stages(ctx.issue))


def _back_to(ctx: Context) -> list[Field]:
    options = tuple((stage.value, f"{stage.label}: {BACK_TO[stage]}") for stage in earlier_stages(ctx.issue))
    return [Field("to", "Go back to", "radios", options=options),
            Field("reason", "Why go back?", "textarea"), _level()]


BACK_TO = {Stage.FRAME: "look at the problem again", Stage.EXPLORE: "find out more",
           Stage.ACT: "try more actions", Stage.LEARN: "look again at what changed"}


def _has_own_input(ctx: Context) -> bool:
    return bool(_own_active(ctx))


def _level(label: str = "At what level of participation was this decided?") -> Field:
    return Field("level", label, "radios", "How the decision was made, on the ladder of participation: "
                                           "co-production is the highest rung.", LEVELS)


def _advance_to(ctx: Context) -> dict[str, Any]:
    upcoming = next_stage(ctx.issue.stage)
    return {"to": upcoming.value if upcoming else ""}


def _own_active(ctx: Context) -> list[str]:
    mine = str(ctx.actor.account_id)
    return [c for c in ctx.issue.active_contributions if ctx.issue.contributors[c] == mine]


def _own_active_input(ctx: Context) -> list[Field]:
    own = set(_own_active(ctx))
    options = tuple((c["id"], excerpt(c["text"])) for c in ctx.contributions if c["id"] in own)
    return [Field("contribution_id", "Which piece of your input", "radios", options=options)]


def _decisions(ctx: Context) -> list[Field]:
    """Each decision said in one sentence: who decided what, and when."""
    said = {entry["version"]: entry for entry in ctx.app.timeline(ctx.issue.id, ctx.actor, sentences=HISTORY_SAID)}
    options = []
    for version, level in ctx.issue.decisions.items():
        entry = said.get(int(version))
        sentence = f"On {long_date(entry['when'])}, {entry['who']} {entry['what']}." if entry else "A decision."
        why = f"Why: {ended(entry['why'])} " if entry and entry["why"] else ""
        options.append((version, sentence, f"{why}The hub said: “{level_said(level)}”."))
    return [Field("decision", "Which decision?", "radios", options=tuple(options)),
            Field("level", "How much say did experts have?", "radios",
                  "Choose the answer that fits best. Staff see only how many people chose each answer.", LEVELS_SAID)]


COMMANDS: dict[str, Command] = {c.slug: c for c in [
    Command("contribute", "Add my input", "record_contribution", MyInputIn, P.CONTRIBUTE, lambda ctx: [
        Field("text", "What do you want to say?", "textarea",
              "Your own experience, in your own words. Unless you agree it may be quoted, only you and "
              "your hub's managers can read it."),
        Field("may_quote", "May we quote your words to others?", "radios", options=YES_NO),
        Field("attribution", "If we quote you, how should we name you?", "radios", options=NAMING)],
        roles=frozenset({Role.EXPERT}),
        fixed=lambda ctx: {"contributor_id": ctx.actor.account_id, "channel": Channel.ONLINE},
        done=lambda args: "your input is added"),
    Command("rename", "Rename the issue", "rename_issue", s.RenameIn, P.SHAPE_ISSUE, lambda ctx: [
        Field("title", "What is the issue's new title?", hint="Everyone who can see the issue will see the new "
              "title; its history keeps the old one.")], done=lambda args: "the issue is renamed"),
    Command("frame", "Frame the issue", "frame", s.FramingIn, P.SHAPE_ISSUE, lambda ctx: [
        Field("problem", "What is the problem?", "textarea", "In the words of the experts who raised it."),
        Field("affected", "Who does it affect?", "textarea")], done=lambda args: "the problem is written down",
        stages=frozenset({Stage.FRAME})),
    Command("select", "Select the issue to work on", "select", s.SelectionIn, P.SHAPE_ISSUE, lambda ctx: [
        Field("decision", "What did the hub decide, and how?", "textarea"), _level(),
        _reason_for_experts(ctx)], done=lambda args: "the issue is chosen to work on",
        stages=frozenset({Stage.FRAME})),
    Command("theme", "Theme input", "theme_contributions", s.ThemeIn, P.SHAPE_ISSUE, lambda ctx: [
        Field("theme", "Theme", hint="A few words, such as 'transport' or 'being believed'."),
        *_inputs("Input in this theme")(ctx)], hint="a theme is a label that groups similar input",
        done=lambda args: f"the input is grouped under “{args['theme']}”",
        offered=lambda ctx: not ctx.issue.is_closed and bool(ctx.issue.active_contributions)),
    Command("finding", "Record a finding", "record_finding", s.FindingIn, P.SHAPE_ISSUE, lambda ctx: [
        Field("summary", "What was found?", "textarea"), *_inputs("Input it rests on")(ctx)],
        hint="a finding is what exploring the issue showed, and the input behind it",
        done=lambda args: "the finding is recorded", stages=FROM_EXPLORE),
    Command("stakeholder", "Add a stakeholder", "add_stakeholder", s.StakeholderIn, P.SHAPE_ISSUE, lambda ctx: [
        Field("name", "Name of the organisation or person"),
        Field("kind", "What kind of stakeholder", hint="For example: service, commissioner, charity, university.")],
        hint="a stakeholder is an organisation or role that joins the work on the issue",
        done=lambda args: f"{args['name']} is added as a stakeholder", stages=FROM_EXPLORE),
    Command("action", "Commit an action", "commit_action", s.ActionIn, P.COMMIT_ACTION, lambda ctx: [
        Field("title", "What will be done?"), Field("owner_id", "Who owns it?", "radios", options=_owners(ctx)),
        Field("due", "When is it due?", "date"), *_inputs("Input it answers")(ctx)],
        done=lambda args: "the action is committed", stages=FROM_ACT),
    Command("progress", "Report progress on an action", "report_progress", ProgressIn, P.REPORT_PROGRESS,
            lambda ctx: [_action(ctx), Field("note", "What has happened?", "textarea")],
            offered=_has_open_actions, done=lambda args: "the progress is recorded"),
    Command("complete", "Mark an action done", "complete_action", CompletionIn, P.REPORT_PROGRESS,
            lambda ctx: [_action(ctx), Field("note", "What was done?", "textarea")],
            offered=_has_open_actions, done=lambda args: "the action is marked done"),
    Command("drop", "Drop an action", "drop_action", DropIn, P.DROP_ACTION,
            lambda ctx: [_action(ctx), Field("reason", "Why is it dropped?", "textarea")],
            offered=_has_open_actions, done=lambda args: "the action is dropped"),
    Command("feedback", "Give feedback on input", "give_feedback", s.FeedbackIn, P.GIVE_FEEDBACK, lambda ctx: [
        Field("message", "What happened as a result of this input?", "textarea",
              "This is what the experts will read on 'What happened to my input'."),
        *_inputs("Input this answers", only_awaiting=True)(ctx)],
        offered=lambda ctx: ctx.issue.awaiting_feedback_count > 0, tip=lambda data: reads_hard(data["message"]),
        done=lambda args: "the feedback is given"),
    Command("learning", "Record learning", "record_learning", s.LearningIn, P.RECORD_LEARNING, lambda ctx: [
        Field("what_changed", "What changed?", "textarea"), Field("evidence", "What is the evidence?", "textarea"),
        Field("next_steps", "What should happen next? (optional)", "textarea")],
        done=lambda args: "the learning is recorded", stages=frozenset({Stage.LEARN})),
    Command("advance", "Move to the next stage", "advance_stage", AdvanceIn, P.DECIDE_STAGE, lambda ctx: [
        Field("reason", "Why is it ready to move on?", "textarea"), _level()],
        offered=_may_advance, fixed=_advance_to, done=_moved),
    Command("move-back", "Move back a stage", "move_back", s.StageMoveIn, P.DECIDE_STAGE, _back_to,
            offered=_may_move_back, hint="from Learn, this starts a new cycle: the stages run again",
            done=lambda args: _moved(args, back=True)),
    Command("close", "Close the issue", "close_issue", s.ClosureIn, P.DECIDE_STAGE, lambda ctx: [
        Field("outcome", "What was the outcome?", "textarea"), _level()], offered=_may_close,
        done=lambda args: "the issue is closed"),
    Command("park", "Park the issue", "park", s.ReasonIn, P.DECIDE_STAGE, lambda ctx: [
        Field("reason", "Why is it parked?", "textarea", "Everyone who gave input will see this reason.")],
        offered=lambda ctx: not ctx.issue.is_closed and not ctx.issue.is_parked,
        hint="a parked issue is on hold until someone takes it off hold", done=lambda args: "the issue is on hold"),
    Command("reopen", "Take the issue off hold", "reopen", s.ReasonIn, P.DECIDE_STAGE, lambda ctx: [
        Field("reason", "Why can work start again?", "textarea")], offered=lambda ctx: ctx.issue.is_parked,
        done=lambda args: "the issue is off hold: work can start again"),
    Command("withdraw", "Withdraw my input", "withdraw_contribution", WithdrawIn, P.WITHDRAW, _own_active_input,
            offered=_has_own_input, roles=frozenset({Role.EXPERT}), done=lambda args: "your input is withdrawn"),
    Command("rate", "Say how a decision felt", "rate_participation", s.RatingIn, P.RATE_DECISION, _decisions,
            offered=lambda ctx: bool(ctx.issue.decisions),
            done=lambda args: "thank you: your answer about the decision is recorded"),
    Command("summary", "Say it in plain words", "summarise_issue", s.SummaryIn, P.SHAPE_ISSUE, lambda ctx: [
        Field("summary", "In one short line of plain words, what is this issue about?",
              hint="Shown first to the public, on receipts and on posters. For example: 'The bus does not stop "
                   "near the hostel.'")], offered=lambda ctx: True,
        done=lambda args: "the issue is said in plain words"),
]}
