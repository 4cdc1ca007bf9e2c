"""`coproduce keep-posted` and `coproduce hand-over`: how a person wants to hear from us, and news
given out at a hub's session, from the command line."""

from __future__ import annotations

import sys
from uuid import UUID

import click

from domain.keeping_posted import HowOften, Topic, Way
from service.app.contact_schemas import ContactIn, HandOverIn
from service.app.deliveries import HandOverRefused
from service.cli.support import Context, as_option, loaded, pass_context, refusals, say


@click.command("keep-posted")
@click.argument("person", required=False)
@click.option("--way", "ways", multiple=True, type=click.Choice([w.value for w in Way]),
              help="How to hear from us (again for more); none given: not at all.")
@click.option("--topic", "topics", multiple=True, type=click.Choice([t.value for t in Topic]),
              help="What about (again for more); none given: everything.")
@click.option("--often", "how_often", type=click.Choice([h.value for h in HowOften]), default="each_time")
@click.option("--email", default="")
@click.option("--phone", default="")
@click.option("--address", "postal_address", default="", help="Lines separated by newlines, the postcode last.")
@click.option("--hub", help="For someone else: their hub (name or id) ...")
@click.option("--session", type=click.UUID, help="... and the session (its id) at which they said so.")
@as_option
@pass_context
@refusals
def keep_posted(context: Context, person: str | None, ways: tuple[str, ...], topics: tuple[str, ...],
                how_often: str, email: str, phone: str, postal_address: str, hub: str | None,
                session: UUID | None, as_user: str) -> None:
    """Record how you (or PERSON, on their word at a session of their hub) want to hear from us."""
    app = context.app
    choice = loaded(ContactIn(), {"ways": list(ways), "how_often": how_often, "email": email, "phone": phone,
                                   "postal_address": postal_address, **({"topics": list(topics)} if topics else {})})
    actor = app.actor_for(as_user)
    if person is None:
        app.choose_contact(actor, choice)
    else:
        if not hub or not session:
            raise click.UsageError("for someone else, give --hub and --session")
        app.choose_contact_for(context.account_id(person), context.hub_id(hub), session, choice, actor)
    say("Recorded: " + (", ".join(choice["ways"]) or "no messages") + ".")


@click.command("hand-over")
@click.argument("hub")
@click.argument("message_keys", nargs=-1)
@click.option("--session", type=click.UUID,
              help="The session (its id) at which the news was given; none: list the news waiting.")
@as_option
@pass_context
@refusals
def hand_over(context: Context, hub: str, message_keys: tuple[str, ...], session: UUID | None, as_user: str) -> None:
    """List the news waiting to be given out at HUB, or record MESSAGE_KEYS as given at --session."""
    app, actor, hub_id = context.app, context.app.actor_for(as_user), context.hub_id(hub)
    if session is None:
        for item in app.hand_over_sheet(hub_id, actor):
            say(f"{item['message_key']}  {item['name']}: {item['said']} ({item['issue_title']})")
        return
    given = loaded(HandOverIn(), {"session_id": str(session), "message_keys": list(message_keys)})
    try:
        done = app.hand_over(hub_id, given["session_id"], given["message_keys"], actor)
    except HandOverRefused as refused:
        say(f"Refused: --session: {refused.why}.", err=True)
        sys.exit(1)
    say(f"Recorded {done} as given.")


COMMANDS = [keep_posted, hand_over]
