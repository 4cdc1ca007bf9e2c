"""One rule for what a create answers, one meaning for `position`, one timeline.

A create answers 201 with a Location. What has a URL of its own (a hub, an account, an
issue, a token) answers as that URL's GET does; what lives inside an issue (input, a
finding, an action, feedback, learning) answers `{"id", "issue"}`, its Location the issue.
A session answers itself, its Location the hub's list of sessions.
"""

from __future__ import annotations

import json

import pytest

from service.api.issues import ETAG
from tests.e2e.conftest import PASSWORD

MINIMAL = {"Prefer": "return=minimal"}


def _inside_an_issue(world):
    """What lives inside an issue: (who, path under the issue, body, where the issue lists it)."""
    issue, contribution, owner = world.issues["own"], str(world.contributions["own"]), str(world.ids["action_owner"])
    return {
        "contribution": ("expert", "contributions", {"text": "The bus stops at six.", "channel": "online",
                                                     "may_quote": True, "attribution": "anonymous"}, "contributions"),
        "finding": ("hub_manager", "findings", {"summary": "Timetables end early", "contribution_ids": [contribution]},
                    "findings"),
        "action": ("hub_manager", "actions", {"title": "Ask for a later bus", "owner_id": owner, "due": "2030-01-31",
                                              "contribution_ids": [contribution]}, "actions"),
        "feedback": ("hub_manager", "feedback", {"message": "We asked the council", "contribution_ids": [contribution]},
                     "feedback"),
        "learning": ("hub_manager", "learning", {"what_changed": "A later bus", "evidence": "The timetable"},
                     "learnings"),
    }, issue


@pytest.mark.parametrize("kind", ["contribution", "finding", "action", "feedback", "learning"])
def test_something_new_inside_an_issue_answers_its_id_and_the_issue_at_the_issues_location(world, kind):
    # given
    made, issue = _inside_an_issue(world)
    who, path, body, listed_as = made[kind]
    # when
    created = world.call(who, "POST", f"/api/v1/issues/{issue}/{path}", body)
    # then
    assert created.status_code == 201
    assert set(created.json) == {"id", "issue"}
    assert created.headers["Location"] == f"/api/v1/issues/{issue}"
    read = world.call(who, "GET", created.headers["Location"])
    assert read.status_code == 200 and read.json == created.json["issue"]
    assert read.headers["ETag"] == created.headers["ETag"]
    assert created.json["id"] in [item["id"] for item in read.json[listed_as]]


def test_a_raised_issue_answers_itself_at_its_own_location(world):
    raised = world.call("expert", "POST", f"/api/v1/hubs/{world.hubs['own']}/issues", {"title": "Lifts out of order"})
    assert raised.status_code == 201
    assert raised.headers["Location"] == f"/api/v1/issues/{raised.json['id']}"
    read = world.call("expert", "GET", raised.headers["Location"])
    assert read.json == raised.json and read.headers["ETag"] == raised.headers["ETag"]


def test_a_new_hub_answers_itself_at_its_own_location(world):
    created = world.call("admin", "POST", "/api/v1/hubs", {"name": "Ely", "area": "East Cambs"})
    assert created.status_code == 201
    assert created.headers["Location"] == f"/api/v1/hubs/{created.json['id']}"
    assert world.call("admin", "GET", created.headers["Location"]).json == created.json


def test_a_new_account_answers_itself_at_its_own_location(world):
    created = world.call("admin", "POST", "/api/v1/accounts", {"username": "sam", "role": "expert", "name": "Sam B",
                                                               "hub_ids": [str(world.hubs["own"])]})
    assert created.status_code == 201
    assert created.headers["Location"] == f"/api/v1/accounts/{created.json['id']}"
    assert world.call("admin", "GET", created.headers["Location"]).json == created.json


def test_a_new_token_answers_as_its_own_location_does_with_its_secret_once(world):
    created = world.client.post("/api/v1/tokens", json={"username": "expert", "password": PASSWORD, "label": "tablet"})
    assert created.status_code == 201
    assert created.headers["Location"] == f"/api/v1/tokens/{created.json['id']}"
    read = world.client.get(created.headers["Location"], headers={"Authorization": f"Bearer {created.json['token']}"})
    assert read.status_code == 200 and "token" not in read.json
    assert {**read.json, "token": created.json["token"]} == created.json
    assert read.json["account_id"] == str(world.ids["expert"]) and read.json["label"] == "tablet"
    assert world.call("expert", "GET", created.headers["Location"]).json == read.json


def test_nobody_reads_someone_elses_token(world):
    created = world.client.post("/api/v1/tokens", json={"username": "expert", "password": PASSWORD})
    assert world.call("admin", "GET", created.headers["Location"]).status_code == 404


def test_a_new_session_answers_itself_and_is_listed_at_its_location(world):
    hub = world.hubs["own"]
    created = world.call("facilitator", "POST", f"/api/v1/hubs/{hub}/sessions", {
        "held_on": "2024-02-01", "place": "Church hall", "format": "drop-in", "experts_attended": 3,
        "staff_attended": 1})
    assert created.status_code == 201
    assert created.headers["Location"] == f"/api/v1/hubs/{hub}/sessions"
    assert created.json in world.call("facilitator", "GET", created.headers["Location"]).json


def test_a_short_answer_to_a_create_keeps_its_location(world):
    made, issue = _inside_an_issue(world)
    who, path, body, _ = made["contribution"]
    created = world.call(who, "POST", f"/api/v1/issues/{issue}/{path}", body, MINIMAL)
    assert created.status_code == 201 and created.headers["Location"] == f"/api/v1/issues/{issue}"
    assert set(created.json) == {"id", "issue"} and set(created.json["issue"]) == {"id", "version"}
    raised = world.call("expert", "POST", f"/api/v1/hubs/{world.hubs['own']}/issues", {"title": "Short"}, MINIMAL)
    assert raised.headers["Location"] == f"/api/v1/issues/{raised.json['id']}"


