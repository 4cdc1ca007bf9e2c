"""PostgreSQL connections for the event store that fail at once when the database is away.

The event store library borrows connections from psycopg's pool, which waits up to 30 s for
one and, while the database is away, reconnects with a back-off that doubles to minutes; the
library then tries each call ten times. With the database stopped every server thread was held
for about a minute, and after its return writes stayed refused for up to half a minute. Here a
connection is made when one is needed (within `CONNECT_SECONDS`), kept for reuse while it works,
and all idle ones are dropped at the first sign that the database went away; each call is tried
twice at most. So a request learns within a couple of seconds that the database is away, and
the first request after its return gets a new connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing import persistence as library
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.utils import retry
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row

CONNECT_SECONDS = 2  # libpq's shortest connect timeout
STATEMENT_MS = 5000  # no statement of ours takes this long; one that does is not waited for
LOCK_SECONDS = 5

# psycopg's errors as the library's own, as its datastore translates them (most specific first).
TRANSLATED = ((psycopg.InterfaceError, library.InterfaceError), (psycopg.OperationalError, library.OperationalError),
              (psycopg.DataError, library.DataError), (psycopg.IntegrityError, library.IntegrityError),
              (psycopg.InternalError, library.InternalError), (psycopg.ProgrammingError, library.ProgrammingError),
              (psycopg.NotSupportedError, library.NotSupportedError), (psycopg.DatabaseError, library.DatabaseError),
              (psycopg.Error, library.PersistenceError))
GONE = (library.InterfaceError, library.OperationalError)


def tried_twice(method: Callable) -> Callable:
    """`method` (unwrapped from the library's ten tries) tried at most twice, 50 ms apart: a
    connection the database dropped fails once, a new one works; if it fails too, the database is
    away and the caller must hear so at once."""
    return retry(GONE, max_attempts=2, wait=0.05)(getattr(method, "__wrapped__", method))


class FailingFast(PostgresDatastore):
    """The library's datastore, with connections of our own instead of its pool."""

    def __init__(self, library_datastore: PostgresDatastore):
        vars(self).update(vars(library_datastore))  # its settings and statements; its pool is never opened
        self._connect = {**library_datastore.pool.kwargs, "connect_timeout": CONNECT_SECONDS, "autocommit": True,
                         "options": f"-c statement_timeout={STATEMENT_MS}", "row_factory": dict_row}
        self._configure = library_datastore.after_connect_func()
        self._keep = library_datastore.pool.max_size
        self._idle: list[psycopg.Connection] = []
        self._guard = threading.Lock()

    def _borrow(self) -> psycopg.Connection:
        with self._guard:
            if self._idle:
                return self._idle.pop()
        connection = psycopg.connect(**self._connect)
        self._configure(connection)
        return connection

    def _give_back(self, connection: psycopg.Connection, failed: bool) -> None:
        if failed:  # the database may have gone away: every idle connection is suspect
            with self._guard:
                suspects, self._idle = self._idle, []
            for each in (connection, *suspects):
                each.close()
            return
        if not connection.closed and connection.info.transaction_status == TransactionStatus.IDLE:
            with self._guard:
                if len(self._idle) < self._keep:
                    self._idle.append(connection)
                    return
        connection.close()

    @contextmanager
    def get_connection(self) -> Iterator[psycopg.Connection[Any]]:
        connection, failed = None, False
        try:
            connection = self._borrow()
            yield connection
        except psycopg.Error as error:
            failed = isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)
            raise _translated(error) from error
        finally:
            if connection is not None:
                self._give_back(connection, failed or connection.broken)

    def close(self) -> None:
        with self._guard:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


def _translated(error: psycopg.Error) -> library.PersistenceError:
    return next(ours(str(error)) for theirs, ours in TRANSLATED if isinstance(error, theirs))
