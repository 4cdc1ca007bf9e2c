"""Passwords and API tokens, kept in their own tables rather than in the event log.

Passwords are hashed with Argon2id at OWASP's recommended minimum (19 MiB, 2 passes,
1 lane). API tokens are random; only their SHA-256 digest is stored, so a leaked
table does not leak tokens; a revoked token stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone
from uuid import UUID, uuid4

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, bindparam, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.dialects.postgresql import insert as postgres_insert

from projections.times import aware
from service.store import create_tables

metadata = MetaData()

passwords = Table(
    "account_passwords", metadata,
    Column("account_id", String(32), primary_key=True),
    Column("hash", String(200), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
)

tokens = Table(
    "api_tokens", metadata,
    Column("id", String(32), primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("account_id", String(32), nullable=False, index=True),
    Column("label", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

# Built once, so that SQLAlchemy reuses its compiled form without working out its cache key
# again: this look-up, made by every request, costs a third of what it did.
LIVE_TOKEN = select(tokens.c.account_id).where(tokens.c.digest == bindparam("digest"), tokens.c.revoked_at.is_(None))

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD_LENGTH = 12


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Credentials:
    """Sets and checks passwords; issues, finds and revokes API tokens."""

    def __init__(self, engine: Engine):
        self.engine = engine
        create_tables(metadata, engine)

    def set_password(self, account_id: UUID, password: str) -> None:
        values = {"account_id": account_id.hex, "hash": HASHER.hash(password), "set_at": _now()}
        upsert = (sqlite_insert if self.engine.dialect.name == "sqlite" else postgres_insert)(passwords)
        with self.engine.begin() as conn:
            conn.execute(upsert.values(**values).on_conflict_do_update(
                index_elements=["account_id"], set_={"hash": values["hash"], "set_at": values["set_at"]}))

    def check_password(self, account_id: UUID, password: str) -> bool:
        with self.engine.connect() as conn:
            stored = conn.execute(select(passwords.c.hash).where(
                passwords.c.account_id == account_id.hex)).scalar_one_or_none()
        if stored is None:
            HASHER.hash(password)  # spend the same time whether or not the account has a password
            return False
        try:
            return HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def issue_token(self, account_id: UUID, label: str) -> tuple[UUID, str]:
        """A new token for the account: its id and the secret, which is shown only once."""
        token_id, secret = uuid4(), "cp_" + secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(insert(tokens).values(id=token_id.hex, digest=_digest(secret), account_id=account_id.hex,
                                               label=label, created_at=_now()))
        return token_id, secret

    def account_for_token(self, secret: str) -> UUID | None:
        """The account a live token belongs to, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(LIVE_TOKEN, {"digest": _digest(secret)}).scalar_one_or_none()
        return UUID(hex=row) if row else None

    def tokens_of(self, account_id: UUID) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(tokens.c.id, tokens.c.label, tokens.c.created_at, tokens.c.revoked_at)
                                .where(tokens.c.account_id == account_id.hex).order_by(tokens.c.created_at))
            return [{"id": UUID(hex=r.id), "label": r.label, "created_at": aware(r.created_at),
                     "revoked_at": aware(r.revoked_at)} for r in rows]

    def remove(self, account_id: UUID) -> None:
        """No more signing in: the password and every token of the account go."""
        with self.engine.begin() as conn:
            conn.execute(passwords.delete().where(passwords.c.account_id == account_id.hex))
            conn.execute(tokens.delete().where(tokens.c.account_id == account_id.hex))

    def revoke(self, account_id: UUID, token_id: UUID) -> bool:
        """Revoke one of the account's tokens; False if it has no such live token."""
        with self.engine.begin() as conn:
            result = conn.execute(update(tokens).where(
                tokens.c.id == token_id.hex, tokens.c.account_id == account_id.hex,
                tokens.c.revoked_at.is_(None)).values(revoked_at=_now()))
        return result.rowcount == 1
