"""The tables behind Idempotency-Key on POST.

`idempotency_keys` remembers answers. Kept apart from the HTTP code because forgetting a
person clears it. Answers are kept without anyone's words (see service.http.idempotency):
`body` holds a JSON record of the answer, marked by `content_type` = `STORED_ANSWER`; `key`
holds a digest of the key sent; `claim` names the attempt now carrying the request out.

`idempotency_recorded` says which keys' requests recorded events. Its row is written by the
event store's recorders in the same transaction as the events (`recorded_row`), so the store
itself answers "was this done?" even when the connection dropped during the commit and no
answer was ever kept; its primary key refuses a second recording under one key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from eventsourcing.persistence import StoredEvent
from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, String, Table, Text

from service.app.ports import RequestKey

STORED_ANSWER = "application/vnd.coproduce.stored-answer+json"

metadata = MetaData()
idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("owner", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),  # a SHA-256 digest of the Idempotency-Key
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer),
    Column("body", LargeBinary),
    Column("content_type", String(100)),
    Column("etag", String(40)),
    Column("created_at", DateTime(timezone=True), nullable=False),  # when the current attempt claimed it
    Column("claim", String(32)),
)
idempotency_recorded = Table(
    "idempotency_recorded", metadata,
    Column("owner", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("claim", String(32), nullable=False),
    Column("saved", Text, nullable=False),  # JSON: [[aggregate id, its version after the request], ...]
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

RECORD = "INSERT INTO idempotency_recorded (owner, key, claim, saved, recorded_at) VALUES ({0}, {0}, {0}, {0}, {0})"


def requests_saved(stored_events: Sequence[StoredEvent], saved: dict[str, Any]
                   ) -> Iterator[tuple[RequestKey, Sequence[StoredEvent]]]:
    """The client keys of a save, each with its own events: a command's (`request_key`), or those
    of several commands written together (`requests`: each command's key or None, and how many
    events it saved, in order)."""
    if saved.get("request_key") is not None:
        yield saved["request_key"], stored_events
    at = 0
    for request, count in saved.get("requests", ()):
        if request is not None:
            yield request, stored_events[at:at + count]
        at += count


def recorded_row(request: RequestKey, events: Sequence[StoredEvent], sqlite: bool) -> tuple:
    """The values of `RECORD` for a request saving `events` (SQLite keeps times as SQLAlchemy writes them)."""
    versions: dict[str, int] = {}
    for event in events:
        versions[str(event.originator_id)] = max(versions.get(str(event.originator_id), 0), event.originator_version)
    now = datetime.now(timezone.utc)
    return (request.owner, request.key, request.claim, json.dumps(list(versions.items())),
            now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now)
