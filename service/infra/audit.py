"""Signed checkpoints over the hash chain, verifying the store, and exports for auditors."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    inspect,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from projections import chain
from projections.auditchain import (
    EXPORT_FORMAT,
    GENESIS,
    Stored,
    checkpoint_message,
    signature_ok,
    stored_bytes,
    verify,
)
from projections.runner import Projections, Turn
from projections.times import now
from service.infra.store import StoreConfigError

metadata = MetaData()
checkpoints = Table(
    "audit_checkpoints", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("position", BigInteger, nullable=False),
    Column("chain_hash", String(64), nullable=False),
    Column("previous_position", BigInteger, nullable=False),
    Column("previous_chain_hash", String(64), nullable=False),
    Column("taken_at", String(40), nullable=False),
    Column("signature", String(100), nullable=False),
    UniqueConstraint("previous_position", name="one_checkpoint_extends_each"),  # two at once cannot fork
)

BATCH = 2000


def load_signing_key(path: Path, make: bool = True) -> Ed25519PrivateKey:
    """The Ed25519 key checkpoints are signed with; made (readable by its owner only) if missing
    (unless not to `make` it)."""
    if not path.exists() and make:
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise StoreConfigError(f"the signing key {path} (COPRODUCE_SIGNING_KEY) cannot be read: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise StoreConfigError(f"the signing key {path} (COPRODUCE_SIGNING_KEY) is not an Ed25519 private key")
    return key


def public_key_of(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def refuse_another_key(key_path: Path, public_key: str, latest: dict[str, Any] | None) -> None:
    """A process given another store's signing key would sign checkpoints that every later check
    fails against the store's own key (the history spoiled): refused at start, before it signs."""
    if latest is not None and not signature_ok(latest, public_key):
        raise StoreConfigError(
            f"the signing key {key_path} (COPRODUCE_SIGNING_KEY) did not sign this store's latest checkpoint "
            f"(at position {latest['position']}): it is not this store's key. Give every process the store's "
            "own key file; checkpoints signed with another would fail every later check")


def export_lines(public_key: str, events: Iterator[Stored], links: dict[int, tuple[str, str]],
                 signed: list[dict[str, Any]], last: int) -> Iterator[str]:
    """An export: a header, every event up to `last` with its chain hashes, the checkpoints."""
    yield json.dumps({"type": "header", "format": EXPORT_FORMAT, "public_key": public_key,
                      "exported_at": now().isoformat()}) + "\n"
    for event in events:
        if event.position > last:
            break
        event_hash, chain_hash = links.get(event.position, (None, None))
        yield json.dumps({"type": "event", "position": event.position, "originator_id": event.originator_id,
                          "version": event.version, "topic": event.topic,
                          "state": base64.b64encode(event.state).decode(), "event_hash": event_hash,
                          "chain_hash": chain_hash}) + "\n"
    for record in signed:
        yield json.dumps({"type": "checkpoint", **record}) + "\n"


def _checkpoints(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(checkpoints).order_by(checkpoints.c.id))
        return [{k: v for k, v in row._asdict().items() if k != "id"} for row in rows]


class Audit:
    """The tamper-evident side of the store."""

    def __init__(self, engine: Engine, recorder: Any, projections: Projections, key_path: Path,
                 interval_seconds: float, create_tables: Callable[[MetaData, Engine], None],
                 write_turn: Turn = contextlib.nullcontext):
        """`write_turn` (SQLite): the writers' turn, held to write a checkpoint and nothing else. The
        chain is caught up before it, outside it: that catch-up takes the same turn to write."""
        self.engine, self.recorder, self.projections = engine, recorder, projections
        self._write_turn = write_turn
        create_tables(metadata, engine)
        if not key_path.exists() and self.checkpoints():
            raise StoreConfigError(f"the signing key {key_path} is missing, but checkpoints signed with it exist: "
                                    "restore the key (COPRODUCE_SIGNING_KEY) rather than make a new one")
        self.key = load_signing_key(key_path)
        taken = self.checkpoints()
        refuse_another_key(key_path, self.public_key(), taken[-1] if taken else None)
        self.interval = interval_seconds
        self._next_due = time.monotonic() + interval_seconds

    def derived_key(self, purpose: bytes) -> bytes:
        """A secret of 32 bytes for one purpose, derived from the signing key: every server sharing the
        store and its key derives the same, and none of them leads back to the key."""
        raw = self.key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption())
        return HKDF(hashes.SHA256(), 32, salt=None, info=purpose).derive(raw)

    def public_key(self) -> str:
        return public_key_of(self.key)

    def checkpoints(self) -> list[dict[str, Any]]:
        return _checkpoints(self.engine)

    def checkpoint(self) -> dict[str, Any]:
        """Sign the chain's head (after chaining every recorded event), extending the last checkpoint."""
        self.projections.catch_up(["audit_chain"])
        try:
            return self._sign_head()
        except IntegrityError:  # another process took one at the same moment: extend theirs
            return self._sign_head()

    def _sign_head(self) -> dict[str, Any]:
        with self._write_turn(), self.engine.begin() as conn:
            position, head = chain.head(conn)
            last = conn.execute(select(checkpoints).order_by(checkpoints.c.id.desc()).limit(1)).first()
            if last is not None and last.position == position:
                return {k: v for k, v in last._asdict().items() if k != "id"}
            previous = (last.position, last.chain_hash) if last else (0, GENESIS.hex())
            taken_at = now().isoformat()
            message = checkpoint_message(position, head, previous[0], previous[1], taken_at)
            record = {"position": position, "chain_hash": head, "previous_position": previous[0],
                      "previous_chain_hash": previous[1], "taken_at": taken_at,
                      "signature": base64.b64encode(self.key.sign(message)).decode()}
            conn.execute(insert(checkpoints).values(**record))
        self._next_due = time.monotonic() + self.interval
        return record

    def checkpoint_if_due(self) -> None:
        if time.monotonic() >= self._next_due:
            self._next_due = time.monotonic() + self.interval
            self.checkpoint()

    def stored_events(self) -> Iterator[Stored]:
        """Every event exactly as stored, in log order."""
        position = 0
        while True:
            batch = self.recorder.select_notifications(position, BATCH, inclusive_of_start=False)
            if not batch:
                return
            for n in batch:
                yield Stored(n.id, str(n.originator_id), n.originator_version, n.topic, stored_bytes(n.state))
            position = batch[-1].id

    def verify(self, trusted: dict[str, Any] | None = None) -> list[str]:
        """Every problem with the store's history (first first); none means it verifies."""
        with self.engine.connect() as conn:
            links = chain.rows(conn)
        return verify(self.stored_events(), links, self.checkpoints(), self.public_key(), trusted)

    def export(self, out: IO[str]) -> int:
        """Write the log, its chain and every checkpoint as JSON Lines; returns the number of events."""
        lines = 0
        for line in self.export_lines():
            out.write(line)
            lines += 1
        return lines - 1 - len(self.checkpoints())

    def export_lines(self) -> Iterator[str]:
        """The export, line by line (a header, every event with its chain hashes, the checkpoints). It
        signs a checkpoint of the chain's head first and ends there, so that its last event is covered
        by a signature, as the offline verifier requires: events recorded since are left for the next."""
        last = self.checkpoint()["position"]
        with self.engine.connect() as conn:
            links = chain.rows(conn)
        yield from export_lines(self.public_key(), self.stored_events(), links, self.checkpoints(), last)


