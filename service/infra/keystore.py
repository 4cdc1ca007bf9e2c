"""Per-person encryption keys, kept apart from the events they unlock, and wrapped.

Forgetting a person is deleting their key (crypto-shredding): every piece of their
personal content in the event log becomes unreadable, while the log itself is untouched.
Each key is stored wrapped by a key-encryption key that never enters the database
(service/infra/keyring.py), so a copy of the database alone opens no one's words.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from uuid import UUID

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from service.infra.keyring import Keyring, KeyCustodyError, KeySource
from service.infra.store import for_single_reads

metadata = MetaData()

PLAIN = ""  # `wrapped_by` of a key stored plain by a release before key-encryption keys

person_keys = Table(
    "person_keys", metadata,
    Column("person_id", String(32), primary_key=True),
    Column("key", LargeBinary, nullable=False),  # wrapped: nonce + AES-GCM of the key, the person id bound in
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("wrapped_by", String(40), nullable=False, server_default=PLAIN),  # the key-encryption key's id
)

KEY_BYTES = 32  # AES-256
SEALING_KEYS_HELD = 10_000  # keys this process seals with, remembered (see `KeyStore.key_for_writing`)
KEY_OF = (select(person_keys.c.key, person_keys.c.wrapped_by)
          .where(person_keys.c.person_id == bindparam("person_id")))  # built once, as LIVE_TOKEN
NOT_UPGRADED = ("this store's person keys are not wrapped yet (it was made by a release before "
                "key-encryption keys): run `coproduce init` once to wrap them")


class KeyStore:
    """Holds one AES key per person, wrapped; a deleted key is gone for good."""

    def __init__(self, engine: Engine, create_tables: Callable[[MetaData, Engine], None], source: KeySource,
                 may_create_key_file: bool = True):
        """Refuses (KeyCustodyError) unless `source` opens every key in the store, so that a process
        with a wrong or missing key file never serves. With no wrapped key yet and no key file, the
        file is made if `may_create_key_file`."""
        self.engine, self.source, self._reads = engine, source, for_single_reads(engine)
        self._sealing: dict[UUID, bytes] = {}
        self._sealing_lock = threading.Lock()
        create_tables(metadata, engine)
        holding = key_counts(engine)
        if PLAIN in holding:
            raise KeyCustodyError(NOT_UPGRADED)
        if not source.exists():
            if holding:
                raise KeyCustodyError(
                    f"{source.where} is missing, but {sum(n for n, _ in holding.values()):,} person keys in this "
                    "store are wrapped by a key-encryption key: put the store's key file back (COPRODUCE_KEY_FILE) "
                    "or give its keys in COPRODUCE_KEY; a new key file would open nothing")
            if not may_create_key_file:
                raise KeyCustodyError(f"{source.where} is missing: `coproduce init` makes it; give every process "
                                      "a copy (COPRODUCE_KEY_FILE) or its keys in COPRODUCE_KEY")
            source.create()
        for _, sample in holding.values():  # one key per key-encryption key: the right ids and the right bytes
            self.key_for(UUID(hex=sample))

    def key_for(self, person_id: UUID) -> bytes | None:
        """The person's key, or None once they have been forgotten (or never had one)."""
        with self._reads.connect() as conn:
            row = conn.execute(KEY_OF, {"person_id": person_id.hex}).first()
        if row is None:
            return None
        keyring = self.source.keyring()
        if row.wrapped_by not in keyring.keks:  # a rotation by another process added a key-encryption key
            keyring = self.source.refreshed()
        return keyring.unwrap(person_id, row.wrapped_by, bytes(row.key))

    def key_for_writing(self, person_id: UUID) -> bytes:
        """The person's key, made on first use and wrapped by the newest key-encryption key.

        Remembered by this process for the next seal (up to SEALING_KEYS_HELD people): a command
        then seals without a round trip to the database. Only sealing: opening asks the database
        every time, so a forgotten person's words close on every door at once. A key destroyed by
        another process may still seal here afterwards; what it seals, nobody can open, which is
        what forgetting asks for (and no new input is taken for a forgotten person: the rule is
        checked before sealing). A key destroyed here is let go at once."""
        key = self._sealing.get(person_id)
        if key is None:
            key = self._key_made_if_missing(person_id)
            if key is None:  # destroyed as it was made: nothing to remember
                raise KeyError(f"the key of {person_id} was destroyed as it was made")
            with self._sealing_lock:
                if len(self._sealing) >= SEALING_KEYS_HELD:
                    del self._sealing[next(iter(self._sealing))]  # the longest held
                self._sealing[person_id] = key
        return key

    def _key_made_if_missing(self, person_id: UUID) -> bytes | None:
        existing = self.key_for(person_id)
        if existing is not None:
            return existing
        kek_id, wrapped = self.source.refreshed().wrap(person_id, os.urandom(KEY_BYTES))
        with contextlib.suppress(IntegrityError), self.engine.begin() as conn:  # made by another: use theirs
            conn.execute(insert(person_keys).values(person_id=person_id.hex, key=wrapped, wrapped_by=kek_id,
                                                    created_at=datetime.now(timezone.utc)))
        keyring = self.source.refreshed()
        if keyring.newest != kek_id:  # a rotation began meanwhile, and may have passed this key by
            with self.engine.begin() as conn:
                _rewrap_one(conn, keyring, person_id.hex, wrapped, kek_id)
        return self.key_for(person_id)

    def destroy(self, person_id: UUID) -> bool:
        """Delete the person's key; True if there was one."""
        with self._sealing_lock:
            self._sealing.pop(person_id, None)
        with self.engine.begin() as conn:
            result = conn.execute(delete(person_keys).where(person_keys.c.person_id == person_id.hex))
        return result.rowcount > 0


