"""Priority rounds through the API, the pages and the command line; and that no answer, page or export
of any role reveals how one person voted.

Four issues of the "own" hub are in a round. The expert puts 1 dot on the first and 2 on the third;
Jo puts 3 on the second and then changes her mind (2 on the second, 1 on the fourth); at a drop-in
two people voted on paper (2 on the first, 1 on the second). Closed, the round ranks the first and
the second equal first (3 dots), the third third (2) and the fourth fourth (1).
"""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from uuid import UUID

import pytest
from click.testing import CliRunner

from domain import Role
from domain.clock import now
from service.cli.main import cli
from tests.e2e.conftest import PASSWORD
from tests.e2e.doors import OpenContext

PEOPLE = ["expert", "jo", "kim", "facilitator", "hub_manager", "action_owner", "auditor", "admin", "manager2", "expert2"]
# Every ballot as the round seals it (dots per issue in the round's order): none may ever show in the clear.
BALLOTS = ["01,00,02,00", "00,03,00,00", "00,02,00,01", "01,00,00,00"]


@pytest.fixture
def story(world):
    app = world.app
    admin = app.account(world.ids["admin"]).as_actor()
    for name, full_name in (("jo", "Jo Carter"), ("kim", "Kim Lee")):
        world.ids[name] = app.open_account(name, Role.EXPERT, full_name, "", admin, password=PASSWORD,
                                           hub_ids=[world.hubs["own"]])
        _, world.tokens[name] = app.credentials.issue_token(world.ids[name], "tests")
    manager = app.actor_for("hub_manager")
    issues = [world.issues["own"], *(app.raise_issue(world.hubs["own"], title, manager)
                                     for title in ("Bus passes", "Letters in plain words", "Waiting rooms"))]
    answer = world.call("hub_manager", "POST", f"/api/v1/hubs/{world.hubs['own']}/rounds", json={
        "issue_ids": [str(i) for i in issues], "closes_on": str(now().date() + timedelta(days=14))})
    assert answer.status_code == 201, answer.text
    world.round = answer.json["id"]
    world.round_issues = [str(i) for i in issues]
    return world


def vote(world, who, dots: dict[int, int]):
    return world.call(who, "PUT", f"/api/v1/rounds/{world.round}/ballot",
                      json={"dots": [{"issue_id": world.round_issues[i], "dots": n} for i, n in dots.items()]})


def everyone_votes(world):
    for who, dots in [("expert", {0: 1, 2: 2}), ("jo", {1: 3}), ("jo", {1: 2, 3: 1}), ("kim", {0: 1})]:
        assert vote(world, who, dots).status_code == 200
    a_room_votes_on_paper(world, 2, {0: 1, 1: 1})


def a_room_votes_on_paper(world, voters: int = 2, dots: dict[int, int] | None = None):
    """A paper tally at a session of the hub."""
    tally = world.call("facilitator", "POST", f"/api/v1/rounds/{world.round}/tallies", json={
        "session_id": str(world.sessions["own"]), "voters": voters,
        "dots": [{"issue_id": world.round_issues[i], "dots": n} for i, n in (dots or {3: 1}).items()]})
    assert tally.status_code == 200, tally.text


def more_experts_vote(world, *who: str):
    """Others vote online too, so that the round has the three online voters it needs to be counted."""
    for name in who:
        assert vote(world, name, {3: 1}).status_code == 200


def test_a_round_from_opening_to_a_selection_that_answers_the_vote(story):
    world = story
    everyone_votes(world)
    before = world.call("expert", "GET", f"/api/v1/rounds/{world.round}").json
    assert before["voters"] == 5 and before["ranking"] == [] and before["you_voted"]
    assert before["your_ballot"] == {world.round_issues[0]: 1, world.round_issues[2]: 2}
    closed = world.call("hub_manager", "POST", f"/api/v1/rounds/{world.round}/closing")
    assert closed.status_code == 200, closed.text
    assert [(p["issue_id"], p["rank"], p["dots"]) for p in closed.json["ranking"]] == [
        (world.round_issues[0], 1, 3), (world.round_issues[1], 1, 3), (world.round_issues[2], 3, 2),
        (world.round_issues[3], 4, 1)]
    fourth = world.round_issues[3]
    refused = world.call("hub_manager", "POST", f"/api/v1/issues/{fourth}/selection",
                         json={"decision": "At the hub meeting", "level": "consultation"})
    assert refused.status_code == 409 and "why we did not follow your vote" in refused.json["detail"]
    assert "ranked this issue 4th, outside their top 3" in refused.json["detail"]
    chosen = world.call("hub_manager", "POST", f"/api/v1/issues/{fourth}/selection", json={
        "decision": "At the hub meeting", "level": "consultation",
        "reason_for_experts": "The council will only fund <b>waiting rooms</b> this year"})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json["selection"]["followed_vote"] is False
    report = world.call("auditor", "GET", f"/api/v1/hubs/{world.hubs['own']}/accountability").json["experts_vote"]
    assert (report["followed"], report["selections"]) == (0, 1)
    assert report["reasons"][0]["reason"].startswith("The council") and report["rounds"][0]["voters"] == 5
    history = world.call("expert", "GET", f"/api/v1/issues/{fourth}/history").text
    assert "ranked the issue 4th of 4" in history and "did not follow the experts' vote" in history
    page = signed_in(world, "expert").get(f"/issues/{fourth}").text
    assert "Why we did not follow your vote:" in page and "&lt;b&gt;waiting rooms&lt;/b&gt;" in page


