"""Command-line doors for what the public reads: an issue in plain words, a hub's public page on or off."""

from __future__ import annotations

import click

from service.app.schemas import SummaryIn
from service.cli.issues import command
from service.cli.support import Context, as_option, loaded, pass_context, refusals, say


@command("summarise")
@click.argument("summary")
@as_option
def summarise(context: Context, issue: str, summary: str, as_user: str) -> None:
    """Say ISSUE in one line of plain words (SUMMARY), shown first to the public."""
    summary = loaded(SummaryIn(), {"summary": summary})["summary"]
    context.app.summarise_issue(context.issue_id(issue), summary, context.app.actor_for(as_user))


@click.command("publish")
@click.argument("hub")
@click.option("--off", is_flag=True, help="Turn the hub's public page off instead.")
@as_option
@pass_context
@refusals
def publish(context: Context, hub: str, off: bool, as_user: str) -> None:
    """Turn HUB's public page ("You said, we did", no sign-in) on, or off with --off."""
    app, hub_id = context.app, context.hub_id(hub)
    (app.stop_publishing_hub if off else app.publish_hub)(hub_id, app.actor_for(as_user))
    say(f"The hub's public page is {'off' if off else 'on'}.")


COMMANDS = [publish]
