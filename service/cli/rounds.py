"""`coproduce` commands for priority rounds: open, vote, record a paper tally, close, show."""

from __future__ import annotations

from uuid import UUID

import click

from domain.priorities import DEFAULT_DOTS, ordinal
from service.app import schemas as s
from service.cli.support import Context, as_option, loaded, pass_context, refusals, say

COMMANDS: list[click.Command] = []
DOTS = click.option("--dots", "dots", multiple=True, required=True, metavar="ISSUE=N",
                    help="Dots on an issue (id or unique start of it); repeat for more.")


def command(name: str):
    """A round command: takes the acting person and refuses cleanly."""
    def wrap(func):
        wrapped = click.command(name)(as_option(pass_context(refusals(func))))
        COMMANDS.append(wrapped)
        return wrapped
    return wrap


def _dots(context: Context, placed: tuple[str, ...]) -> list[dict]:
    """`--dots ISSUE=N` as the API's list of dots per issue."""
    dots = []
    for item in placed:
        issue, _, count = item.partition("=")
        if not count.strip().isdigit():
            raise click.BadParameter(f"{item!r}: write ISSUE=N, N a whole number", param_hint="--dots")
        dots.append({"issue_id": context.issue_id(issue.strip()), "dots": int(count)})
    return dots


@command("open-round")
@click.argument("hub")
@click.option("--issue", "issues", multiple=True, required=True, help="An issue in Frame; repeat for more.")
@click.option("--closes-on", type=click.DateTime(["%Y-%m-%d"]), required=True, help="The last day of voting.")
@click.option("--dots-each", "dots", type=int, default=DEFAULT_DOTS, show_default=True)
def open_round(context: Context, hub: str, issues: tuple[str, ...], closes_on, dots: int, as_user: str) -> None:
    """Open a priority round in HUB over some of its issues in Frame; prints its id."""
    opened = loaded(s.RoundIn(only=["closes_on", "dots"]), {"closes_on": closes_on.date(), "dots": dots})
    say(context.app.open_round(context.hub_id(hub), [context.issue_id(i) for i in issues],
                               actor=context.app.actor_for(as_user), **opened))


@command("vote")
@click.argument("round_id", type=click.UUID)
@DOTS
def vote(context: Context, round_id: UUID, dots: tuple[str, ...], as_user: str) -> None:
    """Place your dots in a round (experts); voting again replaces your ballot."""
    ballot = loaded(s.BallotIn(), {"dots": _dots(context, dots)})
    context.app.cast_ballot(round_id, s.placed(ballot["dots"]), context.app.actor_for(as_user))
    say("Your dots are placed. Nobody else can see how you voted.")


@command("tally")
@click.argument("round_id", type=click.UUID)
@click.option("--session", "session_id", type=click.UUID, required=True, help="The session the paper vote was at.")
@click.option("--voters", type=int, required=True, help="How many people voted on paper.")
@DOTS
def tally(context: Context, round_id: UUID, session_id: UUID, voters: int, dots: tuple[str, ...],
          as_user: str) -> None:
    """Record a session's paper dot-vote (facilitators, managers)."""
    paper = loaded(s.TallyIn(), {"session_id": session_id, "voters": voters, "dots": _dots(context, dots)})
    context.app.record_tally(round_id, paper["session_id"], s.placed(paper["dots"]), paper["voters"],
                             context.app.actor_for(as_user))
    say("The paper vote is recorded.")


@command("close-round")
@click.argument("round_id", type=click.UUID)
def close_round(context: Context, round_id: UUID, as_user: str) -> None:
    """Count and rank a round (its hub's managers); prints the ranking."""
    actor = context.app.actor_for(as_user)
    context.app.close_round(round_id, actor)
    _show(context.app.round_as_seen(round_id, actor))


@command("show-round")
@click.argument("round_id", type=click.UUID)
def show_round(context: Context, round_id: UUID, as_user: str) -> None:
    """A round as you may see it: how many voted, and once closed, the ranking and the reasons given."""
    _show(context.app.round_as_seen(round_id, context.app.actor_for(as_user)))


def _dots_said(count: int, width: int = 0) -> str:
    """"1 dot", "2 dots" (the count right-aligned in `width`, the word padded so that what follows lines up)."""
    return f"{count:>{width}} {'dot' if count == 1 else 'dots':<{4 if width else 0}}"


def _show(seen: dict) -> None:
    say(f"{seen['status']}, voting until {seen['closes_on']}: {seen['voters']} voted "
        f"({seen['voted_online']} of {seen['experts']} experts online)")
    if seen["your_ballot"]:  # the asker's own ballot, while the round is open (the application decides)
        titles = {str(issue["id"]): issue["title"] for issue in seen["issues"]}
        say("You have voted: " + ", ".join(f"{_dots_said(n)} on {titles.get(str(issue), issue)}"
                                           for issue, n in seen["your_ballot"].items()))
    elif seen["you_voted"]:
        say("You have voted." if seen["status"] == "open" else "You took part.")
    for place in seen["ranking"]:
        say(f"  {ordinal(place['rank'])}  {_dots_said(place['dots'], 4)}  {place['title']}")
    for chosen in seen["selections"]:
        say(f"  chosen: {chosen['title']}" + ("" if chosen["followed"] else f" — not as voted: {chosen['reason']}"))
