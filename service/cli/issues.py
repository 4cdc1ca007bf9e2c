"""`coproduce` commands that walk an issue from raised to closed, and read its history."""

from __future__ import annotations

from datetime import date

import click

from domain import Attribution, Channel, NotFound, ParticipationLevel, SessionFormat, Stage, SystemicIssue
from domain.policies import awaits_feedback
from service.app import schemas as s
from service.app.news import day
from service.cli.support import Context, as_option, loaded, pass_context, refusals, resolve_in, say

COMMANDS: list[click.Command] = []

LEVEL = click.option("--level", required=True, type=click.Choice([p.value for p in ParticipationLevel]),
                     help="The rung of the ladder of participation the decision was taken at.")
REASON = click.option("--reason", required=True, help="Why.")
CONTRIBUTIONS = click.option("--contribution", "contributions", multiple=True,
                             help="A contribution (id or unique start of it); repeat for more.")
STAGES = click.Choice([s.value for s in Stage])


def command(name: str):
    """Define an issue command that takes an ISSUE argument and refuses cleanly."""
    def wrap(func):
        wrapped = click.command(name)(click.argument("issue")(pass_context(refusals(func))))
        COMMANDS.append(wrapped)
        return wrapped
    return wrap


def _contribution_ids(issue: SystemicIssue, texts: tuple[str, ...]) -> list:
    """The contributions named, found within the issue. Not loaded by the schemas with what a person types
    (`only=`): the issue refuses none chosen, or a withdrawn one, once who may do it is decided."""
    return [resolve_in(list(issue.contributors), text, "contribution") for text in texts]


def _action_id(issue: SystemicIssue, text: str):
    return resolve_in(list(issue.actions), text, "action")


@click.command("raise")
@click.argument("hub")
@click.argument("title")
@as_option
@pass_context
@refusals
def raise_issue(context: Context, hub: str, title: str, as_user: str) -> None:
    """Raise an issue in HUB (name or id); prints its id."""
    title = loaded(s.RaiseIn(), {"title": title})["title"]
    say(context.app.raise_issue(context.hub_id(hub), title, context.app.actor_for(as_user)))


COMMANDS.append(raise_issue)


