"""An issue in a hub you may not see is refused exactly like one that does not exist, on the API
and on the pages, so nobody can tell which ids exist."""

from __future__ import annotations

import re
import uuid

from tests.e2e.conftest import PASSWORD


def _web_client(world, username: str):
    client = world.client.application.test_client()
    client.application.config["SESSION_COOKIE_SECURE"] = False
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    answer = client.post("/sign-in", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 303
    return client


def test_an_issue_you_may_not_see_answers_as_if_it_did_not_exist(world):
    theirs, unknown = world.issues["other"], uuid.uuid4()
    api = [world.call("expert", "GET", f"/api/v1/issues/{issue_id}") for issue_id in (theirs, unknown)]
    assert [a.status_code for a in api] == [404, 404]
    details = [a.json["detail"].replace(str(issue_id), "<id>") for a, issue_id in zip(api, (theirs, unknown))]
    assert details[0] == details[1]
    web = _web_client(world, "expert")
    pages = [web.get(f"/issues/{issue_id}") for issue_id in (theirs, unknown)]
    assert [p.status_code for p in pages] == [404, 404]
    same = [re.sub(r'nonce="[^"]+"', "", p.text.replace(str(i), "")) for p, i in zip(pages, (theirs, unknown))]
    assert same[0] == same[1]  # but for the address asked and the page's one-time script nonce
