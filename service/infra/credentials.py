"""Passwords, API tokens and web sessions, kept in their own tables rather than in the event log.

Passwords are hashed with Argon2id at OWASP's recommended minimum (19 MiB, 2 passes,
1 lane). Tokens are random; only their SHA-256 digest is stored, so a leaked table does
not leak tokens; a revoked token stops working at once. A token is of one kind: an API
token (sent as `Authorization: Bearer`, ends after a period unused) or a web session (held
in the session cookie, ends 8 hours after signing in); neither works as the other.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any
from uuid import UUID, uuid4

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    literal_column,
    null,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from projections.times import aware
from service.app.ports import API, WEB, TokenHolder
from service.infra.store import for_single_reads

TOKEN_IDLE_DAYS = 30
WEB_SESSION = timedelta(hours=8)  # as long as the session cookie lives
TOUCH_EVERY = timedelta(hours=1)  # last use is written at most this often per token: reads stay reads

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
    Column("kind", String(8), nullable=False, server_default=API),
    Column("last_used_at", DateTime(timezone=True)),
)

# Built once, so that SQLAlchemy reuses its compiled form without working out its cache key
# again: this look-up, made by every request, costs a third of what it did.
LIVE_TOKEN = select(tokens.c.id, tokens.c.account_id, tokens.c.kind, tokens.c.created_at, tokens.c.last_used_at) \
    .where(tokens.c.digest == bindparam("digest"), tokens.c.revoked_at.is_(None))
TOUCH = update(tokens).where(tokens.c.id == bindparam("token_id")).values(last_used_at=bindparam("used_at"))

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@cache
def _dummy_hash() -> str:
    """A hash no password matches, checked when there is no real one, so that an unknown
    username takes as long to refuse as a wrong password (usernames cannot be told by timing)."""
    return HASHER.hash(secrets.token_urlsafe(32))


class Credentials:
    """Sets and checks passwords; issues, finds and revokes API tokens and web sessions."""

    def __init__(self, engine: Engine, create_tables: Callable[[MetaData, Engine], None] | None = None,
                 idle_days: int = TOKEN_IDLE_DAYS):
        """`create_tables`: makes and upgrades the tables (none: this process does not manage the schema);
        `idle_days`: an API token unused for that long stops working."""
        self.engine, self._reads = engine, for_single_reads(engine)
        self._live_token = LIVE_TOKEN.add_columns(null().label("history"))
        self.idle = timedelta(days=idle_days)
        if create_tables is not None:
            create_tables(metadata, engine)

    def set_password(self, account_id: UUID, password: str) -> None:
        values = {"account_id": account_id.hex, "hash": HASHER.hash(password), "set_at": _now()}
        upsert = (sqlite_insert if self.engine.dialect.name == "sqlite" else postgres_insert)(passwords)
        with self.engine.begin() as conn:
            conn.execute(upsert.values(**values).on_conflict_do_update(
                index_elements=["account_id"], set_={"hash": values["hash"], "set_at": values["set_at"]}))

    def check_password(self, account_id: UUID | None, password: str) -> bool:
        """Whether `password` is the account's; with no account (or no password) it is checked
        against a dummy hash all the same, so every refusal takes as long."""
        stored = None
        if account_id is not None:
            with self.engine.connect() as conn:
                stored = conn.execute(select(passwords.c.hash).where(
                    passwords.c.account_id == account_id.hex)).scalar_one_or_none()
        try:
            return HASHER.verify(stored or _dummy_hash(), password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def issue_token(self, account_id: UUID, label: str, kind: str = API) -> tuple[UUID, str]:
        """A new token (or web session) for the account: its id and the secret, shown only once."""
        token_id, secret = uuid4(), ("cp_" if kind == API else "cpw_") + secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(insert(tokens).values(id=token_id.hex, digest=_digest(secret), account_id=account_id.hex,
                                               label=label, created_at=_now(), kind=kind))
        return token_id, secret

    def read_versions_from(self, recorder: Any) -> None:
        """Have every token look-up also say how far its account's history in the event log goes,
        in the same query, when `recorder` keeps the log in this database (a signed-in request then
        need not ask the log again for an account it holds in memory)."""
        last_version_sql = getattr(recorder, "last_version_sql", None)
        if last_version_sql is not None:
            history = literal_column(last_version_sql(f"{tokens.name}.{tokens.c.account_id.name}"))
            self._live_token = LIVE_TOKEN.add_columns(history.label("history"))

    def token_holder(self, secret: str, kind: str = API) -> TokenHolder | None:
        """Whose live token of this kind this is, or None (revoked, expired, or of the other kind:
        a web session is no API token, and an API token opens no web session)."""
        with self._reads.connect() as conn:
            row = conn.execute(self._live_token, {"digest": _digest(secret)}).one_or_none()
        if row is None or row.kind != kind:
            return None
        holder, now = TokenHolder(UUID(hex=row.account_id), row.history), _now()
        if kind == WEB:
            return holder if now - aware(row.created_at) < WEB_SESSION else None
        last_used = aware(row.last_used_at or row.created_at)
        if now - last_used >= self.idle:
            return None
        if now - last_used >= TOUCH_EVERY:
            with self.engine.begin() as conn:
                conn.execute(TOUCH, {"token_id": row.id, "used_at": now})
        return holder

    def tokens_of(self, account_id: UUID) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(tokens.c.id, tokens.c.label, tokens.c.kind, tokens.c.created_at,
                                       tokens.c.last_used_at, tokens.c.revoked_at)
                                .where(tokens.c.account_id == account_id.hex).order_by(tokens.c.created_at))
            return [{"id": UUID(hex=r.id), "label": r.label, "kind": r.kind, "created_at": aware(r.created_at),
                     "last_used_at": aware(r.last_used_at), "revoked_at": aware(r.revoked_at)} for r in rows]

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

    def revoke_all(self, account_id: UUID, keep: str | None = None) -> int:
        """Revoke every live token and web session of the account but the one whose secret is
        `keep` (if given); how many were revoked."""
        live = update(tokens).where(tokens.c.account_id == account_id.hex, tokens.c.revoked_at.is_(None))
        if keep:
            live = live.where(tokens.c.digest != _digest(keep))
        with self.engine.begin() as conn:
            return conn.execute(live.values(revoked_at=_now())).rowcount