@click.command("record-session")
@click.argument("hub")
@click.option("--date", "held_on", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--place", required=True)
@click.option("--format", "session_format", type=click.Choice([f.value for f in SessionFormat]), required=True)
@click.option("--experts", "experts_attended", type=int, required=True, help="How many experts attended.")
@click.option("--staff", "staff_attended", type=int, required=True, help="How many service staff attended.")
@as_option
@pass_context
@refusals
def record_session(context: Context, hub: str, held_on, place: str, session_format: str,
                   experts_attended: int, staff_attended: int, as_user: str) -> None:
    """Record a session of HUB where input was gathered; prints its id."""
    session = loaded(s.SessionIn(), {"held_on": held_on.date(), "place": place, "format": session_format,
                                     "experts_attended": experts_attended, "staff_attended": staff_attended})
    say(context.app.record_session(context.hub_id(hub), context.app.actor_for(as_user), **session))


COMMANDS.append(record_session)


WORDS = {"shown": None, "not_shown": "(chose not to be quoted)", "withdrawn": "(withdrawn)", "erased": "(erased)"}


@command("show")
@as_option
def show(context: Context, issue: str, as_user: str) -> None:
    """Where ISSUE stands: stage, input (as you may see it), actions and what is missing next."""
    seen = context.app.issue_as_seen(context.issue_id(issue), context.app.actor_for(as_user))
    parked = f" (parked: {seen['parked_reason']})" if seen["parked_reason"] else ""
    say(f"{seen['title']}  [{seen['stage']}{parked}]  version {seen['version']}")
    if seen["framing"]:
        say(f"Problem: {seen['framing']['problem']}\nAffects: {seen['framing']['affected']}")
    for c in seen["contributions"]:
        fate = ("awaiting feedback" if awaits_feedback(c["withdrawn"], bool(c["answered_by"]))
                else "withdrawn" if c["withdrawn"] else "answered")
        mark = "" if c["may_quote"] or c["text_status"] != "shown" else " (not to be quoted)"
        say(f"  input {c['id'][:8]} from {c['contributor']} [{fate}]: "
            f"{WORDS[c['text_status']] or c['text']}{mark}")
    for a in seen["actions"]:
        due = day(date.fromisoformat(str(a["due"])))  # as `history` says it: 30 September 2023
        say(f"  action {a['id'][:8]} “{a['title']}” owner {a['owner']}, due {due} [{a['status']}]")
    if seen["next_stage"]:
        missing = seen["missing_before_next"]
        say(f"Before {seen['next_stage']}: " + ("nothing missing" if not missing else "; ".join(missing)))


@command("missing")
@click.argument("stage", type=STAGES)
@as_option
def missing(context: Context, issue: str, stage: str, as_user: str) -> None:
    """What ISSUE still needs before it may advance to STAGE."""
    items = context.app.missing_before(context.issue_id(issue), Stage(stage), context.app.actor_for(as_user))
    say("Nothing is missing." if not items else "\n".join(f"- {item}" for item in items))


@command("history")
@as_option
def history(context: Context, issue: str, as_user: str) -> None:
    """Every event of ISSUE, as you may read it: when, who (role), what, why."""
    for entry in context.app.timeline(context.issue_id(issue), context.app.actor_for(as_user)):
        why = f" — why: {entry['why']}" if entry["why"] else ""
        level = f" [participation: {entry['level']}]" if entry["level"] else ""
        say(f"{entry['when']:%Y-%m-%d %H:%M}  {entry['who']} ({entry['role']}) {entry['what']}{why}{level}")


@command("frame")
@click.option("--problem", required=True)
@click.option("--affected", required=True, help="Who the problem affects.")
@as_option
def frame(context: Context, issue: str, problem: str, affected: str, as_user: str) -> None:
    """Record the framing statement of ISSUE."""
    framing = loaded(s.FramingIn(), {"problem": problem, "affected": affected})
    context.app.frame(context.issue_id(issue), actor=context.app.actor_for(as_user), **framing)


@command("select")
@click.option("--decision", required=True, help="What was decided, and by whom.")
@LEVEL
@click.option("--reason-for-experts", default="",
              help="Why the hub did not follow the experts' last priority round (needed when it did not).")
@as_option
def select(context: Context, issue: str, decision: str, level: str, reason_for_experts: str, as_user: str) -> None:
    """Record the decision to work on ISSUE."""
    selection = loaded(s.SelectionIn(), {"decision": decision, "level": level,
                                         "reason_for_experts": reason_for_experts})
    context.app.select(context.issue_id(issue), actor=context.app.actor_for(as_user), **selection)


@command("contribute")
@click.option("--text", required=True, help="The input, in the expert's words.")
@click.option("--for", "for_user", help="The expert whose input this is (when a facilitator records it).")
@click.option("--session", help="The session (id) the input was given at.")
@click.option("--channel", type=click.Choice([c.value for c in Channel]), default="online", show_default=True)
@click.option("--quote/--no-quote", default=False, help="May the input be quoted?")
@click.option("--attribution", type=click.Choice([a.value for a in Attribution]), default="anonymous", show_default=True)
@as_option
def contribute(context: Context, issue: str, text: str, for_user: str | None, session: str | None,
               channel: str, quote: bool, attribution: str, as_user: str) -> None:
    """Record input on ISSUE; prints the contribution's id."""
    app, actor, issue_id = context.app, context.app.actor_for(as_user), context.issue_id(issue)
    given_at = {"session_id": resolve_in(list(app.hub(app.issue(issue_id).hub_id).sessions), session, "session")
                } if session else {}
    contribution = loaded(s.ContributionIn(), {
        "text": text, "channel": channel, "may_quote": quote, "attribution": attribution,
        "contributor_id": _expert_called(context, for_user) if for_user else actor.account_id, **given_at})
    try:
        say(app.record_contribution(issue_id, actor=actor, **contribution))
    except NotFound as refused:  # the application's one answer for anyone not an expert of the hub, by name here
        if for_user and str(contribution["contributor_id"]) in str(refused):
            raise NotFound(_NO_EXPERT_CALLED.format(for_user)) from None
        raise


_NO_EXPERT_CALLED = "no expert of this hub is called {!r}"


def _expert_called(context: Context, username: str) -> str:
    """The account id for --for: no such username answers as the application answers for anyone who is
    not an expert of the issue's hub (service/app/issue_commands.py: contributor_at)."""
    try:
        return str(context.app.account_by_username(username).id)
    except NotFound:
        raise NotFound(_NO_EXPERT_CALLED.format(username)) from None


@command("withdraw")
@click.argument("contribution")
@as_option
def withdraw(context: Context, issue: str, contribution: str, as_user: str) -> None:
    """Withdraw a CONTRIBUTION from ISSUE."""
    issue_id = context.issue_id(issue)
    contribution_id = resolve_in(list(context.app.issue(issue_id).contributors), contribution, "contribution")
    context.app.withdraw_contribution(issue_id, contribution_id, context.app.actor_for(as_user))


@command("theme")
@click.argument("theme")
@CONTRIBUTIONS
@as_option
def theme(context: Context, issue: str, theme: str, contributions: tuple[str, ...], as_user: str) -> None:
    """Group contributions of ISSUE under THEME."""
    issue_id = context.issue_id(issue)
    theme = loaded(s.ThemeIn(only=["theme"]), {"theme": theme})["theme"]
    ids = _contribution_ids(context.app.issue(issue_id), contributions)
    context.app.theme_contributions(issue_id, theme, ids, context.app.actor_for(as_user))


@command("finding")
@click.argument("summary")
@CONTRIBUTIONS
@as_option
def finding(context: Context, issue: str, summary: str, contributions: tuple[str, ...], as_user: str) -> None:
    """Record a finding on ISSUE, linked to the contributions behind it."""
    issue_id = context.issue_id(issue)
    summary = loaded(s.FindingIn(only=["summary"]), {"summary": summary})["summary"]
    ids = _contribution_ids(context.app.issue(issue_id), contributions)
    say(context.app.record_finding(issue_id, summary, ids, context.app.actor_for(as_user)))


@command("stakeholder")
@click.argument("name")
@click.option("--kind", required=True, help="e.g. service, commissioner, university.")
@as_option
def stakeholder(context: Context, issue: str, name: str, kind: str, as_user: str) -> None:
    """Record that a stakeholder joined ISSUE."""
    joined = loaded(s.StakeholderIn(), {"name": name, "kind": kind})
    context.app.add_stakeholder(context.issue_id(issue), actor=context.app.actor_for(as_user), **joined)


@command("commit-action")
@click.argument("title")
@click.option("--owner", required=True, help="Username of the action's owner.")
@click.option("--due", type=click.DateTime(["%Y-%m-%d"]), required=True)
@CONTRIBUTIONS
@as_option
def commit_action(context: Context, issue: str, title: str, owner: str, due, contributions: tuple[str, ...],
                  as_user: str) -> None:
    """Commit to an action on ISSUE; prints its id."""
    app, issue_id = context.app, context.issue_id(issue)
    action = loaded(s.ActionIn(only=["title", "due"]), {"title": title, "due": due.date()})
    ids = _contribution_ids(app.issue(issue_id), contributions)
    say(app.commit_action(issue_id, owner_id=app.account_by_username(owner).id, contribution_ids=ids,
                          actor=app.actor_for(as_user), **action))


@command("progress")
@click.argument("action")
@click.argument("note")
@as_option
def progress(context: Context, issue: str, action: str, note: str, as_user: str) -> None:
    """Report progress on an ACTION of ISSUE."""
    issue_id, note = context.issue_id(issue), loaded(s.ProgressIn(), {"note": note})["note"]
    action_id = _action_id(context.app.issue(issue_id), action)
    context.app.report_progress(issue_id, action_id, note, context.app.actor_for(as_user))


@command("complete-action")
@click.argument("action")
@click.option("--note", default="")
@as_option
def complete_action(context: Context, issue: str, action: str, note: str, as_user: str) -> None:
    """Mark an ACTION of ISSUE as completed."""
    issue_id, note = context.issue_id(issue), loaded(s.CompletionIn(), {"note": note})["note"]
    action_id = _action_id(context.app.issue(issue_id), action)
    context.app.complete_action(issue_id, action_id, note, context.app.actor_for(as_user))


@command("drop-action")
@click.argument("action")
@REASON
@as_option
def drop_action(context: Context, issue: str, action: str, reason: str, as_user: str) -> None:
    """Drop an ACTION of ISSUE, saying why."""
    issue_id, reason = context.issue_id(issue), loaded(s.ReasonIn(), {"reason": reason})["reason"]
    action_id = _action_id(context.app.issue(issue_id), action)
    context.app.drop_action(issue_id, action_id, reason, context.app.actor_for(as_user))


@command("feedback")
@click.argument("message")
@CONTRIBUTIONS
@click.option("--all-waiting", is_flag=True, help="Answer every contribution still awaiting feedback.")
@as_option
def feedback(context: Context, issue: str, message: str, contributions: tuple[str, ...], all_waiting: bool,
             as_user: str) -> None:
    """Give feedback to contributors of ISSUE ("you said, we did")."""
    app, issue_id = context.app, context.issue_id(issue)
    state = app.issue(issue_id)
    ids = _contribution_ids(state, contributions)
    if all_waiting:
        ids += state.awaiting_feedback
    message = loaded(s.FeedbackIn(only=["message"]), {"message": message})["message"]
    say(app.give_feedback(issue_id, message, ids, app.actor_for(as_user)))


@command("learning")
@click.option("--what-changed", required=True)
@click.option("--evidence", required=True)
@click.option("--next-steps", default="")
@as_option
def learning(context: Context, issue: str, what_changed: str, evidence: str, next_steps: str, as_user: str) -> None:
    """Record what ISSUE's work changed, the evidence and what to do next."""
    learnt = loaded(s.LearningIn(), {"what_changed": what_changed, "evidence": evidence, "next_steps": next_steps})
    context.app.record_learning(context.issue_id(issue), actor=context.app.actor_for(as_user), **learnt)


@command("advance")
@click.argument("stage", type=STAGES)
@REASON
@LEVEL
@as_option
def advance(context: Context, issue: str, stage: str, reason: str, level: str, as_user: str) -> None:
    """Advance ISSUE to the next STAGE."""
    move = loaded(s.StageMoveIn(), {"to": stage, "reason": reason, "level": level})
    context.app.advance_stage(context.issue_id(issue), actor=context.app.actor_for(as_user), **move)


@command("move-back")
@click.argument("stage", type=STAGES)
@REASON
@LEVEL
@as_option
def move_back(context: Context, issue: str, stage: str, reason: str, level: str, as_user: str) -> None:
    """Move ISSUE back to an earlier STAGE (from learn: a new cycle)."""
    move = loaded(s.StageMoveIn(), {"to": stage, "reason": reason, "level": level})
    context.app.move_back(context.issue_id(issue), actor=context.app.actor_for(as_user), **move)


@command("rename")
@click.argument("title")
@as_option
def rename(context: Context, issue: str, title: str, as_user: str) -> None:
    """Give ISSUE the new TITLE."""
    title = loaded(s.RenameIn(), {"title": title})["title"]
    context.app.rename_issue(context.issue_id(issue), title, context.app.actor_for(as_user))


@command("park")
@REASON
@as_option
def park(context: Context, issue: str, reason: str, as_user: str) -> None:
    """Park ISSUE, saying why."""
    reason = loaded(s.ReasonIn(), {"reason": reason})["reason"]
    context.app.park(context.issue_id(issue), reason, context.app.actor_for(as_user))


@command("reopen")
@REASON
@as_option
def reopen(context: Context, issue: str, reason: str, as_user: str) -> None:
    """Reopen a parked ISSUE."""
    reason = loaded(s.ReasonIn(), {"reason": reason})["reason"]
    context.app.reopen(context.issue_id(issue), reason, context.app.actor_for(as_user))


@command("close")
@click.option("--outcome", required=True)
@LEVEL
@as_option
def close(context: Context, issue: str, outcome: str, level: str, as_user: str) -> None:
    """Close ISSUE from learn, with its outcome."""
    closure = loaded(s.ClosureIn(), {"outcome": outcome, "level": level})
    context.app.close_issue(context.issue_id(issue), actor=context.app.actor_for(as_user), **closure)
