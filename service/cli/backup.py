"""`coproduce backup` and `coproduce restore` for the embedded store: operator steps on the store's
files, so they use its adapter (service/infra/backup.py) directly."""

from __future__ import annotations

from pathlib import Path

import click

from service.bootstrap import Settings, open_application
from service.cli.support import refusals, say
from service.infra import backup as backups


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@refusals
def backup(file: Path) -> None:
    """Operator: write a consistent copy of the store to FILE, while the service keeps running."""
    size = backups.backup(Settings.from_env().store(), file)
    say(f"Backed up to {file} ({size:,} bytes). Neither the signing key nor the key-encryption keys are "
        "in it: keep copies of them apart from the backups (a backup alone opens no one's words).")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite an existing store.")
@refusals
def restore(file: Path, replace: bool) -> None:
    """Operator: put the backup FILE in place as the store (stop the service first), check it and rebuild views."""
    store = Settings.from_env().store()
    backups.restore_verified(store, file, replace, open_application)  # refused: the store is left as it was
    app = open_application(store)
    try:
        applied = app.projections.rebuild()
    finally:
        app.close()
    say(f"Restored from {file}; the history verifies; read models rebuilt ({applied} applications).")