@pytest.mark.parametrize("dots, status", [
    ([{"issue_id": "not-an-id", "dots": 1}], 422), ("three", 422), (None, 422), ([], 422),
    ([{"issue_id": "ISSUE", "dots": 1.5}], 422), ([{"issue_id": "ISSUE", "dots": "2"}], 422),
    ([{"issue_id": "ISSUE", "dots": -1}], 422), ([{"issue_id": "ISSUE", "dots": True}], 422),
    ([{"issue_id": "ISSUE", "dots": 4}], 409), ([{"issue_id": "ISSUE", "dots": 2}, {"issue_id": "ISSUE", "dots": 2}], 409),
    ([{"issue_id": "OTHER", "dots": 1}], 409),
])
def test_bad_ballots_get_a_clear_answer_and_change_nothing(story, dots, status):
    world = story
    sent = json.loads(json.dumps(dots).replace("ISSUE", world.round_issues[0]).replace("OTHER", str(world.issues["other"])))
    body = {} if dots is None else {"dots": sent}
    head = world.app.recorder.max_notification_id()
    answer = world.call("expert", "PUT", f"/api/v1/rounds/{world.round}/ballot", json=body)
    assert answer.status_code == status, answer.text
    assert world.app.recorder.max_notification_id() == head


def test_who_may_vote_tally_and_close(story):
    world = story
    assert vote(story, "hub_manager", {0: 1}).status_code == 403
    assert vote(story, "expert2", {0: 1}).status_code == 404
    assert world.call("expert", "POST", f"/api/v1/rounds/{world.round}/closing").status_code == 403
    assert world.call("manager2", "GET", f"/api/v1/rounds/{world.round}").status_code == 404
    too_big = world.call("facilitator", "POST", f"/api/v1/rounds/{world.round}/tallies", json={
        "session_id": str(world.sessions["own"]), "voters": 5, "dots": [{"issue_id": world.round_issues[0], "dots": 2}]})
    assert too_big.status_code == 409 and "attendance was 4 experts" in too_big.json["detail"]
    assert world.call(None, "GET", f"/api/v1/rounds/{world.round}").status_code == 401


def signed_in(world, person):
    world.app.set_password(world.ids[person], PASSWORD)
    client = world.client.application.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    assert client.post("/sign-in", data={"username": person, "password": PASSWORD, "csrf_token": token}).status_code == 303
    return client


def csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_the_pages_vote_refuse_bad_dots_with_the_form_again_and_show_the_result(story):
    world = story
    hub = world.hubs["own"]
    page = f"/hubs/{hub}/priorities"
    expert = signed_in(world, "expert")
    shown = expert.get(page).text
    assert "What matters most to you?" in shown and "Place my dots" in shown
    first = world.round_issues[0]
    head = world.app.recorder.max_notification_id()
    bad = expert.post(f"/rounds/{world.round}/ballot", data={f"dots-{first}": "lots", "csrf_token": csrf(expert, page)})
    assert bad.status_code == 422 and "must be a whole number" in bad.text
    too_many = expert.post(f"/rounds/{world.round}/ballot", data={f"dots-{first}": "9", "csrf_token": csrf(expert, page)})
    assert too_many.status_code == 422 and "You have 3 dots to place, not 9." in too_many.text
    assert world.app.recorder.max_notification_id() == head
    placed = expert.post(f"/rounds/{world.round}/ballot", data={f"dots-{first}": "3", "csrf_token": csrf(expert, page)})
    assert placed.status_code == 303
    assert 'value="3"' in expert.get(page).text and "Change my dots" in expert.get(page).text
    manager = signed_in(world, "hub_manager")
    assert 'value="3"' not in manager.get(page).text
    new_round = f"/hubs/{hub}/priorities/new"
    assert "Which issues may the experts vote on?" in manager.get(new_round).text
    refused = manager.post(new_round, data={"issue_ids": world.round_issues[:2], "closes_on": "2030-01-01",
                                            "csrf_token": csrf(manager, new_round)})
    assert refused.status_code == 422 and "already has a priority round open" in refused.text
    assert world.app.recorder.max_notification_id() == head + 1
    stale = manager.post(f"/rounds/{world.round}/closing", data={"version": "1", "csrf_token": csrf(manager, page)})
    assert stale.status_code == 409 and "Someone else changed this" in stale.text
    assert world.app.recorder.max_notification_id() == head + 1
    more_experts_vote(world, "jo", "kim")
    shown = manager.get(f"/hubs/{hub}/priorities").text
    version = re.search(r'name="version" value="(\d+)"', shown).group(1)
    closing = {"version": version, "csrf_token": csrf(manager, page)}
    assert manager.post(f"/rounds/{world.round}/closing", data=closing).status_code == 303
    result = expert.get(page).text
    assert "The result of the vote" in result and "1st" in result and "You took part" in result


