"""Where Coproduce keeps its data: one database URL (COPRODUCE_DATABASE_URL, read by the composition root).

Events go through eventsourcing's own SQLite or PostgreSQL recorder; our own tables
(the per-person key store, later the read models) go through SQLAlchemy on the
same database. See docs/decisions/0001-event-store.md.
"""

from __future__ import annotations

import errno
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError, PersistenceError
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from service.infra.failing_fast import CONNECT_SECONDS, LOCK_SECONDS

DEFAULT_URL = "sqlite:///var/coproduce.db"
IDLE_BEFORE_PING = 1.0  # seconds a pooled PostgreSQL connection may sit unused before it is checked


class StoreConfigError(ValueError):
    """COPRODUCE_DATABASE_URL is missing a part or names a store we do not support."""


@dataclass(frozen=True)
class Store:
    """A parsed database URL, able to configure both the event store and SQLAlchemy."""

    url: URL
    manage_schema: bool = True  # False: this process never creates tables (`coproduce init` does, once)

    @classmethod
    def parse(cls, text: str, manage_schema: bool = True) -> Store:
        try:
            url = make_url(text)
            url.port  # noqa: B018  (read as a number: a port that is not one is refused here)
        except ArgumentError as error:
            raise StoreConfigError(f"COPRODUCE_DATABASE_URL is not a database URL: {text!r}") from error
        except ValueError:  # not echoed: the URL may hold a password
            raise StoreConfigError("COPRODUCE_DATABASE_URL must have a port that is a number, such as "
                                   "postgresql+psycopg://user@host:5432/coproduce") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise StoreConfigError(
                "COPRODUCE_DATABASE_URL must start with sqlite:/// or postgresql+psycopg://"
            )
        if url.get_backend_name() == "sqlite" and not url.database:
            raise StoreConfigError("COPRODUCE_DATABASE_URL needs a file: sqlite:///path/to/file.db")
        if url.get_backend_name() == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return cls(url, manage_schema)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment eventsourcing's own recorders read."""
        create = {"CREATE_TABLE": "y" if self.manage_schema else "n"}
        if self.is_sqlite:
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                    "APPLICATION_RECORDER_TOPIC": "service.infra.event_recorders:SQLiteEventRecorder",
                    "SQLITE_DBNAME": self.url.database, "SQLITE_LOCK_TIMEOUT": "10", **create}
        env = {**create, "PERSISTENCE_MODULE": "service.infra.event_recorders:Factory",
               "POSTGRES_LOCK_TIMEOUT": str(LOCK_SECONDS),
               "POSTGRES_DBNAME": self.url.database or "postgres",
               "POSTGRES_HOST": self.url.host or "127.0.0.1",
               "POSTGRES_PORT": str(self.url.port or 5432),
               "POSTGRES_USER": self.url.username or "postgres",
               "POSTGRES_PASSWORD": self.url.password or ""}
        return env

    def engine(self) -> Engine:
        """A SQLAlchemy engine for our own tables on the same database."""
        if not self.is_sqlite:  # fail fast when the database is away, as the event store's connections do (no
            # statement timeout here: migrations and rebuilds of read models run long statements on this engine)
            engine = create_engine(self.url, pool_timeout=CONNECT_SECONDS,
                                   connect_args={"connect_timeout": CONNECT_SECONDS})
            event.listen(engine, "checkin", _idle_from_now)
            event.listen(engine, "checkout", _pinged_if_idle)
            return engine
        Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)  # var/ on a fresh clone
        engine = create_engine(self.url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    def deliveries_engine(self) -> Engine:
        """The engine for `message_deliveries`: on SQLite, commits that survive the process being killed
        but not the machine losing power (WAL with synchronous=NORMAL), a tenth of the cost of a full
        sync. A delivery row lost so would send a message again, never lose one: what is due comes from
        the event log, which keeps full syncs."""
        engine = self.engine()
        if self.is_sqlite:
            event.listen(engine, "connect", _sync_normal)
        return engine

    def create_tables(self, metadata: MetaData, engine: Engine) -> None:
        """Create our tables if missing, and the indexes added since a table was made (unless this
        process does not manage the schema); another process creating them at once is fine."""
        if self.manage_schema:
            create_tables(metadata, engine)

    def scrub_deleted(self, engine: Engine) -> None:
        """Make deleted bytes (a destroyed key) go from the files: the WAL on SQLite, dead rows on PostgreSQL."""
        if self.is_sqlite:
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM person_keys")


def create_tables(metadata: MetaData, engine: Engine) -> None:
    """Create our tables if missing, and the indexes added since a table was made; another
    process creating them at the same moment is fine."""
    for attempt in range(3):
        try:
            metadata.create_all(engine)
            for table in metadata.sorted_tables:
                for index in table.indexes:
                    index.create(engine, checkfirst=True)
            return
        except DBAPIError:
            if attempt == 2:
                raise
            time.sleep(0.1)


AWAY, FULL, REFUSED = "away", "full", "refused"
FULL_WORDS = ("database or disk is full", "could not extend file", "No space left on device")
RECENT_SECONDS = 30.0  # /readyz says "not ready" this long after a write found the disk full


class Faults:
    """When a write last found the store's disk full, in this process: something /readyz can tell
    without writing anything itself."""

    def __init__(self) -> None:
        self.full_at: float | None = None

    def note(self, kind: str | None) -> None:
        if kind == FULL:
            self.full_at = time.monotonic()

    def recently_full(self) -> bool:
        return self.full_at is not None and time.monotonic() - self.full_at < RECENT_SECONDS


FAULTS = Faults()


def store_fault(error: BaseException) -> str | None:
    """What `error` says about the store, when it cannot be used just now (as opposed to a fault in
    what was asked of it, such as a missing table): AWAY (not reached, or no answer in time), FULL
    (its disk is full) or REFUSED (this role's privileges were taken away). None otherwise."""
    if isinstance(error, DBAPIError):
        return AWAY if error.connection_invalidated else _fault(error.orig)
    if isinstance(error, PersistenceError):  # the event store's, wrapping the driver's
        if error.__cause__ is None:
            return AWAY if isinstance(error, InterfaceError | OperationalError) else _fault(error)
        return _fault(error.__cause__)
    return AWAY if isinstance(error, PoolTimeout) else _fault(error)


def unreachable(error: BaseException) -> bool:
    """Whether the store cannot be used just now (see `store_fault`): the answer is 503, "try again
    shortly". A full disk is noted, for /readyz (`FAULTS`)."""
    kind = store_fault(error)
    FAULTS.note(kind)
    return kind is not None


def _fault(error: BaseException | None) -> str | None:
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:  # a file of ours (a backup, a restore)
        return FULL
    if isinstance(error, sqlite3.OperationalError):  # a busy, missing or full file, not a missing table
        if "database or disk is full" in str(error):
            return FULL
        return AWAY if any(words in str(error) for words in ("locked", "unable to open", "disk I/O")) else None
    if isinstance(error, psycopg.errors.DiskFull) or (
            isinstance(error, psycopg.Error) and any(words in str(error) for words in FULL_WORDS)):
        return FULL
    if isinstance(error, psycopg.errors.InsufficientPrivilege):
        return REFUSED
    if isinstance(error, PersistenceError) and any(words in str(error) for words in FULL_WORDS):
        return FULL  # the event store's, with the driver's message only
    return AWAY if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError) else None


def _idle_from_now(_connection, record) -> None:
    record.info["idle_since"] = time.monotonic()


def _pinged_if_idle(connection, record, _proxy) -> None:
    """A pooled connection that sat idle for IDLE_BEFORE_PING seconds or more is asked whether it
    is still alive before it is used, and replaced if not (the database restarted meanwhile). A
    connection in steady use is not: a ping on every checkout was a round trip in every request.
    A connection that dies in use fails that use, and the pool then replaces every connection it
    held before."""
    if time.monotonic() - record.info.get("idle_since", time.monotonic()) < IDLE_BEFORE_PING:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        connection.rollback()
    except psycopg.Error as error:
        raise DisconnectionError(str(error)) from error


def _sync_normal(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def for_single_reads(engine: Engine) -> Engine:
    """The engine for reads of one statement, such as a request's sign-in and a person's key: on
    PostgreSQL without a transaction, so that such a read is one round trip instead of three (the
    BEGIN psycopg sends first, the query, and the ROLLBACK when the connection goes back to the
    pool). SQLite opens no transaction for a read anyway."""
    return engine.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql" else engine
