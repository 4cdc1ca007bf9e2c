"""Answers kept for Idempotency-Key retries hold no one's words, yet a retry is answered as the first time.

A kept answer keeps its status and headers; of its body only ids and versions, and where
the HTTP layer can render it again, a recipe to do so for whoever retries.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from flask import jsonify
from sqlalchemy import insert, select

from service.http import idempotency
from service.infra.idempotency_store import idempotency_keys

SAID = {"channel": "online", "may_quote": True, "attribution": "name"}
MINIMAL = {"Prefer": "return=minimal"}


@pytest.fixture
def api_config(store, monkeypatch, tmp_path):
    """The e2e world on each store (SQLite and PostgreSQL)."""
    monkeypatch.setenv("COPRODUCE_PROJECTIONS", "inline")
    monkeypatch.setenv("COPRODUCE_SIGNING_KEY", str(tmp_path / "signing.pem"))
    return {"database_url": store.url.render_as_string(hide_password=False), "rate_limit": "100000 per minute",
            "sign_in_limit": "1000 per minute"}


def canary(label: str) -> str:
    return f"{label}-canary-{uuid.uuid4().hex}"


def kept_bytes(world) -> list[bytes]:
    """Every column of every row of idempotency_keys, as the bytes the store holds."""
    with world.app.engine.connect() as conn:
        rows = conn.execute(select(idempotency_keys)).all()
    assert rows
    return [value if isinstance(value, bytes) else str(value).encode() for row in rows for value in row
            if value is not None]


def holds(values: list[bytes], secret: str) -> bool:
    return any(secret.encode() in value or secret.encode().hex().encode() in value for value in values)


def contribute(world, words: str, key: str, headers=None):
    return world.call("expert", "POST", f"/api/v1/issues/{world.issues['own']}/contributions",
                      {"text": words, **SAID}, {"Idempotency-Key": key, **(headers or {})})


def test_kept_answers_hold_no_canary_and_replay_the_same_status_etag_and_preference(world):
    words, in_key = canary("words"), canary("key")
    whole, short = contribute(world, words, in_key), contribute(world, words + " again", in_key + "-2", MINIMAL)
    problem_key = canary("problem-key")
    refused = world.call("expert", "POST", f"/api/v1/issues/{world.issues['own']}/contributions",
                         {"text": words, **SAID, words: "smuggled"}, {"Idempotency-Key": problem_key})
    assert (whole.status_code, short.status_code, refused.status_code) == (201, 201, 422)
    assert words in str(whole.json) and words in str(refused.json)  # the first answers show it
    assert short.headers["Preference-Applied"] == "return=minimal"

    kept = kept_bytes(world)
    for secret in (words, in_key, problem_key):
        assert not holds(kept, secret)

    again = contribute(world, words, in_key)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (again.status_code, again.headers["ETag"]) == (201, whole.headers["ETag"])
    assert again.json["id"] == whole.json["id"] and again.json["issue"]["id"] == whole.json["issue"]["id"]
    assert "Preference-Applied" not in again.headers

    short_again = contribute(world, words + " again", in_key + "-2", MINIMAL)
    assert (short_again.status_code, short_again.headers["ETag"]) == (201, short.headers["ETag"])
    assert short_again.headers["Preference-Applied"] == "return=minimal"
    assert short_again.json == short.json  # the short answer is ids and a version: kept whole

    refused_again = world.call("expert", "POST", f"/api/v1/issues/{world.issues['own']}/contributions",
                               {"text": words, **SAID, words: "smuggled"}, {"Idempotency-Key": problem_key})
    assert refused_again.status_code == 422
    assert refused_again.headers["Content-Type"] == "application/problem+json"
    assert refused_again.json["status"] == 422 and refused_again.json["title"] == refused.json["title"]
    assert words not in refused_again.get_data(as_text=True)


def test_a_retried_contribution_is_recorded_once(world):
    words = canary("words")
    before = world.app.recorder.max_notification_id()
    for _ in range(3):
        assert contribute(world, words, "once", MINIMAL).status_code == 201
    assert world.app.recorder.max_notification_id() == before + 1


def test_a_retry_with_another_token_of_the_same_person_is_recorded_once(world):
    # given a client that signed in again before it retried
    words = canary("words")
    before = world.app.recorder.max_notification_id()
    _, second = world.app.credentials.issue_token(world.ids["expert"], "signed in again")
    assert contribute(world, words, "retried", MINIMAL).status_code == 201
    again = contribute(world, words, "retried", {**MINIMAL, "Authorization": f"Bearer {second}"})
    # then the retry is answered as the first, and recorded once
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert world.app.recorder.max_notification_id() == before + 1
    # while someone else's same key is theirs alone
    other = world.call("expert2", "POST", f"/api/v1/issues/{world.issues['other']}/contributions",
                       {"text": words, **SAID}, {"Idempotency-Key": "retried", **MINIMAL})
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers


def test_a_new_account_and_a_token_are_not_kept(world):
    name, contact = canary("name"), canary("contact")
    body = {"username": "kim", "role": "expert", "name": name, "contact": contact,
            "password": "a long enough password", "hub_ids": [str(world.hubs["own"])]}
    made = world.call("admin", "POST", "/api/v1/accounts", body, {"Idempotency-Key": "kim"})
    assert made.status_code == 201 and made.json["name"] == name
    token = world.call(None, "POST", "/api/v1/tokens", {"username": "kim", "password": "a long enough password"},
                       {"Idempotency-Key": "kim-signs-in"})
    assert token.status_code == 201
    kept = kept_bytes(world)
    for secret in (name, contact, token.json["token"]):
        assert not holds(kept, secret)
    again = world.call("admin", "POST", "/api/v1/accounts", body, {"Idempotency-Key": "kim"})
    assert (again.status_code, again.json["id"], again.json["role"]) == (201, made.json["id"], "expert")
    token_again = world.call(None, "POST", "/api/v1/tokens",
                             {"username": "kim", "password": "a long enough password"},
                             {"Idempotency-Key": "kim-signs-in"})
    assert token_again.status_code == 201 and "token" not in token_again.json  # a secret is shown once
    assert token_again.json["id"] == token.json["id"]


def test_a_replayed_whole_answer_shows_the_issue_as_it_now_stands_for_the_person_replaying(world):
    if "issue" not in idempotency._renderers:
        pytest.skip("the HTTP layer does not register how to render an issue's answer again")
    words = canary("words")
    first = contribute(world, words, "render-again")
    assert first.status_code == 201
    again = contribute(world, words, "render-again")
    assert again.get_data() == first.get_data()  # nothing changed since: the very same answer
    issue = world.issues["own"]
    world.call("expert", "POST", f"/api/v1/issues/{issue}/contributions/{first.json['id']}/withdrawal", {})
    later = contribute(world, words, "render-again")
    assert later.headers["ETag"] == first.headers["ETag"]  # the version the command left, as recorded
    mine = next(c for c in later.json["issue"]["contributions"] if c["id"] == first.json["id"])
    assert (mine["text"], mine["text_status"]) == (None, "withdrawn")
    assert later.json["issue"] == world.call("expert", "GET", f"/api/v1/issues/{issue}").json


@pytest.fixture
def recipe_route(flask_app):
    """A route whose answer carries every kind of header worth replaying and marks a recipe."""
    rendered = []

    @flask_app.post("/test-only/recipe")
    def with_recipe():
        idempotency.replay_as("test-only", thing_id="t-1")
        response = jsonify({"id": "t-1", "version": 3, "words": canary("words")})
        response.status_code = 201
        response.headers.update({"ETag": '"3"', "Location": "/test-only/t-1", "Preference-Applied": "return=minimal",
                                 "Vary": "Prefer", "Set-Cookie": "session=secret"})
        return response

    @idempotency.renders("test-only")
    def again(recipe):
        rendered.append(recipe)
        return {"id": recipe["thing_id"], "rendered": True}

    yield rendered
    idempotency._renderers.pop("test-only", None)


def test_a_replay_keeps_every_header_worth_keeping_and_renders_its_recipe(recipe_route, world):
    first = world.client.post("/test-only/recipe", headers={"Idempotency-Key": "r"})
    again = world.client.post("/test-only/recipe", headers={"Idempotency-Key": "r"})
    assert (first.status_code, again.status_code) == (201, 201)
    for header in ("ETag", "Location", "Preference-Applied", "Vary", "Content-Type"):
        assert again.headers[header] == first.headers[header]
    assert "Set-Cookie" not in again.headers
    assert recipe_route == [{"kind": "test-only", "thing_id": "t-1"}]
    assert again.json == {"id": "t-1", "rendered": True}
    assert not holds(kept_bytes(world), first.json["words"])


def test_answers_kept_whole_before_are_scrubbed_and_their_keys_stay_claimed(world):
    words = canary("words")
    with world.app.engine.begin() as conn:
        conn.execute(insert(idempotency_keys).values(
            owner="o" * 64, key="kept-whole", fingerprint="f" * 64, status=201, content_type="application/json",
            body=f'{{"text": "{words}"}}'.encode(), etag='"7"', created_at=datetime.now(timezone.utc)))
    assert contribute(world, canary("other words"), "any key", MINIMAL).status_code == 201
    assert not holds(kept_bytes(world), words)
    with world.app.engine.connect() as conn:
        older = conn.execute(select(idempotency_keys).where(idempotency_keys.c.key == "kept-whole")).one()
    assert (older.status, older.etag) == (409, None)


def test_a_retry_after_an_answer_was_lost_learns_from_the_store_that_it_was_recorded(world):
    # given a contribution recorded under a key, whose answer was never kept (the attempt died
    # after its commit: its claim is gone, as when the claim's attempt was taken over)
    words = canary("words")
    first = contribute(world, words, "lost-answer", MINIMAL)
    assert first.status_code == 201
    with world.app.engine.begin() as conn:
        conn.execute(idempotency_keys.delete())
    before = world.app.recorder.max_notification_id()
    # when it is sent again with the same key
    retried = contribute(world, words, "lost-answer", MINIMAL)
    # then nothing more is recorded, and the retry hears that it was, and what it changed
    assert world.app.recorder.max_notification_id() == before
    assert retried.status_code == 200 and retried.headers["Idempotent-Replayed"] == "true"
    assert retried.json["id"] == str(world.issues["own"])
    assert retried.json["version"] == first.json["issue"]["version"]
    assert retried.headers["ETag"] == first.headers["ETag"]
    again = contribute(world, words, "lost-answer", MINIMAL)  # and that answer is now the one kept
    assert (again.status_code, again.json["version"]) == (200, first.json["issue"]["version"])
