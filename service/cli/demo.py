"""`coproduce demo`: load the demo into the store and print its sign-ins."""

from __future__ import annotations

import click

from service.cli.support import Context, pass_context, refusals
from service.demo.load import DEMO_PASSWORD, PEOPLE, load_demo


@click.command("demo")
@pass_context
@refusals
def demo(context: Context) -> None:
    """Operator: load the demo: five hubs, their people, sessions and issues at every stage."""
    if load_demo(context.app):
        click.echo("Demo loaded: 5 hubs, 8 issues.")
    else:
        click.echo("The demo is already loaded.")
    print_logins()


def print_logins() -> None:
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}; or --as USERNAME on the command line):")
    click.echo(f"  {'admin':<8} {'admin':<12} Administrator")
    for username, role, name, hubs in PEOPLE:
        click.echo(f"  {username:<8} {role.value:<12} {name}" + (f" — {', '.join(hubs)}" if hubs else ""))