@pytest.mark.parametrize("kind", ["contribution", "issue", "hub"])
def test_a_retried_create_answers_the_same_status_location_and_id(world, kind):
    made, issue = _inside_an_issue(world)
    who, path, body = {
        "contribution": (made["contribution"][0], f"/api/v1/issues/{issue}/contributions", made["contribution"][2]),
        "issue": ("expert", f"/api/v1/hubs/{world.hubs['own']}/issues", {"title": "Retried"}),
        "hub": ("admin", "/api/v1/hubs", {"name": "Retried hub", "area": "Fens"}),
    }[kind]
    key = {"Idempotency-Key": f"shapes-{kind}"}
    first = world.call(who, "POST", path, body, key)
    again = world.call(who, "POST", path, body, key)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert again.json["id"] == first.json["id"]
    assert world.call(who, "GET", again.headers["Location"]).status_code == 200


def test_every_create_in_the_document_names_its_location(world):
    document = world.call(None, "GET", "/api/v1/openapi.json").json
    created = {(method, path): operation["responses"]["201"] for path, operations in document["paths"].items()
               for method, operation in operations.items() if method == "post" and "201" in operation["responses"]}
    assert len(created) == 12
    for operation, answer in created.items():
        assert "Location" in answer.get("headers", {}), operation
    for path in ("/api/v1/hubs/{hub_id}/issues", "/api/v1/issues/{issue_id}/contributions"):
        assert set(ETAG) <= set(created[("post", path)]["headers"])


def test_timeline_entries_carry_the_issues_version_and_the_audit_trail_its_place_in_the_log(world):
    issue = world.issues["own"]
    entries = world.call("expert", "GET", f"/api/v1/issues/{issue}/timeline?page_size=100").json
    assert all("position" not in entry for entry in entries)
    assert [entry["version"] for entry in entries] == list(range(1, len(entries) + 1))
    assert world.call("expert", "GET", f"/api/v1/issues/{issue}").headers["ETag"] == f'"{entries[-1]["version"]}"'
    audit = world.call("auditor", "GET", f"/api/v1/audit?issue_id={issue}").json
    assert [event["kind"] for event in audit] == [entry["kind"] for entry in entries]
    assert all("version" not in event for event in audit)
    places = [event["position"] for event in audit]
    assert places == sorted(places) and places[-1] > len(entries)  # other aggregates' events came in between
    later = world.call("auditor", "GET", f"/api/v1/audit?issue_id={issue}&after={places[0]}").json
    assert [event["position"] for event in later] == places[1:]


def test_a_rating_names_its_decision_by_the_version_the_timeline_shows(world):
    issue = world.issues["own"]
    selected = [e for e in world.call("expert", "GET", f"/api/v1/issues/{issue}/timeline?kind=Selected").json]
    assert selected[0]["version"] == world.decisions["own"]
    rated = world.call("expert", "POST", f"/api/v1/issues/{issue}/ratings",
                       {"decision": selected[0]["version"], "level": "consultation"})
    assert rated.status_code == 200


@pytest.mark.parametrize("query", ["", "?stage=frame", "?kind=ContributionRecorded", "?page_size=2&page=2"])
def test_history_answers_as_the_timeline_does(world, query):
    issue = world.issues["own"]
    timeline = world.call("hub_manager", "GET", f"/api/v1/issues/{issue}/timeline{query}")
    history = world.call("hub_manager", "GET", f"/api/v1/issues/{issue}/history{query}")
    assert history.status_code == timeline.status_code == 200
    assert history.json == timeline.json and history.json
    assert json.loads(history.headers["X-Pagination"]) == json.loads(timeline.headers["X-Pagination"])
    assert all({"version", "stage", "contribution_ids"} <= set(entry) for entry in history.json)


def test_a_hub_says_the_day_it_started_once_an_admin_records_it(world):
    hub = f"/api/v1/hubs/{world.hubs['own']}"
    assert world.call("admin", "GET", hub).json["opened_on"] is None
    recorded = world.call("admin", "POST", f"{hub}/opened-on", {"opened_on": "2023-03-06"})
    assert recorded.status_code == 200 and recorded.json["opened_on"] == "2023-03-06"
    assert world.call("expert", "GET", hub).json["opened_on"] == "2023-03-06"
    future = world.call("admin", "POST", f"{hub}/opened-on", {"opened_on": "9998-01-01"})
    assert future.status_code == 409 and "opened_on cannot be in the future" in future.json["detail"]
    created = world.call("admin", "POST", "/api/v1/hubs", {"name": "Ely", "area": "Ely", "opened_on": "2023-09-04"})
    assert created.json["opened_on"] == "2023-09-04"


def test_the_document_introduces_the_api_and_names_its_groups_for_people(world):
    document = world.call(None, "GET", "/api/v1/openapi.json").json
    info = document["info"]
    assert (info["title"], info["version"]) == ("Coproduce API", "v1")
    assert "POST /api/v1/tokens" in info["description"] and "Authorization: Bearer" in info["description"]
    tags = {tag["name"]: tag.get("description") for tag in document["tags"]}
    assert all(description for description in tags.values())
    assert all(" " in name or name[0].isupper() for name in tags), tags  # no snake_case blueprint names
    assert not {"reads", "keeping_posted", "hubs", "issues", "accounts", "rounds"} & set(tags)
    used = {tag for operations in document["paths"].values() for operation in operations.values()
            if isinstance(operation, dict) for tag in operation.get("tags", [])}
    assert used == set(tags)
