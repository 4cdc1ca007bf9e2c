"""`coproduce keys`: the key-encryption keys that wrap every person's key. Operator steps on the key
material and the key store, so they use its adapter (service/infra/custody.py) directly."""

from __future__ import annotations

import click

from service.bootstrap import key_custody
from service.cli.support import refusals, require_store, say
from service.infra.keyring import new_entry


@click.group()
def keys() -> None:
    """Operator: the key-encryption keys (COPRODUCE_KEY_FILE or COPRODUCE_KEY) that wrap person keys."""


@keys.command()
@refusals
def status() -> None:
    """How many person keys each key-encryption key wraps."""
    custody = key_custody(require_store())
    try:
        holdings = custody.status()
        if not custody.source.exists():
            say(f"{custody.source.where} is missing.")
    finally:
        custody.close()
    for holding in holdings:
        note = ("not wrapped yet: run `coproduce init`" if not holding.kek_id else
                "the newest: wraps new keys" if holding.newest else
                "" if holding.held else f"missing from {custody.source.where}: these keys cannot be opened")
        say(f"{holding.kek_id or '(plain)':<14} {holding.keys:>9,} person keys" + (f"  ({note})" if note else ""))


@keys.command()
@click.option("--batch", default=200, show_default=True, type=click.IntRange(1, 100_000),
              help="Person keys re-wrapped per transaction.")
@click.option("--pause", default=0.0, show_default=True, type=click.FloatRange(0, 60),
              help="Seconds to wait between batches, to go easy on a busy store.")
@refusals
def rotate(batch: int, pause: float) -> None:
    """Make a new key-encryption key and re-wrap every person key with it, while the service runs.

    If an earlier rotation was cut short (or a new key was added to COPRODUCE_KEY by hand), it is
    finished instead: run it again to rotate once more."""
    custody = key_custody(require_store())
    try:
        newest, done, made = custody.rotate(batch, pause)
    finally:
        custody.close()
    what = "Made key-encryption key" if made else "Finished the rotation to key-encryption key"
    say(f"{what} {newest}; {done:,} person keys re-wrapped with it. Older keys stay in "
        f"{custody.source.where} for backups made before now: see `coproduce keys status`, and "
        "`coproduce keys retire` once no backup you keep needs them.")


@keys.command()
@click.argument("kek_id")
@refusals
def retire(kek_id: str) -> None:
    """Take an older key-encryption key out of the key file, once it wraps no person key.

    Backups made before the rotation away from it still need it: keep a copy of the key file
    of that time with them (docs/operations.md)."""
    custody = key_custody(require_store())
    try:
        custody.retire(kek_id)
    finally:
        custody.close()
    say(f"Retired key-encryption key {kek_id}: it wrapped no person key, and {custody.source.where} no "
        "longer holds it. A backup made before the rotation away from it opens only with a copy of the "
        "key file of that time.")


@keys.command()
def new() -> None:
    """Print a new key-encryption key, to add last to COPRODUCE_KEY (or to every host's key file)."""
    say(new_entry())
