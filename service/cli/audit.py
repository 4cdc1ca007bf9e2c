"""`coproduce audit`: check the history has not been rewritten, sign checkpoints, export for auditors."""

from __future__ import annotations

import json
import sys

import click

from service.app.coproduce import Coproduce
from service.cli.support import Context, pass_context, refusals, say


@click.group()
def audit() -> None:
    """Operator: the tamper-evident history: verify, checkpoint, export."""


@audit.command()
@click.option("--trusted", type=click.File("r"), help="A checkpoint (JSON) kept from earlier that must still hold.")
@pass_context
@refusals
def verify(context: Context, trusted) -> None:
    """Re-check every stored event against the hash chain and the signed checkpoints."""
    problems = context.app.audit.verify(json.load(trusted) if trusted else None)
    if problems:
        say(f"FAILED: {problems[0]}", err=True)
        sys.exit(1)
    checkpoints = context.app.audit.checkpoints()
    latest = f"; latest checkpoint at position {checkpoints[-1]['position']}" if checkpoints else ""
    say(f"OK: the history verifies{latest}.")


@audit.command()
@pass_context
@refusals
def checkpoint(context: Context) -> None:
    """Sign the history as it stands now; prints the checkpoint (keep it to check later exports)."""
    say(json.dumps(context.app.audit.checkpoint(), indent=2))


@audit.command()
@click.argument("file", type=click.File("x"))  # never over a file already there, as backups
@pass_context
@refusals
def export(context: Context, file) -> None:
    """Write the whole log, its hash chain and its checkpoints to FILE (JSON Lines)."""
    count = context.app.audit.export(file)
    say(f"Exported {count} events. Check it anywhere with: python3 projections/auditchain.py "
        f"{file.name} --public-key {context.app.audit.public_key()}", err=True)


@audit.command("public-key")
@pass_context
@refusals
def public_key(context: Context) -> None:
    """Print the public key checkpoints are signed with (base64 Ed25519)."""
    say(context.app.audit.public_key())


def sign_a_checkpoint(app: Coproduce) -> None:
    """An auditor has a checkpoint to keep from the start, not only an hour after the first write."""
    position = app.audit.checkpoint()["position"]
    say(f"Signed a checkpoint of the history at position {position}; more follow every hour.")
