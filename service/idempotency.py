"""Idempotency-Key on POST: a retried request records nothing twice and gets the same answer.

The first request with a key claims it (a row inserted under a unique key); retries wait
for its answer and replay it. Keys are scoped to the credential that sent them.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta, timezone

from flask import Flask, Response, g, request
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from service.api.problems import problem
from service.idempotency_store import idempotency_keys

HEADER = "Idempotency-Key"
WAIT_SECONDS = 15
KEEP = timedelta(hours=24)
TRANSIENT = {409, 429}  # a conflict or a rate limit: the retry should really run again


def _key(owner: str, key: str):
    return (idempotency_keys.c.owner == owner) & (idempotency_keys.c.key == key)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Idempotency:
    """Claims keys before a POST runs and keeps its answer after."""

    def __init__(self, engine: Engine):
        self.engine = engine  # the table is made by the application (service.idempotency_store)

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
                conn.execute(delete(idempotency_keys).where(
                    idempotency_keys.c.created_at < datetime.now(timezone.utc) - KEEP))
                conn.execute(insert(idempotency_keys).values(owner=owner, key=key, fingerprint=fingerprint,
                                                 created_at=datetime.now(timezone.utc)))
        except IntegrityError:
            return self._replay(owner, key, fingerprint)
        g.idempotency = (owner, key)
        return None

    def _replay(self, owner: str, key: str, fingerprint: str) -> Response:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            with self.engine.connect() as conn:
                row = conn.execute(select(idempotency_keys).where(_key(owner, key))).first()
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
        where = _key(owner, key)
        with self.engine.begin() as conn:
            if response.status_code >= 500 or response.status_code in TRANSIENT:
                conn.execute(delete(idempotency_keys).where(where))
            else:
                conn.execute(update(idempotency_keys).where(where).values(
                    status=response.status_code, body=response.get_data(), content_type=response.content_type,
                    etag=response.headers.get("ETag")))
        return response

    def release(self, error: BaseException | None) -> None:
        claimed = g.pop("idempotency", None)
        if claimed is not None:
            owner, key = claimed
            with self.engine.begin() as conn:
                conn.execute(delete(idempotency_keys).where(_key(owner, key)))
