"""Our own tables' schema: bringing any earlier store to this release's, one upgrader at a time.

The events' tables are eventsourcing's, and the read models are rebuilt rather than migrated
(projections/runner.py); everything else (keys, passwords, tokens, idempotency, positions,
checkpoints) is migrated by alembic, from the first release's tables (migrations/versions/).
See docs/decisions/0003-schema-migrations.md.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, MetaData, func, inspect, select

from projections import runner
from service.infra import audit, credentials, idempotency_store, keystore, outbox
from service.infra.store import Store, StoreConfigError

MIGRATIONS = Path(__file__).with_name("migrations")
LOCK_KEY = 0x436F70726F  # the advisory lock upgraders of one PostgreSQL store take turns at ("Copro")

Say = Callable[[str], None]


class StoreTooNew(StoreConfigError):
    """The store was upgraded by a later release than this one."""


class StoreBehind(StoreConfigError):
    """The store needs `coproduce upgrade` before this release may run on it."""


@dataclass(frozen=True)
class Upgraded:
    before: str | None  # the revision found (None: a new store, or one from before migrations)
    after: str
    new_store: bool = False  # its tables were made at once, at the head


def own_metadata() -> MetaData:
    """Every table of ours that migrations keep (a table added to one of these is migrated too)."""
    combined = MetaData()
    for metadata in (keystore.metadata, credentials.metadata, idempotency_store.metadata, audit.metadata,
                     runner.metadata, outbox.metadata):
        for table in metadata.tables.values():
            table.to_metadata(combined)
    return combined


def head() -> str:
    return _scripts().get_current_head()


def revision_of(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(store: Store, engine: Engine, say: Say = lambda _: None) -> Upgraded:
    """Bring the store's own tables to this release's schema: a new store gets them made at once,
    an earlier one its missing migrations; one at the head is left as it is."""
    with schema_turn(store, engine, say), engine.begin() as conn:
        before = revision_of(conn)
        if before == head():
            return Upgraded(before, before)
        config = _config(conn)
        if before is not None:
            _known(before)
            command.upgrade(config, "head")
        elif _has_own_tables(conn):  # made before migrations: by the first release, or a later one
            command.stamp(config, "0001")
            command.upgrade(config, "head")
        else:
            own_metadata().create_all(conn)
            command.stamp(config, "head")
            return Upgraded(None, head(), new_store=True)
        return Upgraded(before, head())


def require_current(engine: Engine) -> None:
    """Refuse to run on a store this release's code cannot use as it is (for processes that do
    not manage the schema: COPRODUCE_MANAGE_SCHEMA=no)."""
    with engine.connect() as conn:
        found = revision_of(conn)
    if found is None:
        raise StoreBehind("the store has no schema revision: run `coproduce upgrade` (or `coproduce init`) first")
    _known(found)
    if found != head():
        raise StoreBehind(f"the store's schema is at revision {found}, this release needs {head()}: "
                          "run `coproduce upgrade` first")


@contextlib.contextmanager
def schema_turn(store: Store, engine: Engine, say: Say = lambda _: None) -> Iterator[None]:
    """One upgrader (or read-model rebuilder) at a time: an advisory lock on PostgreSQL, so hosts
    take turns; an exclusive lock on a file beside a SQLite store. The second one waits, and says so."""
    if store.is_sqlite:
        database = Path(store.url.database)
        with open(database.with_name(database.name + ".schema"), "ab") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                say("Another process is upgrading this store; waiting for it to finish.")
                fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if not conn.execute(select(func.pg_try_advisory_lock(LOCK_KEY))).scalar():
            say("Another host is upgrading this store; waiting for it to finish.")
            conn.execute(select(func.pg_advisory_lock(LOCK_KEY)))
        try:
            yield
        finally:
            conn.execute(select(func.pg_advisory_unlock(LOCK_KEY)))


def _known(revision: str) -> None:
    try:
        _scripts().get_revision(revision)
    except CommandError:
        raise StoreTooNew(f"the store's schema is at revision {revision}, which this release does not know: "
                          "a later release upgraded it. Run that release or a later one.") from None


def _has_own_tables(conn: Connection) -> bool:
    return bool(set(inspect(conn).get_table_names()) & set(own_metadata().tables))


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes.update(connection=conn, metadata=own_metadata())
    return config
