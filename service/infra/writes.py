"""Turns at writing to a SQLite store, taken by every thread of every server process.

SQLite lets one connection write at a time. A connection that finds the file locked
sleeps and tries again (1, 2, 5, 10 … 100 ms), so under load most of a command's time
was spent asleep while the file was free. A writer waiting here (a thread lock, then an
advisory lock on a file beside the store) is woken the moment the turn is free. The turn
only spares that polling: processes that do not take it (the CLI, a backup) are still
kept apart by SQLite itself. A process forked after the turns were made (a share of a rebuild)
takes them on a lock file opened anew: a lock of `flock` belongs to the open file, which a
fork shares, so on the parent's the two would each hold the turn at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path


class StoreInUse(Exception):
    """The store is open in another process (a server, a worker, a command): it cannot be replaced now."""


def _in_use_file(database: Path) -> Path:
    return database.with_name(f"{database.name}.in-use")


class InUse:
    """Held, shared, by every application open on a SQLite store, from its opening to its closing
    (forked processes share it), so that a restore can tell whether anything has the store open."""

    def __init__(self, database: Path):
        self._file = open(_in_use_file(database), "ab")  # noqa: SIM115 - held open, and with it the lock
        fcntl.flock(self._file, fcntl.LOCK_SH)

    def close(self) -> None:
        self._file.close()  # lets the lock go


@contextlib.contextmanager
def alone(database: Path) -> Iterator[None]:
    """Held while the store's files are replaced; refused at once while any application has it open:
    one running on a file replaced under it would go on writing to the old one, and lose it all."""
    with open(_in_use_file(database), "ab") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreInUse(f"{database} is open in another process (the service, a projection worker or a "
                             "command): stop them first") from None
        yield


class WriteTurns:
    """One at a time, among the threads and processes that take turns here: at writing (`what` =
    "writer"), or at another job done by one process at a time (the read models' catch-ups)."""

    def __init__(self, database: Path, what: str):
        self._path = database.with_name(f"{database.name}.{what}")
        self._opened()
        self._in_use = InUse(database)  # whoever takes turns at a store has it open

    def _opened(self) -> None:
        self._pid, self._thread = os.getpid(), threading.Lock()
        self._file = open(self._path, "ab")  # noqa: SIM115 - held open

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        if self._pid != os.getpid():  # forked: the parent's file (and its lock) stay the parent's
            self._opened()
        with self._thread:
            fcntl.flock(self._file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._file, fcntl.LOCK_UN)

    def close(self) -> None:
        self._file.close()
        self._in_use.close()


class NoTurns:
    """For stores that take concurrent writers themselves (PostgreSQL)."""

    turn = contextlib.nullcontext

    def close(self) -> None:
        pass