def key_counts(engine: Engine) -> dict[str, tuple[int, str]]:
    """Per key-encryption key id (PLAIN for keys not wrapped yet): how many person keys it wraps,
    and one of them."""
    schema = inspect(engine)
    if not schema.has_table("person_keys"):
        return {}
    if "wrapped_by" not in {c["name"] for c in schema.get_columns("person_keys")}:
        with engine.connect() as conn:
            found = conn.execute(select(func.count(), func.min(person_keys.c.person_id))).one()
        return {PLAIN: (found[0], found[1])} if found[0] else {}
    query = select(person_keys.c.wrapped_by, func.count(), func.min(person_keys.c.person_id)).group_by(
        person_keys.c.wrapped_by)
    with engine.connect() as conn:
        return {kek_id: (count, sample) for kek_id, count, sample in conn.execute(query)}


def rewrap(engine: Engine, keyring: Keyring, batch: int = 200, pause: float = 0.0) -> Iterator[int]:
    """Wrap every person key not yet wrapped by the keyring's newest key-encryption key with it
    (plain keys too), `batch` keys per transaction; yields how many each batch changed.

    Safe while the service runs and to stop at any moment: each key is changed only if it is still
    as read (a forget deleting it, or another rewrap, wins), and what is done stays done."""
    pending = (select(person_keys.c.person_id, person_keys.c.key, person_keys.c.wrapped_by)
               .where(person_keys.c.wrapped_by != keyring.newest).order_by(person_keys.c.person_id).limit(batch))
    after = ""
    while True:
        with engine.begin() as conn:
            rows = conn.execute(pending.where(person_keys.c.person_id > after)).all()
            if not rows:
                return
            changed = sum(_rewrap_one(conn, keyring, *row) for row in rows)
            after = rows[-1].person_id
        yield changed
        time.sleep(pause)


def _rewrap_one(conn: Connection, keyring: Keyring, person_hex: str, key: bytes, wrapped_by: str) -> int:
    """Wrap one person key (as read: `key`, wrapped by `wrapped_by`) with the newest key-encryption
    key, unless it changed since it was read; 1 if it was changed here."""
    person_id, key = UUID(hex=person_hex), bytes(key)
    plain = key if wrapped_by == PLAIN else keyring.unwrap(person_id, wrapped_by, key)
    newest, wrapped = keyring.wrap(person_id, plain)
    return conn.execute(update(person_keys).where(and_(
        person_keys.c.person_id == person_hex, person_keys.c.wrapped_by == wrapped_by, person_keys.c.key == key))
        .values(key=wrapped, wrapped_by=newest)).rowcount


def scrub_old_wrappings(engine: Engine) -> None:
    """Make the bytes a rewrap replaced (plain keys, or keys wrapped by a key-encryption key being
    retired) go from the database's files: SQLite overwrites them (secure_delete) and the write-ahead
    log is emptied; PostgreSQL rewrites the table."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM FULL person_keys")
