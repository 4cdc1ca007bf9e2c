"""Idempotency-Key on POST: a retried request records nothing twice and gets the same answer.

The first request with a key claims it (a row inserted under a unique key); retries wait
for its answer and replay it. Keys are scoped to the credential that sent them, and kept
only as a digest: a client may put anything in a key.

A stored answer keeps no one's words (the table is in every backup and in the database's
write-ahead log): only what a replay needs. Its status and the headers worth replaying
(ETag, Location, Preference-Applied…) are kept as they were. Of its body, only a
skeleton of ids, versions and similar tokens is kept (see `skeleton`); a problem
document keeps its status and title. An answer the HTTP layer can render again marks
a *recipe* (`replay_as`): ids and flags, no words. On replay the renderer registered for
the recipe's kind (`renders`) builds the body afresh, as things now stand and as the
person replaying may see them.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from service.api.problems import PROBLEM_JSON, problem
from service.infra.idempotency_store import STORED_ANSWER, idempotency_keys

HEADER = "Idempotency-Key"
WAIT_SECONDS = 15
KEEP = timedelta(hours=24)
TRANSIENT = {409, 429}  # a conflict or a rate limit: the retry should really run again

# Headers of the first answer that a replay does not repeat: the body's own, the connection's,
# and cookies (a replay must never hand out a session). Every other header is kept as it was.
NOT_REPLAYED = {"content-type", "content-length", "date", "set-cookie", "transfer-encoding", "connection",
                "keep-alive", "idempotent-replayed"}
# The keys of a JSON body whose values are kept: ids, versions and states, never words.
KEPT_KEYS = {"id", "version", "status", "stage", "lifecycle", "role", "cycle"}
TOKEN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")  # an id, a version, a stage: one token, no sentence
REPLAYED_DETAIL = ("This is the answer first given to a request with this Idempotency-Key; "
                   "its details are not kept.")
NO_LONGER_KEPT = "This request was already carried out; its answer is no longer kept."

Renderer = Callable[[dict[str, Any]], Any]
_renderers: dict[str, Renderer] = {}


def renders(kind: str) -> Callable[[Renderer], Renderer]:
    """Register how the HTTP layer renders an answer of `kind` again from its recipe (a
    decorator). The renderer runs in the replaying request, so it may check who is asking;
    it returns the body as JSON-ready data (what the response schema dumps), or raises an
    HTTP error like a view."""
    def register(render: Renderer) -> Renderer:
        _renderers[kind] = render
        return render
    return register


def replay_as(kind: str, **recipe: Any) -> None:
    """Called by a view: its answer can be rendered again from `recipe` (ids and flags, JSON
    values, no one's words) by the renderer registered for `kind`; only the recipe is kept."""
    g.idempotency_recipe = {"kind": kind, **recipe}


def _key(owner: str, key: str):
    return (idempotency_keys.c.owner == owner) & (idempotency_keys.c.key == key)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _token(value: Any) -> bool:
    """A number, a flag, nothing, or one short token such as an id, a version or a stage."""
    if value is None or isinstance(value, bool | int | float):
        return True
    return isinstance(value, str) and TOKEN.match(value) is not None


def _kept(value: Any) -> bool:
    return _token(value) or (isinstance(value, list) and all(_token(item) for item in value))


def skeleton(body: Any) -> Any:
    """What of a JSON body may be kept: under the keys of `KEPT_KEYS` and those ending in `_id`
    or `_ids`, values that are numbers, flags or single tokens (ids, versions, stages); nested
    objects likewise. Lists of objects and every other key (names, text, titles…) are dropped."""
    if not isinstance(body, dict):
        return None
    kept: dict[str, Any] = {}
    for name, value in body.items():
        if isinstance(value, dict):
            inner = skeleton(value)
            if inner:
                kept[name] = inner
        elif (name in KEPT_KEYS or name.endswith(("_id", "_ids"))) and _kept(value):
            kept[name] = value
    return kept


def _problem_kept(status: int) -> dict[str, Any]:
    """A problem document stripped to its status and title: its detail and field errors may
    echo what was sent."""
    return {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}


def stored_answer(response: Response, recipe: dict[str, Any] | None) -> bytes:
    """The answer as kept in `idempotency_keys.body` (content type `STORED_ANSWER`)."""
    headers = [[name, value] for name, value in response.headers.items() if name.lower() not in NOT_REPLAYED]
    kept: dict[str, Any] = {"content_type": response.content_type, "headers": headers, "recipe": None,
                            "body": None}
    if response.mimetype == PROBLEM_JSON:
        kept["body"] = _problem_kept(response.status_code)
    elif response.is_json:
        kept["body"] = skeleton(response.get_json(silent=True))
        if recipe is not None and 200 <= response.status_code < 300:
            kept["recipe"] = recipe
    return json.dumps(kept).encode()


def replayed_answer(status: int, stored: bytes) -> Response:
    """The stored answer, with its body rendered again from its recipe where one was kept."""
    kept = json.loads(stored)
    recipe, body = kept["recipe"], kept["body"]
    render = recipe and _renderers.get(recipe["kind"])
    if render:
        body = render(recipe)
    elif body is not None and kept["content_type"].startswith(PROBLEM_JSON):
        body = {**body, "detail": kept.get("detail", REPLAYED_DETAIL)}
    data = b"" if body is None else current_app.json.response(body).get_data()
    response = Response(data, status=status, content_type=kept["content_type"])
    for name, value in kept["headers"]:
        response.headers.add(name, value)
    return response


def _older_answers_scrubbed(conn) -> None:
    """Answers kept whole before answers were kept without words (or blanked since by a
    forget) become a notice in the present form; their keys stay claimed."""
    notice = {"content_type": PROBLEM_JSON, "headers": [], "recipe": None, "body": _problem_kept(409),
              "detail": NO_LONGER_KEPT}
    conn.execute(update(idempotency_keys).where(
        idempotency_keys.c.status.is_not(None), idempotency_keys.c.content_type != STORED_ANSWER).values(
        status=409, body=json.dumps(notice).encode(), content_type=STORED_ANSWER, etag=None))


def scrub_older_answers(engine: Engine) -> None:
    """Answers an earlier release kept whole become notices (when a person is forgotten, too)."""
    with engine.begin() as conn:
        _older_answers_scrubbed(conn)


class Idempotency:
    """Claims keys before a POST runs and keeps its answer after."""

    def __init__(self, engine: Engine):
        self.engine = engine  # the table is made with the application (service/bootstrap.py)
        self.scrubbed = False  # older answers are scrubbed once per process, with the first claim

    def init_app(self, app: Flask) -> None:
        app.before_request(self.claim_or_replay)
        app.after_request(self.remember)
        app.teardown_request(self.release)

    def claim_or_replay(self) -> Response | None:
        sent = request.headers.get(HEADER)
        if request.method != "POST" or sent is None:
            return None
        if not 1 <= len(sent) <= 200:
            return problem(422, "Idempotency-Key must be 1 to 200 characters.",
                           errors={HEADER: ["must be 1 to 200 characters"]})
        owner = _sha(request.headers.get("Authorization", "").encode())
        key = _sha(sent.encode())
        fingerprint = _sha(f"{request.method} {request.path}\n".encode() + request.get_data(cache=True))
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(idempotency_keys).where(
                    idempotency_keys.c.created_at < datetime.now(timezone.utc) - KEEP))
                if not self.scrubbed:
                    _older_answers_scrubbed(conn)
                conn.execute(insert(idempotency_keys).values(owner=owner, key=key, fingerprint=fingerprint,
                                                 created_at=datetime.now(timezone.utc)))
        except IntegrityError:
            return self._replay(owner, key, fingerprint)
        self.scrubbed = True
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
                if row.content_type == STORED_ANSWER:
                    response = replayed_answer(row.status, row.body)
                else:  # a notice written when a person was forgotten, kept whole
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
        recipe = g.pop("idempotency_recipe", None)
        if claimed is None:
            return response
        owner, key = claimed
        where = _key(owner, key)
        with self.engine.begin() as conn:
            if response.status_code >= 500 or response.status_code in TRANSIENT:
                conn.execute(delete(idempotency_keys).where(where))
            else:
                conn.execute(update(idempotency_keys).where(where).values(
                    status=response.status_code, body=stored_answer(response, recipe),
                    content_type=STORED_ANSWER, etag=response.headers.get("ETag")))
        return response

    def release(self, error: BaseException | None) -> None:
        claimed = g.pop("idempotency", None)
        if claimed is not None:
            owner, key = claimed
            with self.engine.begin() as conn:
                conn.execute(delete(idempotency_keys).where(_key(owner, key)))