class History:
    """The history exactly as it is stored, read and never written: what an auditor's commands open
    (`coproduce audit verify`, `export`, `public-key`). Opening it migrates nothing, rebuilds no read
    model and makes nothing, not even the signing key; a store without the tables it reads is refused.
    The engine should be read-only (service/bootstrap.py `open_history`)."""

    NEEDED = ("audit_chain", "audit_checkpoints")

    def __init__(self, engine: Engine, events_table: str, position_column: str, key_path: Path):
        self.engine, self.key_path = engine, key_path
        self._events = text(f"SELECT {position_column} AS position, originator_id, originator_version, topic, state "
                            f"FROM {events_table} WHERE {position_column} > :after "
                            f"ORDER BY {position_column} LIMIT :batch")
        self._count_after = text(f"SELECT count(*) FROM {events_table} WHERE {position_column} > :after")
        found = set(inspect(engine).get_table_names())
        missing = [name for name in (events_table, *self.NEEDED) if name not in found]
        if missing:
            raise StoreConfigError(f"this store has no {missing[0]} table, so its history cannot be read as it is: "
                                   "run `coproduce upgrade` first (nothing was changed)")
        self.key = load_signing_key(key_path, make=False) if key_path.exists() else None

    def close(self) -> None:
        self.engine.dispose()

    def public_key(self) -> str:
        if self.key is None:
            raise StoreConfigError(f"the signing key {self.key_path} is missing (COPRODUCE_SIGNING_KEY): give the "
                                   "store's own key file (nothing was made)")
        return public_key_of(self.key)

    def checkpoints(self) -> list[dict[str, Any]]:
        return _checkpoints(self.engine)

    def stored_events(self) -> Iterator[Stored]:
        """Every event exactly as stored, in log order."""
        position = 0
        while True:
            with self.engine.connect() as conn:
                batch = conn.execute(self._events, {"after": position, "batch": BATCH}).all()
            if not batch:
                return
            for row in batch:
                yield Stored(row.position, str(row.originator_id), row.originator_version, row.topic,
                             stored_bytes(row.state))
            position = batch[-1].position

    def verify(self, trusted: dict[str, Any] | None = None) -> list[str]:
        """Every problem with the stored history (first first); none means it verifies. Without the
        signing key, a store with no checkpoints has its chain checked alone."""
        signed = self.checkpoints()
        public_key = self.public_key() if signed or trusted or self.key else None
        with self.engine.connect() as conn:
            links = chain.rows(conn)
        return verify(self.stored_events(), links, signed, public_key, trusted)

    def export(self, out: IO[str]) -> tuple[int, int, int]:
        """Write the log up to the latest checkpoint, its chain and every checkpoint as JSON Lines, taking
        no checkpoint (an auditor's command writes nothing). Returns the events written, the position
        of the checkpoint the export ends at, and how many events after it were left out."""
        signed = self.checkpoints()
        if not signed:
            raise StoreConfigError("the store has no signed checkpoint yet, and an export ends at one: run "
                                   "`coproduce audit checkpoint` first")
        last = signed[-1]["position"]
        with self.engine.connect() as conn:
            links = chain.rows(conn)
        written = 0
        for line in export_lines(self.public_key(), self.stored_events(), links, signed, last):
            out.write(line)
            written += 1
        with self.engine.connect() as conn:
            left_out = conn.execute(self._count_after, {"after": last}).scalar_one()
        return written - 1 - len(signed), last, left_out
