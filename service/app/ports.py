"""What the application needs from the world outside it, and is given by the composition root
(service/bootstrap.py): the adapters in service/infra/ implement these."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol
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


class TokenHolder(NamedTuple):
    """The account a live token belongs to, and the last version of that account's history in the
    log as the token's check found it (None where the store cannot say in the same look)."""

    account_id: UUID
    history: int | None


class Credentials(Protocol):
    """Passwords and tokens, kept outside the event log."""

    def set_password(self, account_id: UUID, password: str) -> None: ...

    def check_password(self, account_id: UUID | None, password: str) -> bool: ...

    def issue_token(self, account_id: UUID, label: str, kind: str = API) -> tuple[UUID, str]: ...

    def token_holder(self, secret: str, kind: str = API) -> TokenHolder | None: ...

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


@dataclass(frozen=True)
class Outgoing:
    """One message ready to go: `key` is stable across attempts (an email's Message-ID is made from
    it), `to` the address, number or postal address it goes to."""

    key: str
    way: str
    to: str
    subject: str
    text: str
    html: str


class DeliveryFailed(Exception):
    """A message was not taken; `permanent` when trying again cannot help (a refused address),
    `unreachable` when the channel itself could not be reached (no fault of the message's)."""

    def __init__(self, reason: str, permanent: bool = False, unreachable: bool = False):
        super().__init__(reason)
        self.permanent, self.unreachable = permanent, unreachable


class Channel(Protocol):
    """A way of sending messages (a mail server, GOV.UK Notify)."""

    def send(self, message: Outgoing) -> None: ...

    def close(self) -> None: ...


class Outbox(Protocol):
    """Each message's delivery as it happens: who is sending it now (a lease), tries, and the
    outcome, written the moment the channel answers (the events follow)."""

    def claimable(self, keys: list[str], now: Any) -> set[str]: ...

    def claim(self, groups: list[list[dict[str, Any]]], owner: str, now: Any, lease_seconds: float) -> list[bool]: ...

    def settle(self, keys: list[str], outcome: str, now: Any, reason: str = "") -> None: ...

    def retry_later(self, keys: list[str], reason: str, now: Any) -> int: ...

    def release(self, keys: list[str], now: Any) -> None: ...

    def unrecorded(self, limit: int) -> list[dict[str, Any]]: ...

    def recorded(self, keys: list[str]) -> None: ...

    def forget(self, person_id: str) -> None: ...

    def waiting_to_try_again(self) -> list[str]: ...

    def drop_waiting(self, keys: list[str]) -> None: ...

    def close(self) -> None: ...

    def status(self) -> dict[str, Any]: ...


@dataclass
class Wiring:
    """Everything the application is built from. `store` is the adapters' own description of where
    data lives (shown by the command line, used by backups); the application never looks inside it."""

    store: Any
    eventsourcing_env: dict[str, str]
    engine: Engine
    projections_inline: bool
    turns: WriteTurns
    catch_up_turns: WriteTurns  # one catch-up of the read models at a time, among every process
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
    outbox: Outbox | None = None  # deliveries of the messages due; none: messages wait
    channels: dict[str, Channel] = field(default_factory=dict)  # way (email, text, letter) -> its channel
    site_url: str = ""  # the site's address, for links in messages; none: "ask at your hub"
    deliver_inline: bool = False  # a sending pass after commands (the embedded store), like the catch-up
