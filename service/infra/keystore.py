"""Per-person encryption keys, kept apart from the events they unlock.

Forgetting a person is deleting their key (crypto-shredding): every piece of their
personal content in the event log becomes unreadable, while the log itself is untouched.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from datetime import datetime, timezone
from uuid import UUID

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

metadata = MetaData()

person_keys = Table(
    "person_keys", metadata,
    Column("person_id", String(32), primary_key=True),
    Column("key", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

KEY_BYTES = 32  # AES-256
KEY_OF = select(person_keys.c.key).where(person_keys.c.person_id == bindparam("person_id"))  # built once, as LIVE_TOKEN


class KeyStore:
    """Holds one AES key per person; a deleted key is gone for good."""

    def __init__(self, engine: Engine, create_tables: Callable[[MetaData, Engine], None]):
        self.engine = engine
        create_tables(metadata, engine)

    def key_for(self, person_id: UUID) -> bytes | None:
        """The person's key, or None once they have been forgotten (or never had one)."""
        with self.engine.connect() as conn:
            row = conn.execute(KEY_OF, {"person_id": person_id.hex})
            found = row.scalar_one_or_none()
        return bytes(found) if found is not None else None

    def key_for_writing(self, person_id: UUID) -> bytes:
        """The person's key, made on first use."""
        existing = self.key_for(person_id)
        if existing is not None:
            return existing
        with contextlib.suppress(IntegrityError), self.engine.begin() as conn:  # made by another: use theirs
            conn.execute(insert(person_keys).values(
                person_id=person_id.hex, key=os.urandom(KEY_BYTES), created_at=datetime.now(timezone.utc)))
        return self.key_for(person_id)  # type: ignore[return-value]

    def destroy(self, person_id: UUID) -> bool:
        """Delete the person's key; True if there was one."""
        with self.engine.begin() as conn:
            result = conn.execute(delete(person_keys).where(person_keys.c.person_id == person_id.hex))
        return result.rowcount > 0
