"""`coproduce notifications`: send the messages due, and see how many wait, went or failed."""

from __future__ import annotations

import signal
import threading
from datetime import datetime, timezone

import click

from service.cli.support import Context, pass_context, refusals, say


@click.group()
def notifications() -> None:
    """Operator: the messages that tell people what happened to their input."""


@notifications.command()
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="Seconds to wait when nothing was sent.")
@click.option("--once", is_flag=True, help="One pass, then stop.")
@pass_context
@refusals
def run(context: Context, interval: float, once: bool) -> None:
    """Send the messages due until stopped (Ctrl-C or SIGTERM); a message is finished before stopping."""
    app, stop = context.app, threading.Event()
    app.send_here()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    ways = ", ".join(app.wiring.channels) or "none (messages wait; set COPRODUCE_SMTP_URL)"
    say(f"Sending messages due by: {ways}" + ("." if once else "; stop with Ctrl-C."))
    while not stop.is_set():
        if not app.projections_inline:
            app.projections.catch_up()
        try:
            counts = app.deliver_due()
        except Exception as error:
            if not app.unreachable(error):
                raise
            say("The database is away; trying again.", err=True)
            counts = {}
        if any(counts.values()):
            say(", ".join(f"{n} {what}" for what, n in counts.items() if n))
        if once:
            return
        if not counts.get("sent"):
            stop.wait(interval)


@notifications.command()
@pass_context
@refusals
def status(context: Context) -> None:
    """How many messages are due, sent, failed and handed over, and the oldest still waiting."""
    found = context.app.delivery_status()
    for name in ("due", "sent", "failed", "handed_over", "sending", "to_try_again"):
        say(f"{name.replace('_', ' '):<14} {found[name]:>8}")
    oldest = found["oldest_due"]
    waited = ""
    if oldest is not None:
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=timezone.utc)
        waited = f" ({(datetime.now(timezone.utc) - oldest).days} days ago)"
    say(f"{'oldest waiting':<14} {oldest.isoformat() if oldest else '-'}{waited}")
    say(f"{'channels':<14} {', '.join(found['channels']) or 'none configured'}")
