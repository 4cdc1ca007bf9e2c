"""Bad input, stale versions, retries and limits: clear answers, and nothing recorded changed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest

from service import create_app
from tests.e2e.conftest import build_world
from tests.e2e.test_api_authorization import ENDPOINTS, fill

SMUGGLED = {"stage": "closed", "hub_id": str(uuid4()), "role": "admin", "version": 99}


def values(world, hub="own"):
    return {"issue": world.issues[hub], "hub": world.hubs[hub], "contribution": world.contributions[hub],
            "action": world.actions[hub], "account": world.ids["hub_manager"], "role": "x",
            "decision": world.decisions[hub], "bystander": world.ids["owner2"], "round": world.issues[hub],
            "second_issue": world.issues[hub], "session": world.sessions[hub]}  # a round's address: refused before it is read


def store_size(world) -> int:
    return world.app.recorder.max_notification_id()


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.method == "POST"], ids=lambda e: e.name)
def test_extra_fields_on_any_write_are_refused_and_change_nothing(world, endpoint):
    before = store_size(world)
    own_fields = set(endpoint.body or {})
    for field, value in SMUGGLED.items():
        if field in own_fields:
            continue
        body = {**(fill(endpoint.body, values(world)) or {}), field: value}
        response = world.call("admin" if "MANAGE" in endpoint.permission.name else "hub_manager", "POST",
                              fill(endpoint.path, values(world)), body)
        assert response.status_code == 422, (field, response.json)
        assert response.json["errors"][field] == ["Unknown field."]
        assert response.headers["Content-Type"] == "application/problem+json"
    assert store_size(world) == before


def test_validation_names_every_bad_field_and_rule(world):
    response = world.call("hub_manager", "POST", f"/api/v1/issues/{world.issues['own']}/advance",
                          {"to": "onwards", "level": "top"})
    assert response.status_code == 422
    assert response.json["errors"] == {"to": ["must be one of: frame, explore, act, learn, closed"],
                                       "level": ["must be one of: coercion, educating, informing, consultation, "
                                                 "engagement, co-design, co-production"],
                                       "reason": ["Missing data for required field."]}


@pytest.mark.parametrize("body, content_type, status", [
    ("{not json", "application/json", 422), ("[1, 2]", "application/json", 422), ("", "application/json", 422),
    ("text", "text/plain", 415)])
def test_a_body_that_is_not_a_json_object_gets_a_problem(world, body, content_type, status):
    response = world.client.post(f"/api/v1/issues/{world.issues['own']}/framing", data=body,
                                 headers={**world.auth("hub_manager"), "Content-Type": content_type})
    assert response.status_code == status and response.json["status"] == status


def test_unknown_ids_and_other_hubs_are_not_found(world):
    assert world.call("expert", "GET", f"/api/v1/issues/{uuid4()}").status_code == 404
    assert world.call("expert", "GET", f"/api/v1/issues/{world.issues['other']}").status_code == 404
    assert world.call("expert", "GET", f"/api/v1/issues/{world.hubs['own']}").status_code == 404
    assert world.call("expert", "GET", "/api/v1/issues/not-a-uuid").status_code == 404
    assert world.call("expert", "GET", "/api/v1/nowhere").json["status"] == 404


def test_a_refused_move_lists_every_unmet_criterion(world):
    response = world.call("hub_manager", "POST", f"/api/v1/issues/{world.issues['own']}/advance",
                          {"to": "explore", "reason": "go", "level": "informing"})
    assert response.status_code == 409
    assert response.json["missing"] == ["no framing statement yet (the problem and who it affects)"]
    response = world.call("hub_manager", "POST", f"/api/v1/issues/{world.issues['own']}/advance",
                          {"to": "learn", "reason": "", "level": "informing"})
    assert response.status_code == 422 and "reason" in response.json["errors"]


def test_a_stale_if_match_is_refused_with_412_and_loses_nothing(world):
    path = f"/api/v1/issues/{world.issues['own']}"
    etag = world.call("hub_manager", "GET", path).headers["ETag"]
    first = world.call("hub_manager", "POST", f"{path}/stakeholders", {"name": "A", "kind": "k"}, {"If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] != etag
    stale = world.call("hub_manager", "POST", f"{path}/stakeholders", {"name": "B", "kind": "k"}, {"If-Match": etag})
    assert stale.status_code == 412 and "reload" in stale.json["detail"]
    assert [s["name"] for s in world.call("hub_manager", "GET", path).json["stakeholders"]] == ["A"]
    bad = world.call("hub_manager", "POST", f"{path}/stakeholders", {"name": "C", "kind": "k"}, {"If-Match": "yesterday"})
    assert bad.status_code == 422 and "If-Match" in bad.json["errors"]


def test_a_retried_post_with_the_same_idempotency_key_records_once(world):
    path = f"/api/v1/issues/{world.issues['own']}/stakeholders"
    before = store_size(world)
    headers = {"Idempotency-Key": "add-university-1"}
    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: world.call("hub_manager", "POST", path, {"name": "University", "kind": "u"},
                                                     headers), range(5)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.get_data() for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 4
    assert store_size(world) == before + 1
    other = world.call("hub_manager", "POST", path, {"name": "Someone else", "kind": "u"}, headers)
    assert other.status_code == 422 and "different request" in other.json["detail"]
    assert other.headers["Idempotent-Replayed"] == "false"  # refused: nothing was replayed


def test_a_body_over_the_limit_gets_413(world):
    response = world.call("hub_manager", "POST", f"/api/v1/issues/{world.issues['own']}/framing",
                          {"problem": "x" * 100_000, "affected": "a"})
    assert response.status_code == 413 and response.json["title"] == "Request Entity Too Large"


def test_page_size_is_capped(world):
    response = world.call("auditor", "GET", "/api/v1/accounts?page_size=1000")
    assert response.status_code == 422 and "page_size" in response.json["errors"]
    assert world.call("auditor", "GET", "/api/v1/accounts?page_size=2").status_code == 200


def test_too_many_requests_get_429(tmp_path):
    app = create_app({"database_url": f"sqlite:///{tmp_path}/limits.db", "rate_limit": "5 per minute",
                      "sign_in_limit": "2 per minute"})
    try:
        client = app.test_client()
        world = build_world(client, app.extensions["coproduce"])
        answers = [world.call("expert", "GET", "/api/v1/me").status_code for _ in range(7)]
        assert answers[:5] == [200] * 5 and answers[5:] == [429, 429]
        guesses = [client.post("/api/v1/tokens", json={"username": "expert", "password": "guess"}).status_code
                   for _ in range(3)]
        assert guesses == [401, 401, 429]
    finally:
        app.extensions["coproduce"].close()


def test_a_position_past_any_the_store_can_hold_is_bad_input_not_a_crash(world):
    response = world.call("auditor", "GET", "/api/v1/audit?after=76693164343071556484726784")
    assert response.status_code == 422 and "after" in response.json["errors"]


def test_a_hub_is_not_made_with_the_name_of_another(world):
    before = world.app.recorder.max_notification_id()
    answer = world.call("admin", "POST", "/api/v1/hubs", json={"name": " own HUB ", "area": "Fens", "lifecycle": "planning"})
    assert answer.status_code == 409 and answer.json["detail"] == "a hub called 'own HUB' already exists"
    assert world.app.recorder.max_notification_id() == before


@pytest.mark.parametrize("path", ["/api/v1/issues/6076", "/api/v1/issues/not-a-uuid", "/api/v1/nowhere",
                                  "/api/v1/hubs/6076/issues"])
def test_an_address_no_api_route_answers_is_problem_json_saying_ids_are_given_in_full(world, path):
    response = world.call("expert", "GET", path)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    detail = response.json["detail"]
    assert "requested URL" not in detail and "in full" in detail and "/api/v1/docs" in detail


def test_a_404_from_a_route_keeps_its_own_words(world):
    response = world.call("expert", "GET", f"/api/v1/tokens/{uuid4()}")
    assert response.json["detail"] == "You have no token with that id."
