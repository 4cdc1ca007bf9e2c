"""Is this what you said? An expert confirms, corrects or changes the consent of their own input."""

from __future__ import annotations

from uuid import UUID

import click

from domain import Attribution
from service.app.schemas import CorrectionIn
from service.cli.issues import command
from service.cli.support import Context, as_option, loaded, resolve_in


def _input_of(context: Context, issue: str, contribution: str) -> tuple[UUID, UUID]:
    issue_id = context.issue_id(issue)
    return issue_id, resolve_in(list(context.app.issue(issue_id).contributors), contribution, "contribution")


@command("confirm")
@click.argument("contribution")
@as_option
def confirm(context: Context, issue: str, contribution: str, as_user: str) -> None:
    """Say that the CONTRIBUTION written down for you on ISSUE is right."""
    context.app.confirm_contribution(*_input_of(context, issue, contribution), context.app.actor_for(as_user))


@command("correct")
@click.argument("contribution")
@click.option("--text", required=True, help="Your input in your own words; it replaces the words recorded.")
@as_option
def correct(context: Context, issue: str, contribution: str, text: str, as_user: str) -> None:
    """Put a CONTRIBUTION of yours on ISSUE in your own words."""
    text = loaded(CorrectionIn(), {"text": text})["text"]
    context.app.correct_contribution(*_input_of(context, issue, contribution), text, context.app.actor_for(as_user))


@command("consent")
@click.argument("contribution")
@click.option("--quote/--no-quote", required=True, help="May the input be quoted?")
@click.option("--attribution", required=True, type=click.Choice([a.value for a in Attribution]))
@as_option
def consent(context: Context, issue: str, contribution: str, quote: bool, attribution: str, as_user: str) -> None:
    """Change whether a CONTRIBUTION of yours on ISSUE may be quoted, and how you are named."""
    context.app.change_consent(*_input_of(context, issue, contribution), quote, Attribution(attribution),
                               context.app.actor_for(as_user))
