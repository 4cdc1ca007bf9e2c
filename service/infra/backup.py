"""Backups of the embedded store, consistent while the service runs (SQLite's online backup API).

On PostgreSQL, use the database's own tools (see docs/operations.md): pg_dump takes a
consistent snapshot while the service runs, and pg_restore brings it back.

A restore replaces nothing until the file has shown itself a Coproduce backup: an SQLite
database, undamaged, holding the event store with events, whose copy opens with the
key-encryption keys and whose history verifies. An empty or cut-short file (a failed copy,
a full disk) would otherwise replace the whole store with nothing, and verify.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Any

from service.infra.keyring import KeyCustodyError
from service.infra.store import Store, StoreConfigError
from service.infra.writes import StoreInUse, alone

PAGES_PER_STEP = 1024  # copy in steps so writers are never held up for long
EVENTS_TABLE = "stored_events"  # eventsourcing.sqlite's one table of events, whatever the application


def _require_sqlite(store: Store) -> Path:
    if not store.is_sqlite:
        raise StoreConfigError("coproduce backup and restore work on the embedded SQLite store; on PostgreSQL "
                               "use pg_dump and pg_restore (see docs/operations.md)")
    return Path(store.url.database)


def backup(store: Store, destination: Path) -> int:
    """Copy the live store to `destination` (a new file); returns its size in bytes."""
    source = _require_sqlite(store)
    if not source.exists():
        raise StoreConfigError(f"there is no store at {source} to back up (check COPRODUCE_DATABASE_URL)")
    if destination.exists():
        raise StoreConfigError(f"{destination} already exists; choose a new file for the backup")
    destination.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(destination)) as copy:
        live.backup(copy, pages=PAGES_PER_STEP)
    _settle(destination)
    return destination.stat().st_size


def restore(store: Store, backup_file: Path, replace: bool = False) -> None:
    """Put a backup in place as the store (the service must be stopped while this runs), once a copy
    of it beside the store shows it a Coproduce backup; a refused file leaves the store untouched."""
    target = _require_sqlite(store)
    _may_replace(target, replace)
    with _staging(target) as staging:
        _copy_checked(backup_file, staging)
        _replace(staging, target)


def restore_verified(store: Store, backup_file: Path, replace: bool, open_app: Callable[[Store], Any]) -> int:
    """`restore`, replacing the store only once the copy also opens (`open_app`; closed here) with the
    key-encryption keys and its history verifies; returns how many events the backup holds."""
    target = _require_sqlite(store)
    _may_replace(target, replace)
    with _staging(target) as staging:
        events = _copy_checked(backup_file, staging)
        _verify_copy(Store.parse(f"sqlite:///{staging}"), backup_file, open_app)
        _replace(staging, target)
    return events


def _may_replace(target: Path, replace: bool) -> None:
    if target.exists() and not replace:
        raise StoreConfigError(f"{target} already exists; pass --replace to overwrite it with the backup")


@contextmanager
def _staging(target: Path) -> Iterator[Path]:
    """Where a backup is copied and checked, beside the store and apart from it: removed afterwards,
    and, if the restore is refused, so is every folder made for the store that did not exist before."""
    missing = [folder for folder in (target.parent, *target.parent.parents) if not folder.exists()]
    staging = target.with_suffix(".restoring.db")
    try:
        yield staging
    except BaseException:
        _remove(staging)
        for folder in missing:  # the deepest first; one something else has since put a file in stays
            with suppress(OSError):
                folder.rmdir()
        raise
    _remove(staging)


def _remove(staging: Path) -> None:
    for leftover in staging.parent.glob(staging.name + "*"):
        leftover.unlink()


def _copy_checked(backup_file: Path, copy: Path) -> int:
    """Copy the backup to `copy` and refuse it unless it is a Coproduce backup: an SQLite database,
    undamaged, holding the event store and events (checked on the copy: exactly what is restored,
    its write-ahead log included). Returns how many events it holds."""
    if not backup_file.is_file():
        raise StoreConfigError(f"no backup at {backup_file}")
    if backup_file.stat().st_size == 0:
        raise StoreConfigError(f"{backup_file} is empty (0 bytes), not a Coproduce backup")
    try:
        _put_in_place(backup_file, copy)
        with closing(_read_only(copy)) as saved:
            return _events_in(saved, backup_file)
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise StoreConfigError(f"{backup_file} is not a database, not a Coproduce backup") from None
        raise StoreConfigError(f"{backup_file} is a damaged database ({error}); a copy cut short?") from None


def _read_only(path: Path) -> sqlite3.Connection:
    """The settled copy, for reading only (immutable: nothing is written beside it)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def _events_in(saved: sqlite3.Connection, backup_file: Path) -> int:
    damage = [row[0] for row in saved.execute("PRAGMA quick_check")]
    if damage != ["ok"]:
        raise StoreConfigError(f"{backup_file} is a damaged database ({damage[0]}); a copy cut short?")
    if not saved.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (EVENTS_TABLE,)).fetchone():
        raise StoreConfigError(f"{backup_file} holds no Coproduce event store (no {EVENTS_TABLE} table)")
    events = saved.execute(f"SELECT count(*) FROM {EVENTS_TABLE}").fetchone()[0]
    if not events:
        raise StoreConfigError(f"{backup_file} holds no Coproduce events")
    return events


def _verify_copy(copy: Store, backup_file: Path, open_app: Callable[[Store], Any]) -> None:
    try:
        app = open_app(copy)
    except KeyCustodyError as error:
        raise KeyCustodyError(f"the backup's person keys cannot be opened: {error}. A restore needs the "
                              "key file of the store the backup was made from (COPRODUCE_KEY_FILE)") from None
    except StoreConfigError as error:  # the signing key of the backup's checkpoints is not where it is looked for
        raise StoreConfigError(f"{backup_file} cannot be checked: {error}") from None
    try:
        check_restored(app)
    except StoreConfigError as error:
        raise StoreConfigError(f"{backup_file}: {error}") from None
    finally:
        app.close()


def _replace(staging: Path, target: Path) -> None:
    """The checked copy put in place as the store, which nothing may have open meanwhile."""
    try:
        with alone(target):
            _put_in_place(staging, target)
    except StoreInUse as in_use:
        raise StoreConfigError(f"{in_use}; nothing was replaced") from None


def _put_in_place(source: Path, target: Path) -> None:
    """Replace the SQLite file `target` (and its -wal, -shm) by a settled copy of `source`."""
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as saved, closing(sqlite3.connect(target)) as live:
        saved.backup(live)
    _settle(target)


def check_restored(app: Any) -> int:
    """After a restore: chain the events recorded just before the backup (the chain follows each
    commit by a moment), verify the whole history, rebuild the read models. Returns applications."""
    app.projections.catch_up(["audit_chain"])
    problems = app.audit.verify()
    if problems:
        raise StoreConfigError(f"the restored history does not verify: {problems[0]}")
    return app.projections.rebuild()


def _settle(path: Path) -> None:
    """Leave one self-contained file: fold the write-ahead log into it."""
    with closing(sqlite3.connect(path)) as conn:  # closed at once: the last connection removes the -wal file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
