"""Idempotency-Key on POST: a retried request records nothing twice and gets the same answer.

The first request with a key claims it (a row inserted under a unique key); retries wait
for its answer and replay it. Keys are scoped to the credential that sent them, and kept
only as a digest: a client may put anything in a key.

Faults of the database do not break this. The events a request saves are recorded with its
key in one transaction (`RequestKey`, service/infra/idempotency_store.py), so a retry after a
lost connection learns from the store whether the request was done, and a request is never
recorded twice under one key. A claim whose attempt died unanswered (the database went away
before the claim could be let go) is taken over by the first retry after `LEASE`.

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
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from service.api.problems import PROBLEM_JSON, problem
from service.app.ports import RequestKey, serving
from service.infra.idempotency_store import STORED_ANSWER, idempotency_keys, idempotency_recorded

HEADER = "Idempotency-Key"
WAIT_SECONDS = 15
KEEP = timedelta(hours=24)
LEASE = timedelta(seconds=5)  # a claim unanswered this long belongs to an attempt that died: a retry takes it over
_CLAIMED = {"idempotency_keys": "created_at", "idempotency_recorded": "recorded_at"}
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
RECORDED_DETAIL = ("This request was recorded, but the connection was lost before its answer could be kept: "
                   "here is what it changed and its new version.")
log = logging.getLogger(__name__)

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


def recorded_answer(saved: str) -> Response:
    """The answer to a retry whose request was recorded but whose answer was never kept (the
    connection dropped at the commit): what was changed, its id and new version, and no more."""
    aggregate_id, version = json.loads(saved)[0]
    response = current_app.json.response({"id": aggregate_id, "version": version, "detail": RECORDED_DETAIL})
    response.headers["ETag"] = f'"{version}"'
    return response


def _owner() -> str:
    """Whose keys a request's key is among: the signed-in account's (checked before this, see
    `require_token`), whichever of their tokens carries it, so that a client that signs in again
    before it retries does not do the request twice; otherwise its credential's."""
    account = g.get("account")
    return _sha(f"account:{account.id}".encode()) if account is not None else _sha(
        request.headers.get("Authorization", "").encode())


class Idempotency:
    """Claims keys before a POST runs and keeps its answer after."""

    def __init__(self, engine: Engine, unreachable: Callable[[BaseException], bool]):
        self.engine = engine  # the tables are made with the application (service/bootstrap.py)
        self.unreachable = unreachable
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
        owner = _owner()
        key = _sha(sent.encode())
        fingerprint = _sha(f"{request.method} {request.path}\n".encode() + request.get_data(cache=True))
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            claim = self._take(owner, key, fingerprint)
            answer = self._answer(owner, key, fingerprint, claimed=claim is not None)
            if answer is not None:
                answer.headers.setdefault("Idempotent-Replayed", "true")
                return answer
            if claim is not None:
                g.idempotency = RequestKey(owner, key, claim)
                serving.set(g.idempotency)
                return None
            if time.monotonic() > deadline:
                return problem(409, "A request with this Idempotency-Key is still being processed; "
                                    "try again shortly.")
            time.sleep(0.02)

    def _take(self, owner: str, key: str, fingerprint: str) -> str | None:
        """Claim the key for this attempt: a new claim, or one whose attempt died without an answer
        (unanswered for `LEASE`). The claim's id, or None if another attempt holds the key."""
        claim, now = uuid.uuid4().hex, datetime.now(timezone.utc)
        try:
            with self.engine.begin() as conn:
                for table in (idempotency_keys, idempotency_recorded):
                    conn.execute(delete(table).where(table.c[_CLAIMED[table.name]] < now - KEEP))
                if not self.scrubbed:
                    _older_answers_scrubbed(conn)
                conn.execute(insert(idempotency_keys).values(owner=owner, key=key, fingerprint=fingerprint,
                                                             created_at=now, claim=claim))
            self.scrubbed = True
            return claim
        except IntegrityError:
            pass
        with self.engine.begin() as conn:
            taken = conn.execute(update(idempotency_keys).where(
                _key(owner, key), idempotency_keys.c.status.is_(None),
                idempotency_keys.c.fingerprint == fingerprint, idempotency_keys.c.created_at < now - LEASE,
            ).values(claim=claim, created_at=now))
        return claim if taken.rowcount == 1 else None

    def _answer(self, owner: str, key: str, fingerprint: str, claimed: bool) -> Response | None:
        """The answer already owed to this key: a different request's refusal, the kept answer, or
        (to the attempt that now holds the claim) what the store recorded under the key when an
        earlier attempt died before keeping its answer. None: the request is to run, or (without the
        claim) to wait for the attempt that holds it."""
        with self.engine.begin() as conn:
            row = conn.execute(select(idempotency_keys).where(_key(owner, key))).first()
            if row is not None and row.fingerprint != fingerprint:
                refused = problem(422, "This Idempotency-Key was already used for a different request.",
                                  errors={HEADER: ["was already used for a different request"]})
                refused.headers["Idempotent-Replayed"] = "false"  # nothing was replayed: the key was taken
                return refused
            if row is not None and row.status is not None:
                return self._kept(row)
            if not claimed:
                return None
            recorded = conn.execute(select(idempotency_recorded.c.saved).where(
                (idempotency_recorded.c.owner == owner) & (idempotency_recorded.c.key == key))).scalar()
            if recorded is None:
                return None
            response = recorded_answer(recorded)
            conn.execute(update(idempotency_keys).where(_key(owner, key)).values(
                status=response.status_code, body=stored_answer(response, None), content_type=STORED_ANSWER,
                etag=response.headers.get("ETag")))
            return response

    @staticmethod
    def _kept(row) -> Response:
        if row.content_type == STORED_ANSWER:
            response = replayed_answer(row.status, row.body)
        else:  # a notice written when a person was forgotten, kept whole
            response = Response(row.body, status=row.status, content_type=row.content_type)
        if row.etag:
            response.headers["ETag"] = row.etag
        return response

    def remember(self, response: Response) -> Response:
        claimed: RequestKey | None = g.pop("idempotency", None)
        recipe = g.pop("idempotency_recipe", None)
        serving.set(None)
        if claimed is None:
            return response
        mine = _key(claimed.owner, claimed.key) & (idempotency_keys.c.claim == claimed.claim)
        try:
            with self.engine.begin() as conn:
                if response.status_code >= 500 or response.status_code in TRANSIENT:
                    conn.execute(delete(idempotency_keys).where(mine))
                else:
                    conn.execute(update(idempotency_keys).where(mine).values(
                        status=response.status_code, body=stored_answer(response, recipe),
                        content_type=STORED_ANSWER, etag=response.headers.get("ETag")))
        except Exception as error:
            if not self.unreachable(error):
                raise
            # The answer is not kept; a retry learns from the store whether the request was recorded.
            log.warning("the answer to a request with an Idempotency-Key could not be kept: the database is away")
        return response

    def release(self, error: BaseException | None) -> None:
        claimed: RequestKey | None = g.pop("idempotency", None)
        serving.set(None)
        if claimed is None:
            return
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(idempotency_keys).where(
                    _key(claimed.owner, claimed.key) & (idempotency_keys.c.claim == claimed.claim)))
        except Exception as failure:
            if not self.unreachable(failure):
                raise
            # The claim stays until its lease runs out; the next retry takes it over.
