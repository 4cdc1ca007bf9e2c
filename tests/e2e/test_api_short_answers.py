"""`Prefer: return=minimal` (RFC 7240): a command answers with the ids and the new version only."""

from __future__ import annotations

import pytest

MINIMAL = {"Prefer": "return=minimal"}


def contribute(world, headers=None):
    return world.call("expert", "POST", f"/api/v1/issues/{world.issues['own']}/contributions",
                      {"text": "The bus stops at six.", "channel": "online", "may_quote": True,
                       "attribution": "anonymous"}, headers)


def test_a_short_answer_to_new_input_names_it_and_the_issues_new_version(world):
    issue = world.issues["own"]
    response = contribute(world, MINIMAL)
    assert response.status_code == 201
    assert response.headers["Preference-Applied"] == "return=minimal"
    version = world.app.issue(issue).version
    assert response.headers["ETag"] == f'"{version}"'
    assert response.headers["Location"] == f"/api/v1/issues/{issue}"
    assert response.json == {"id": response.json["id"], "issue": {"id": str(issue), "version": version}}
    shown = world.call("expert", "GET", f"/api/v1/issues/{issue}").json["contributions"]
    assert response.json["id"] in [c["id"] for c in shown]


def test_a_short_answer_to_a_change_is_the_issues_id_and_version(world):
    issue = world.issues["own"]
    response = world.call("hub_manager", "POST", f"/api/v1/issues/{issue}/stakeholders",
                          {"name": "University", "kind": "u"}, {"Prefer": 'handling=lenient, RETURN="minimal"; x=1'})
    assert response.status_code == 200
    assert response.json == {"id": str(issue), "version": world.app.issue(issue).version}
    assert response.headers["ETag"] == f'"{response.json["version"]}"'


@pytest.mark.parametrize("prefer", [None, "return=representation", "respond-async", "return"])
def test_clients_not_asking_for_a_short_answer_get_the_whole_issue(world, prefer):
    response = contribute(world, {"Prefer": prefer} if prefer else None)
    assert response.status_code == 201
    assert "Preference-Applied" not in response.headers
    assert response.json["issue"]["contributions"][-1]["id"] == response.json["id"]
    assert response.json["issue"]["version"] == world.app.issue(world.issues["own"]).version


def test_reading_an_issue_always_gives_all_of_it(world):
    response = world.call("expert", "GET", f"/api/v1/issues/{world.issues['own']}", headers=MINIMAL)
    assert "contributions" in response.json and "Preference-Applied" not in response.headers


def test_refusals_stay_problem_documents_and_change_nothing(world):
    issue = world.issues["own"]
    path = f"/api/v1/issues/{issue}"
    version = world.app.issue(issue).version
    refusals = [
        world.call("hub_manager", "POST", f"{path}/advance", {"to": "explore", "reason": "go", "level": "informing"},
                   MINIMAL),
        world.call("hub_manager", "POST", f"{path}/stakeholders", {"name": "A"}, MINIMAL),
        world.call("hub_manager", "POST", f"{path}/stakeholders", {"name": "A", "kind": "k"},
                   {**MINIMAL, "If-Match": '"1"'}),
        world.call("expert", "POST", f"/api/v1/issues/{world.issues['other']}/stakeholders",
                   {"name": "A", "kind": "k"}, MINIMAL),
        world.call(None, "POST", f"{path}/stakeholders", {"name": "A", "kind": "k"}, MINIMAL),
    ]
    assert [r.status_code for r in refusals] == [409, 422, 412, 404, 401]
    for response in refusals:
        assert response.headers["Content-Type"] == "application/problem+json"
        assert "Preference-Applied" not in response.headers
    assert world.app.issue(issue).version == version
