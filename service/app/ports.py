"""What the application needs from the world outside it, and is given by the composition root
(service/bootstrap.py): the adapters in service/infra/ implement these."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import Engine, MetaData

API, WEB = "api", "web"  # the two kinds of credential: API tokens, and web sign-ins (never one for the other)


RETRY_SECONDS = 2  # how soon to try again when the database is away: it is tried afresh on every request


class StoreUnavailable(Exception):
    """The database could not be reached, or did not answer in time: try again shortly."""


class OutcomeUnknown(StoreUnavailable):
    """A change was sent, and the database went away before it could be told whether it was kept."""


@dataclass(frozen=True)
class RequestKey:
    """A client's key for one request (an Idempotency-Key, per credential), and the attempt now
    carrying it out. Recorded with the events the request saves, in their transaction, so that the
    store itself says whether a request was done, and refuses to do it twice."""

    owner: str
    key: str
    claim: str


serving: ContextVar[RequestKey | None] = ContextVar("serving", default=None)  # set by the door for one request


class SealBroken(Exception):
    """Sealed content that does not open: tampered with, or not sealed by Coproduce."""


class Keys(Protocol):
    """Each person's own key, for crypto-shredding."""

    def key_for(self, person_id: UUID) -> bytes | None: ...

    def destroy(self, person_id: UUID) -> bool: ...


class Sealing(Protocol):
    """Personal content sealed with its owner's key; None once the key is destroyed."""

    def seal(self, person_id: UUID, text: str) -> str: ...

    def open(self, sealed: str) -> str | None: ...


class Credentials(Protocol):
    """Passwords and tokens, kept outside the event log."""

    def set_password(self, account_id: UUID, password: str) -> None: ...

    def check_password(self, account_id: UUID | None, password: str) -> bool: ...

    def issue_token(self, account_id: UUID, label: str, kind: str = API) -> tuple[UUID, str]: ...

    def account_for_token(self, secret: str, kind: str = API) -> UUID | None: ...

    def tokens_of(self, account_id: UUID) -> list[dict]: ...

    def revoke(self, account_id: UUID, token_id: UUID) -> bool: ...

    def revoke_all(self, account_id: UUID, keep: str | None = None) -> int: ...

    def remove(self, account_id: UUID) -> None: ...


class AuditChain(Protocol):
    """The tamper-evident history: signed checkpoints over the hash chain of the log."""

    def checkpoint(self) -> dict[str, Any]: ...

    def checkpoint_if_due(self) -> None: ...

    def public_key(self) -> str: ...

    def checkpoints(self) -> list[dict[str, Any]]: ...

    def export_lines(self) -> Iterator[str]: ...


class WriteTurns(Protocol):
    """Writers taking turns on a store that allows one at a time (SQLite); nothing elsewhere."""

    def turn(self) -> AbstractContextManager[None]: ...

    def close(self) -> None: ...


@dataclass
class Wiring:
    """Everything the application is built from. `store` is the adapters' own description of where
    data lives (shown by the command line, used by backups); the application never looks inside it."""

    store: Any
    eventsourcing_env: dict[str, str]
    engine: Engine
    projections_inline: bool
    turns: WriteTurns
    keys: Keys
    sealer_for: Callable[[Keys], Sealing]  # sealing over a given key store (one that remembers keys for an answer)
    credentials: Credentials
    create_tables: Callable[[MetaData, Engine], None]
    audit: Callable[[Any, Any], AuditChain]  # (recorder, projections) -> the audit chain
    snapshot_transcoder: Callable[[Any], Any]  # the events' transcoder -> the snapshots' one
    register_transcodings: Callable[[Any], None]
    unreachable: Callable[[BaseException], bool]  # does this error say the database is away?
    after_forget: list[Callable[[UUID], None]] = field(default_factory=list)  # make what was deleted go
    schema_turn: Callable[[], AbstractContextManager[None]] = nullcontext  # one rebuilder of stale views at a time
