"""Every endpoint's happy path, through Flask's test client, as the people who use them."""

import json

from tests.e2e.conftest import PASSWORD


def test_a_manager_walks_an_issue_from_raised_to_closed(world):
    w, hub = world, world.hubs["own"]
    # an expert raises an issue and adds input
    raised = w.call("expert", "POST", f"/api/v1/hubs/{hub}/issues", {"title": "Letters to old addresses"})
    assert raised.status_code == 201 and raised.json["stage"] == "frame" and raised.headers["ETag"] == '"1"'
    issue = raised.json["id"]
    base = f"/api/v1/issues/{issue}"
    assert raised.headers["Location"] == base
    said = w.call("expert", "POST", f"{base}/contributions", {
        "text": "A letter came two weeks after I left", "channel": "online", "may_quote": True,
        "attribution": "first_name"})
    assert said.status_code == 201 and said.headers["Location"] == base
    mine = said.json["id"]
    # a facilitator adds input from the same expert, said at a session
    by_facilitator = w.call("facilitator", "POST", f"{base}/contributions", {
        "text": "Missed an appointment because of it", "channel": "in_person", "may_quote": False,
        "attribution": "anonymous", "contributor_id": str(w.ids["expert"]),
        "session_id": str(w.sessions["own"])})
    assert by_facilitator.status_code == 201
    second = by_facilitator.json["id"]
    # the manager frames, selects, themes and moves it on, asking what is missing first
    m = "hub_manager"
    missing = w.call(m, "GET", f"{base}/missing?stage=explore").json
    assert missing == {"stage": "explore", "missing": [
        "no framing statement yet (the problem and who it affects)",
        "no decision yet to select the issue, with its participation level"]}
    assert w.call(m, "POST", f"{base}/framing", {"problem": "Letters go astray", "affected": "People who move often"}).status_code == 200
    assert w.call(m, "POST", f"{base}/selection", {"decision": "Chosen at the drop-in", "level": "co-production"}).status_code == 200
    assert w.call(m, "POST", f"{base}/themes", {"theme": "communication", "contribution_ids": [mine, second]}).status_code == 200
    moved = w.call(m, "POST", f"{base}/advance", {"to": "explore", "reason": "agreed", "level": "co-production"})
    assert moved.status_code == 200 and moved.json["stage"] == "explore"
    finding = w.call(m, "POST", f"{base}/findings", {"summary": "Services use stale addresses", "contribution_ids": [mine]})
    assert finding.status_code == 201 and finding.json["issue"]["findings"][0]["summary"] == "Services use stale addresses"
    assert w.call(m, "POST", f"{base}/stakeholders", {"name": "Housing team", "kind": "service"}).status_code == 200
    assert w.call(m, "POST", f"{base}/advance", {"to": "act", "reason": "agreed", "level": "co-design"}).status_code == 200
    action = w.call(m, "POST", f"{base}/actions", {"title": "Text as well as write", "owner_id": str(w.ids["action_owner"]),
                                                    "due": "2030-06-30", "contribution_ids": [mine, second]})
    assert action.status_code == 201
    action_id = action.json["id"]
    assert w.call("action_owner", "POST", f"{base}/actions/{action_id}/progress", {"note": "Pilot started"}).status_code == 200
    done = w.call("action_owner", "POST", f"{base}/actions/{action_id}/completion", {"note": "Live"})
    assert done.json["actions"][0]["status"] == "completed" and done.json["actions"][0]["progress"] == ["Pilot started"]
    assert w.call(m, "POST", f"{base}/advance", {"to": "learn", "reason": "done", "level": "co-production"}).status_code == 200
    assert w.call(m, "POST", f"{base}/learning", {"what_changed": "Fewer missed appointments",
                                                  "evidence": "Clinic figures"}).status_code == 201
    refused = w.call(m, "POST", f"{base}/closure", {"outcome": "Fixed", "level": "co-production"})
    assert refused.status_code == 409 and refused.json["missing"] == ["2 contributions await feedback"]
    assert refused.headers["Content-Type"] == "application/problem+json"
    feedback = w.call(m, "POST", f"{base}/feedback", {"message": "You said, we did: texts now go out too",
                                                     "contribution_ids": [mine, second]})
    assert feedback.status_code == 201
    closed = w.call(m, "POST", f"{base}/closure", {"outcome": "Texts and letters both", "level": "co-production"})
    assert closed.status_code == 200 and closed.json["stage"] == "closed" and closed.json["outcome"] == "Texts and letters both"
    # the expert reads the whole story
    history = w.call("expert", "GET", f"{base}/history?page_size=50")
    assert history.status_code == 200 and len(history.json) == 17
    assert history.json[-1]["what"] == "closed the issue with the outcome: Texts and letters both"
    assert json.loads(history.headers["X-Pagination"])["total"] == 17
    assert [entry["version"] for entry in history.json] == list(range(1, 18))


def test_parking_reopening_moving_back_withdrawing_and_dropping(world):
    w, base = world, f"/api/v1/issues/{world.issues['own']}"
    contribution, action = world.contributions["own"], world.actions["own"]
    assert w.call("hub_manager", "POST", f"{base}/parking", {"reason": "waiting for a contact"}).json["parked_reason"] == "waiting for a contact"
    assert w.call("hub_manager", "POST", f"{base}/reopening", {"reason": "contact named"}).json["parked_reason"] is None
    dropped = w.call("hub_manager", "POST", f"{base}/actions/{action}/drop", {"reason": "no budget"})
    assert dropped.json["actions"][0]["status"] == "dropped"
    withdrawn = w.call("expert", "POST", f"{base}/contributions/{contribution}/withdrawal")
    assert withdrawn.status_code == 200 and withdrawn.json["contributions"][0]["text_status"] == "withdrawn"
    back = w.call("hub_manager", "POST", f"{base}/move-back", {"to": "frame", "reason": "x", "level": "informing"})
    assert back.status_code == 409 and "Frame is not before Frame" in back.json["missing"]


