"""`coproduce demo`: load the demo into the store and print its sign-ins."""

from __future__ import annotations

import click

from service.cli.audit import sign_a_checkpoint
from service.cli.support import Context, pass_context, refusals, say
from service.demo.load import DEMO_PASSWORD, FIRST_ACCOUNTS, HUBS, PEOPLE, load_demo
from service.demo.stories import ISSUES


@click.command("demo")
@pass_context
@refusals
def demo(context: Context) -> None:
    """Operator: load the demo: five hubs, their people, sessions and issues at every stage."""
    context.makes_store = True
    if load_demo(context.app):
        say(f"Demo loaded: {len(HUBS)} hubs, {len(ISSUES)} issues, told from 2018 to today.")
        sign_a_checkpoint(context.app)
    else:
        say("The demo is already loaded.")
    print_logins()


def print_logins() -> None:
    say(f"Sign in as one of these (password for all: {DEMO_PASSWORD}; or --as USERNAME on the command line):")
    for username, role, name, hubs, _ in sorted(
            (person for person in PEOPLE if person[0] in FIRST_ACCOUNTS), key=lambda p: FIRST_ACCOUNTS.index(p[0])):
        say(f"  {username:<8} {role.value:<12} {name}" + (f" — {', '.join(hubs)}" if hubs else ""))
    others = [person[0] for person in PEOPLE if person[0] not in FIRST_ACCOUNTS]
    say(f"The other {len(others) + 1} demo people ({', '.join(['admin', *others])}) have the same password; "
        "the Accounts page (as admin or auditor) lists them all.")
