"""Idempotency-Key on POST: a retried request records nothing twice and gets the same answer.

The first request with a key claims it (a row inserted under a unique key); retries wait
for its answer and replay it. Keys are scoped to the credential that sent them.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timezone

from flask import Flask, Response, g, request
from sqlalchemy import Column, DateTime, Engine, Integer, LargeBinary, MetaData, String, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from service.api.problems import problem
from service.store import create_tables

metadata = MetaData()
keys = Table(
    "idempotency_keys", metadata,
    Column("owner", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer),
    Column("body", LargeBinary),
    Column("content_type", String(100)),
    Column("etag", String(40)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

HEADER = "Idempotency-Key"
WAIT_SECONDS = 15


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Idempotency:
    """Claims keys before a POST runs and keeps its answer after."""

    def __init__(self, engine: Engine):
        self.engine = engine
        create_tables(metadata, engine)

    def init_app(self, app: Flask) -> None:
        app.before_request(self.claim_or_replay)
        app.after_request(self.remember)
        app.teardown_request(self.release)

    def claim_or_replay(self) -> Response | None:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return None
        if not 1 <= len(key) <= 200:
            return problem(422, "Idempotency-Key must be 1 to 200 characters.",
                           errors={HEADER: ["must be 1 to 200 characters"]})
        owner = _sha(request.headers.get("Authorization", "").encode())
        fingerprint = _sha(f"{request.method} {request.path}\n".encode() + request.get_data(cache=True))
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(keys).values(owner=owner, key=key, fingerprint=fingerprint,
                                                 created_at=datetime.now(timezone.utc)))
        except IntegrityError:
            return self._replay(owner, key, fingerprint)
        g.idempotency = (owner, key)
        return None

    def _replay(self, owner: str, key: str, fingerprint: str) -> Response:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            with self.engine.connect() as conn:
                row = conn.execute(select(keys).where(keys.c.owner == owner, keys.c.key == key)).first()
            if row is None:
                break  # the first request failed and let the key go: this one may not run twice
            if row.fingerprint != fingerprint:
                return problem(422, "This Idempotency-Key was already used for a different request.",
                               errors={HEADER: ["was already used for a different request"]})
            if row.status is not None:
                response = Response(row.body, status=row.status, content_type=row.content_type)
                if row.etag:
                    response.headers["ETag"] = row.etag
                response.headers["Idempotent-Replayed"] = "true"
                return response
            time.sleep(0.02)
        return problem(409, "A request with this Idempotency-Key is still being processed or failed; "
                            "try again shortly.")

    def remember(self, response: Response) -> Response:
        claimed = g.pop("idempotency", None)
        if claimed is None:
            return response
        owner, key = claimed
        where = (keys.c.owner == owner) & (keys.c.key == key)
        with self.engine.begin() as conn:
            if response.status_code >= 500:
                conn.execute(delete(keys).where(where))
            else:
                conn.execute(update(keys).where(where).values(
                    status=response.status_code, body=response.get_data(), content_type=response.content_type,
                    etag=response.headers.get("ETag")))
        return response

    def release(self, error: BaseException | None) -> None:
        claimed = g.pop("idempotency", None)
        if claimed is not None:
            owner, key = claimed
            with self.engine.begin() as conn:
                conn.execute(delete(keys).where((keys.c.owner == owner) & (keys.c.key == key)))