def test_hubs_sessions_and_accounts(world):
    w, hub = world, world.hubs["own"]
    hubs = w.call("expert", "GET", "/api/v1/hubs")
    assert [h["name"] for h in hubs.json] == ["Own hub"]
    assert {h["name"] for h in w.call("auditor", "GET", "/api/v1/hubs").json} == {"Own hub", "Other hub"}
    created = w.call("admin", "POST", "/api/v1/hubs", {"name": "Wisbech", "area": "Fenland", "lifecycle": "planning"})
    assert created.status_code == 201 and created.json["lifecycle"] == "planning"
    new_hub = created.json["id"]
    assert created.headers["Location"] == f"/api/v1/hubs/{new_hub}"
    assert w.call("admin", "POST", f"/api/v1/hubs/{new_hub}/lifecycle", {"to": "active"}).json["lifecycle"] == "active"
    assert w.call("admin", "GET", f"/api/v1/hubs/{new_hub}").json["name"] == "Wisbech"
    session = w.call("facilitator", "POST", f"/api/v1/hubs/{hub}/sessions", {
        "held_on": "2023-10-12", "place": "Littleport", "format": "workshop", "experts_attended": 6, "staff_attended": 2})
    assert session.status_code == 201 and session.json["place"] == "Littleport"
    assert len(w.call("expert", "GET", f"/api/v1/hubs/{hub}/sessions").json) == 2
    assert [i["title"] for i in w.call("expert", "GET", f"/api/v1/hubs/{hub}/issues").json] == ["An issue in the own hub"]
    account = w.call("admin", "POST", "/api/v1/accounts", {"username": "lee", "role": "hub_manager", "name": "Lee B",
                                                          "password": PASSWORD, "hub_ids": [new_hub]})
    assert account.status_code == 201 and account.json["hub_ids"] == [new_hub]
    lee = account.json["id"]
    assert w.call("admin", "GET", f"/api/v1/hubs/{new_hub}").json["manager_ids"] == [lee]
    assert w.call("admin", "POST", f"/api/v1/accounts/{lee}/hubs", {"hub_id": str(hub)}).status_code == 200
    assert w.call("admin", "POST", f"/api/v1/accounts/{lee}/role", {"role": "facilitator"}).json["role"] == "facilitator"
    assert w.call("admin", "POST", f"/api/v1/hubs/{new_hub}/managers", {"account_id": str(w.ids["hub_manager"])}).status_code == 200
    assert w.call("auditor", "GET", f"/api/v1/accounts/{lee}").json["username"] == "lee"
    assert "lee" in [a["username"] for a in w.call("auditor", "GET", "/api/v1/accounts?page_size=100").json]


def test_signing_in_tokens_and_passwords(world):
    w = world
    token = w.client.post("/api/v1/tokens", json={"username": "expert", "password": PASSWORD, "label": "phone"})
    assert token.status_code == 201 and token.json["token"].startswith("cp_") and token.json["label"] == "phone"
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    assert w.client.get("/api/v1/me", headers=headers).json["username"] == "expert"
    labels = [t["label"] for t in w.client.get("/api/v1/tokens", headers=headers).json]
    assert labels == ["tests", "phone"]
    assert w.client.delete(f"/api/v1/tokens/{token.json['id']}", headers=headers).status_code == 204
    revoked = w.client.get("/api/v1/me", headers=headers)
    assert revoked.status_code == 401 and "revoked" in revoked.json["detail"]
    me = w.ids["expert"]
    changed = w.call("expert", "POST", f"/api/v1/accounts/{me}/password",
                     {"current_password": PASSWORD, "password": "a much longer secret"})
    assert changed.status_code == 204
    assert w.client.post("/api/v1/tokens", json={"username": "expert", "password": PASSWORD}).status_code == 401
    assert w.client.post("/api/v1/tokens", json={"username": "expert", "password": "a much longer secret"}).status_code == 201
    short = w.call("expert", "POST", f"/api/v1/accounts/{me}/password",
                   {"current_password": "a much longer secret", "password": "short"})
    assert short.status_code == 422 and "password" in short.json["errors"]


def test_my_input_is_read_a_page_at_a_time_newest_first(world):
    w = world
    issue = w.call("expert", "POST", f"/api/v1/hubs/{w.hubs['own']}/issues", {"title": "Buses after six"}).json["id"]
    for n in range(3):
        assert w.call("expert", "POST", f"/api/v1/issues/{issue}/contributions", {
            "text": f"Input {n}", "channel": "online", "may_quote": True, "attribution": "name"}).status_code == 201
    whole = w.call("expert", "GET", "/api/v1/me/input?page_size=100")
    total = json.loads(whole.headers["X-Pagination"])["total"]
    assert total == len(whole.json) >= 3 and whole.json[0]["text"] == "Input 2"
    pages = [w.call("expert", "GET", f"/api/v1/me/input?page_size=2&page={page}") for page in range(1, total // 2 + 2)]
    assert all(json.loads(p.headers["X-Pagination"])["total"] == total for p in pages)
    assert [s["contribution_id"] for p in pages for s in p.json] == [s["contribution_id"] for s in whole.json]