def test_the_command_line_votes_and_shows_the_round(story, monkeypatch):
    world = story
    monkeypatch.setattr("service.cli.main.Context", OpenContext)
    OpenContext.shared = world.app
    runner = CliRunner()
    voted = runner.invoke(cli, ["vote", world.round, "--dots", f"{world.round_issues[1]}=2", "--as", "jo"])
    assert voted.exit_code == 0, voted.output
    refused = runner.invoke(cli, ["vote", world.round, "--dots", f"{world.round_issues[1]}=5", "--as", "jo"])
    assert refused.exit_code == 1 and "you have 3 dots to place, not 5" in refused.output
    more_experts_vote(world, "expert", "kim")
    shown = runner.invoke(cli, ["close-round", world.round, "--as", "hub_manager"])
    assert shown.exit_code == 0 and "1st" in shown.output and "2 dots  Bus passes" in shown.output


def answers_of(world, person, client) -> list[str]:
    """Everything the person can ask about the round, its issues and the log, at every door that shows it."""
    hub = world.hubs["own"]
    api = [f"/api/v1/rounds/{world.round}", f"/api/v1/hubs/{hub}/rounds", f"/api/v1/hubs/{hub}/accountability",
           "/api/v1/audit?limit=1000", "/api/v1/audit/export?format=csv&limit=1000", "/api/v1/audit/log",
           *(f"/api/v1/issues/{i}{tail}" for i in world.round_issues for tail in ("", "/history", "/timeline"))]
    pages = [f"/hubs/{hub}/priorities", f"/hubs/{hub}/accountability", "/audit",
             *(f"/issues/{i}{tail}" for i in world.round_issues for tail in ("", "/history"))]
    found = [world.call(person, "GET", path).get_data(as_text=True) for path in api]
    found += [client.get(path).get_data(as_text=True) for path in pages]
    for line in found[api.index("/api/v1/audit/log")].splitlines():  # the log's events are base64: read them too
        if '"state"' in line:
            found.append(base64.b64decode(json.loads(line)["state"]).decode("utf-8", "replace"))
    return found


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_no_answer_page_or_export_of_any_role_reveals_an_individual_ballot(story, closed):
    world = story
    everyone_votes(world)
    if closed:
        assert world.call("hub_manager", "POST", f"/api/v1/rounds/{world.round}/closing").status_code == 200
    for person in PEOPLE:
        client = signed_in(world, person)
        for answer in answers_of(world, person, client):
            assert not any(ballot in answer for ballot in BALLOTS), person
        seen = world.call(person, "GET", f"/api/v1/rounds/{world.round}")
        if seen.status_code != 200:
            continue
        own = person in ("expert", "jo", "kim") and not closed  # each voter sees their own while it is open
        assert (seen.json["your_ballot"] is not None) == own, person
        assert bool(seen.json["ranking"]) == closed, person
        page = client.get(f"/hubs/{world.hubs['own']}/priorities").text
        if not own:
            assert not re.search(r'name="dots-[^"]+"[^>]*value="[1-9]', page), person
    if closed:
        sealed = [e.ballot for e in world.app.history(UUID(world.round)) if type(e).__name__ == "BallotCast"]
        assert len(sealed) == 4 and all(world.app.sealer.open(b) is None for b in sealed)


@pytest.mark.parametrize("on_paper", [0, 2], ids=["alone", "beside a paper tally"])
def test_a_round_with_fewer_than_three_voters_online_closes_uncounted_so_no_ballot_can_be_read(story, on_paper):
    # given one expert votes online (beside a room's paper tally, whose counts its facilitator knows),
    # and a manager closes the round
    world = story
    assert vote(world, "jo", {1: 3}).status_code == 200
    if on_paper:
        a_room_votes_on_paper(world, on_paper, {0: 6})
    closed = world.call("hub_manager", "POST", f"/api/v1/rounds/{world.round}/closing")
    assert closed.status_code == 200, closed.text
    # then nobody, the manager included, is shown a count that would be her ballot
    seen = world.call("hub_manager", "GET", f"/api/v1/rounds/{world.round}").json
    assert seen["status"] == "closed" and seen["voters"] == 1 + on_paper and seen["ranking"] == []
    page = signed_in(world, "hub_manager").get(f"/hubs/{world.hubs['own']}/priorities").text
    assert "The dots were not counted" in page and "1st" not in page
    # and the round binds nothing: the hub chooses without a reason to give against it
    assert world.app.reasons_the_vote_asks_for(UUID(world.round_issues[3]), world.app.actor_for("hub_manager")) == []
