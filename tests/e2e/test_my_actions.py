"""GET /api/v1/me/actions: the actions you own, and nobody else's."""

from __future__ import annotations

from datetime import date

from tests.e2e.test_priority_rounds import signed_in


def test_an_action_owner_gets_their_own_actions_only(world):
    # when
    answer = world.call("action_owner", "GET", "/api/v1/me/actions")
    # then
    assert answer.status_code == 200
    assert [a["action_id"] for a in answer.json] == [str(world.actions["own"])]
    action = answer.json[0]
    assert action["issue_id"] == str(world.issues["own"]) and action["issue_title"] == "An issue in the own hub"
    assert action["hub_id"] == str(world.hubs["own"])
    assert (action["title"], action["due"], action["status"]) == ("Do something", "2030-01-01", "open")
    assert action["last_progress"] is None and action["overdue"] is False
    other = world.call("owner2", "GET", "/api/v1/me/actions").json
    assert [a["action_id"] for a in other] == [str(world.actions["other"])]


def test_progress_and_the_due_date_show_in_the_answer(world):
    # given
    app, issue, action = world.app, world.issues["own"], world.actions["own"]
    app.report_progress(issue, action, "Half done", app.actor_for("action_owner"))
    late = app.commit_action(issue, "Ring the council", world.ids["action_owner"], date(2020, 5, 1),
                             [world.contributions["own"]], app.actor_for("hub_manager"))
    # when
    mine = world.call("action_owner", "GET", "/api/v1/me/actions").json
    # then: the overdue one first
    assert [(a["action_id"], a["overdue"]) for a in mine] == [(str(late), True), (str(action), False)]
    assert mine[1]["last_progress"] == "Half done"


def test_a_finished_action_shows_what_it_ended_with_not_its_old_progress(world):
    # given progress reported, then the action done; another dropped
    app, issue, action = world.app, world.issues["own"], world.actions["own"]
    owner, manager = app.actor_for("action_owner"), app.actor_for("hub_manager")
    app.report_progress(issue, action, "Asked the council", owner)
    app.complete_action(issue, action, "Passes now forwarded for six months", owner)
    stopped = app.commit_action(issue, "Ring the council", world.ids["action_owner"], date(2030, 5, 1),
                                [world.contributions["own"]], manager)
    app.drop_action(issue, stopped, "The council took it on", manager)
    # when the owner reads their actions, through the API and the page
    mine = {a["action_id"]: a for a in world.call("action_owner", "GET", "/api/v1/me/actions").json}
    page = signed_in(world, "action_owner").get("/my-actions").text
    # then each says how it ended
    assert mine[str(action)]["end_note"] == "Passes now forwarded for six months"
    assert mine[str(stopped)]["end_note"] == "The council took it on"
    assert "Done: Passes now forwarded for six months" in page and "Stopped: The council took it on" in page
    assert "Asked the council" not in page


def test_an_expert_owns_no_actions(world):
    answer = world.call("expert", "GET", "/api/v1/me/actions")
    assert answer.status_code == 200 and answer.json == []


def test_my_actions_need_a_token(world):
    answer = world.call(None, "GET", "/api/v1/me/actions")
    assert answer.status_code == 401
    assert answer.headers["Content-Type"].startswith("application/problem+json")
