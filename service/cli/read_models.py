"""`coproduce projections`: follow the log in a worker, rebuild views, see how far behind they are."""

from __future__ import annotations

import signal
import threading

import click

from service.cli.support import Context, pass_context, refusals, say


@click.group()
def projections() -> None:
    """Operator: the read models kept from the event log."""


@projections.command()
@click.option("--interval", default=0.2, show_default=True, type=click.FloatRange(0.01, 60),
              help="Seconds to wait when there is nothing new.")
@pass_context
@refusals
def run(context: Context, interval: float) -> None:
    """Keep every read model up to date until stopped (Ctrl-C or SIGTERM)."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    rebuilt = context.app.rebuild_stale_views()
    if rebuilt:
        say(f"Rebuilt the read models this release changed: {', '.join(rebuilt)}.")
    say("Following the event log; stop with Ctrl-C.")
    context.app.projections.run(stop, interval, when_idle=context.app.audit.checkpoint_if_due,
                                unreachable=context.app.unreachable)


@projections.command()
@click.argument("view", required=False)
@click.option("--processes", type=click.IntRange(1, 64),
              help="How many processes share the views [default: one a core].")
@pass_context
@refusals
def rebuild(context: Context, view: str | None, processes: int | None) -> None:
    """Empty VIEW (or every view) and apply the whole log again."""
    known = context.app.projections.views
    if view and view not in known:
        raise click.UsageError(f"no view called {view!r}; the views are: {', '.join(known)}")
    if processes:
        context.app.projections.processes = processes
    applied = context.app.projections.rebuild([view] if view else None)
    say(f"Rebuilt {view or 'every read model (the audit chain only when named)'}: {applied} applications.")


@projections.command()
@pass_context
@refusals
def status(context: Context) -> None:
    """Each view's position in the log and how far behind it is."""
    for row in context.app.projections.status():
        say(f"{row['view']:<15} position {row['position']:>8}  head {row['head']:>8}  lag {row['lag']:>6}")
