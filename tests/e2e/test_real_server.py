"""The real thing: `coproduce demo` then `coproduce serve` in their own process, driven over HTTP."""

from __future__ import annotations

import requests

from service.demo.load import DEMO_PASSWORD

def test_a_manager_signs_in_and_moves_a_demo_issue_over_real_http(server):
    token = requests.post(f"{server}/tokens", json={"username": "priya", "password": DEMO_PASSWORD}, timeout=10)
    assert token.status_code == 201
    auth = {"Authorization": f"Bearer {token.json()['token']}"}
    me = requests.get(f"{server}/me", headers=auth, timeout=10).json()
    assert me["name"] == "Priya Natarajan"
    hub = me["hub_ids"][0]
    issues = requests.get(f"{server}/hubs/{hub}/issues", headers=auth, timeout=10).json()
    framing = next(i for i in issues if i["stage"] == "frame")
    path = f"{server}/issues/{framing['id']}"
    current = requests.get(path, headers=auth, timeout=10)
    refused = requests.post(f"{path}/advance", headers={**auth, "If-Match": current.headers["ETag"]},
                            json={"to": "explore", "reason": "ready", "level": "co-production"}, timeout=10)
    assert refused.status_code == 409
    assert refused.json()["missing"] == ["no decision yet to select the issue, with its participation level"]
    selected = requests.post(f"{path}/selection", headers={**auth, "If-Match": current.headers["ETag"]},
                             json={"decision": "Chosen at the drop-in", "level": "co-production"}, timeout=10)
    assert selected.status_code == 200
    moved = requests.post(f"{path}/advance", headers={**auth, "If-Match": selected.headers["ETag"]},
                          json={"to": "explore", "reason": "ready", "level": "co-production"}, timeout=10)
    assert moved.status_code == 200 and moved.json()["stage"] == "explore"
    assert requests.get(f"{server}/openapi.json", timeout=10).json()["info"]["title"] == "Coproduce API"
    assert requests.get(f"{server}/issues/{framing['id']}", timeout=10).status_code == 401


def test_the_server_log_says_the_address_it_listens_at(tmp_path):
    """With reuse_port the master binds nothing; gunicorn's own line named no address ("Listening at:  (8796)")."""
    import re

    from tests.processes import environment, start_server, stop

    process, base = start_server(environment(f"sqlite:///{tmp_path}/served.db"))
    address = base.removesuffix("/api/v1")
    log = stop(process)
    assert re.search(rf"Listening at: {re.escape(address)} \(\d+\)", log), log
    assert "Listening at:  (" not in log
