"""`coproduce audit`: check the history has not been rewritten, sign checkpoints, export for auditors."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator

import click

from service.app.coproduce import Coproduce
from service.bootstrap import open_history
from service.cli.support import Context, opened, pass_context, refusals, require_store, say
from service.infra.audit import History


@click.group()
def audit() -> None:
    """Operator: the tamper-evident history: verify, checkpoint, export."""


@contextlib.contextmanager
def stored_history() -> Iterator[History]:
    """The history as stored, opened read-only: an auditor's commands migrate nothing, rebuild no
    read model and make nothing (not the store, not its keys); a store too old to read is refused."""
    settings = require_store()
    history = opened(lambda: open_history(settings))
    try:
        yield history
    finally:
        history.close()


@audit.command()
@click.option("--trusted", type=click.File("r"), help="A checkpoint (JSON) kept from earlier that must still hold.")
@refusals
def verify(trusted) -> None:
    """Re-check every stored event against the hash chain and the signed checkpoints (changes nothing)."""
    with stored_history() as history:
        problems = history.verify(json.load(trusted) if trusted else None)
        checkpoints = history.checkpoints()
    if problems:
        say(f"FAILED: {problems[0]}", err=True)
        sys.exit(1)
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
@refusals
def export(file) -> None:
    """Write the log up to its latest checkpoint, its hash chain and its checkpoints to FILE (JSON Lines).
    Takes no checkpoint: run `coproduce audit checkpoint` first to include the newest events."""
    try:
        with stored_history() as history:
            count, last, left_out = history.export(file)
            key = history.public_key()
    except BaseException:
        file.close()
        with contextlib.suppress(OSError):  # made empty by the refused export: not left behind
            if os.path.getsize(file.name) == 0:
                os.unlink(file.name)
        raise
    say(f"Exported {count} events, up to the latest checkpoint (at position {last}). Check it anywhere with: "
        f"python3 projections/auditchain.py {file.name} --public-key {key}", err=True)
    if left_out:
        say(f"{left_out} events recorded after that checkpoint are not in it: run `coproduce audit checkpoint` "
            "first to include them.", err=True)


@audit.command("public-key")
@refusals
def public_key() -> None:
    """Print the public key checkpoints are signed with (base64 Ed25519)."""
    with stored_history() as history:
        say(history.public_key())


def sign_a_checkpoint(app: Coproduce) -> None:
    """An auditor has a checkpoint to keep from the start, not only an hour after the first write."""
    position = app.audit.checkpoint()["position"]
    say(f"Signed a checkpoint of the history at position {position}; more follow every hour.")
