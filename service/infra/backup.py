"""Backups of the embedded store, consistent while the service runs (SQLite's online backup API).

On PostgreSQL, use the database's own tools (see docs/operations.md): pg_dump takes a
consistent snapshot while the service runs, and pg_restore brings it back.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from service.infra.store import Store, StoreConfigError

PAGES_PER_STEP = 1024  # copy in steps so writers are never held up for long


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
    with sqlite3.connect(source) as live, sqlite3.connect(destination) as copy:
        live.backup(copy, pages=PAGES_PER_STEP)
    _settle(destination)
    return destination.stat().st_size


def restore(store: Store, backup_file: Path, replace: bool = False) -> None:
    """Put a backup in place as the store (the service must be stopped while this runs)."""
    target = _require_sqlite(store)
    if not backup_file.exists():
        raise StoreConfigError(f"no backup at {backup_file}")
    if target.exists() and not replace:
        raise StoreConfigError(f"{target} already exists; pass --replace to overwrite it with the backup")
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(backup_file) as saved, sqlite3.connect(target) as live:
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
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
