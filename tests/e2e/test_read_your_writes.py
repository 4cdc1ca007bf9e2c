"""A person sees their own change in their very next read, through every door and whichever server
process answers it, whether the read models are caught up just after each answer (the embedded
store's default), by a projection worker, or by nobody: a read that finds them behind brings
them up to date first."""

from __future__ import annotations

import re
import threading

import pytest

from service.bootstrap import http_config, open_application
from service.http import factory

PASSWORD = "correct horse battery"
WORDS = "The lift at the health centre has been broken since March."


@pytest.fixture(params=["caught up after each answer", "a worker that is not running"])
def servers(request, store, app, cast):
    """Two server processes on one store (two applications, each with its own site), and the cast."""
    inline = request.param == "caught up after each answer"
    app.set_password(cast.ids["alex"], PASSWORD)
    config = http_config({"database_url": store.url.render_as_string(hide_password=False),
                          "rate_limit": "100000 per minute", "sign_in_limit": "1000 per minute"})
    opened = [open_application(store, projections_inline=inline) for _ in range(2)]
    yield [factory.create_app(config, each) for each in opened], cast
    for each in opened:
        each.close()


def bearer(site) -> dict[str, str]:
    answer = site.test_client().post("/api/v1/tokens", json={"username": "alex", "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def signed_in(site):
    client = site.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    assert client.post("/sign-in", data={"username": "alex", "password": PASSWORD, "csrf_token": token}).status_code == 303
    return client


def add_input(site, headers, issue_id, words=WORDS):
    answer = site.test_client().post(f"/api/v1/issues/{issue_id}/contributions", headers=headers | {
        "Prefer": "return=minimal"}, json={"text": words, "channel": "online", "may_quote": True,
                                           "attribution": "anonymous"})
    assert answer.status_code == 201, answer.text
    return answer.get_json()["id"]


def test_input_added_through_one_server_is_in_the_very_next_read_of_the_other(servers, app):
    (first, second), cast = servers
    issue = app.raise_issue(cast.hub, "Getting to appointments", cast.manager)
    headers = bearer(first)
    # when the expert adds input through the first server
    added = add_input(first, headers, issue)
    # then the very next read, through the second server's API or its pages, shows it
    mine = second.test_client().get("/api/v1/me/input", headers=headers).get_json()
    assert added in [story["contribution_id"] for story in mine]
    assert WORDS in signed_in(second).get("/my-input").text
    # and the issue's place in the hub's board carries the version the input made
    board = second.extensions["coproduce"].board_issues(cast.hub, cast.manager)
    assert [row.version for row in board if row.issue_id == str(issue)] == [2]


def test_a_change_made_by_another_process_is_in_the_next_read_here(servers, store, cast):
    (first, _), cast = servers
    other = open_application(store, projections_inline=False)  # the command line, say, with no catch-up of its own
    try:
        other.raise_issue(cast.hub, "Hearing loops in clinics", cast.manager)
    finally:
        other.close()
    board = first.test_client().get(f"/api/v1/hubs/{cast.hub}/board", headers=bearer(first))
    titles = [card["title"] for stage in board.get_json()["stages"] for card in stage["issues"]]
    assert "Hearing loops in clinics" in titles


def test_commands_sent_at_once_each_show_in_their_senders_next_read(servers, app):
    (first, second), cast = servers
    issues = [app.raise_issue(cast.hub, f"Issue {n}", cast.manager) for n in range(4)]
    headers = bearer(first)
    seen: list[bool] = []

    def one(n: int) -> None:
        site = (first, second)[n % 2]
        added = add_input(site, headers, issues[n], f"Input {n} about the clinic.")
        mine = (second, first)[n % 2].test_client().get("/api/v1/me/input", headers=headers).get_json()
        seen.append(added in [story["contribution_id"] for story in mine])

    threads = [threading.Thread(target=one, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert seen == [True] * 4
