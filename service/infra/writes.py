"""Turns at writing to a SQLite store, taken by every thread of every server process.

SQLite lets one connection write at a time. A connection that finds the file locked
sleeps and tries again (1, 2, 5, 10 … 100 ms), so under load most of a command's time
was spent asleep while the file was free. A writer waiting here (a thread lock, then an
advisory lock on a file beside the store) is woken the moment the turn is free. The turn
only spares that polling: processes that do not take it (the CLI, a backup) are still
kept apart by SQLite itself, as are processes forked after the turns were made.
"""

from __future__ import annotations

import contextlib
import fcntl
import threading
from collections.abc import Iterator
from pathlib import Path


class WriteTurns:
    """One at a time, among the threads and processes that take turns here: at writing (`what` =
    "writer"), or at another job done by one process at a time (the read models' catch-ups)."""

    def __init__(self, database: Path, what: str):
        self._thread = threading.Lock()
        self._file = open(database.with_name(f"{database.name}.{what}"), "ab")  # noqa: SIM115 - held open

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        with self._thread:
            fcntl.flock(self._file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._file, fcntl.LOCK_UN)

    def close(self) -> None:
        self._file.close()


class NoTurns:
    """For stores that take concurrent writers themselves (PostgreSQL)."""

    turn = contextlib.nullcontext

    def close(self) -> None:
        pass
