"""Through the doors: a change of someone's ways by staff is shown to them (API, web), a hand-over at a
session held before its news is refused beside the field (API 422, web, command line), and a new
code's receipt shows staff no issues of the person's unnamed input (web)."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from click.testing import CliRunner

from domain import Attribution, Channel
from service.cli.main import cli
from tests.e2e.conftest import World
from tests.e2e.test_ways_in import CODE, session_form, signed_in, token_on

SPY = {"ways": ["email"], "topics": ["feedback"], "how_often": "each_time", "email": "fran-spy@example.org"}


def test_an_expert_sees_who_changed_their_ways_at_the_api_and_on_their_page(world: World):
    # given
    hub, session = world.hubs["own"], world.sessions["own"]
    world.call("expert", "PUT", "/api/v1/me/contact", json={"ways": ["email"], "email": "expert@example.org"})
    # when a facilitator replaces them
    changed = world.call("facilitator", "PUT", f"/api/v1/hubs/{hub}/sessions/{session}/contact/{world.ids['expert']}",
                         json=SPY)
    assert changed.status_code == 204, changed.text
    # then
    mine = world.call("expert", "GET", "/api/v1/me/contact").json
    assert mine["changed_by_someone_else"] is True and mine["last_changed_by"] == "Facilitator Person"
    assert "Library drop-in on 1 September 2023" in mine["last_changed_at"] and mine["last_changed_on"]
    page = signed_in(world, "expert").get("/me/contact").text
    assert "Facilitator Person last changed these for you" in page and "tell your hub" in page


def _news_for_the_hub(world: World) -> tuple[str, str]:
    app = world.app
    world.call("expert", "PUT", "/api/v1/me/contact", json={"ways": ["hub"]})
    issue = app.raise_issue(world.hubs["own"], "The form asks too much", app.actor_for("hub_manager"))
    said = app.record_contribution(issue, world.ids["expert"], "Words.", app.actor_for("expert"),
                                   channel=Channel.ONLINE, may_quote=True, attribution=Attribution.NAME)
    app.give_feedback(issue, "We changed the form.", [said], app.actor_for("hub_manager"))
    [item] = world.call("facilitator", "GET", f"/api/v1/hubs/{world.hubs['own']}/hand-over").json
    early = app.record_session(world.hubs["own"], app.actor_for("facilitator"), held_on=date(2023, 3, 21),
                               place="Ely", format="drop-in", experts_attended=4, staff_attended=1)
    return item["message_key"], str(early)


def test_a_hand_over_dated_before_its_news_is_refused_naming_the_field_at_every_door(world: World, api_config):
    key, early = _news_for_the_hub(world)
    hub = world.hubs["own"]
    # the API: 422, the field named
    answer = world.call("facilitator", "POST", f"/api/v1/hubs/{hub}/hand-overs",
                        json={"session_id": early, "message_keys": [key]})
    assert answer.status_code == 422, answer.text
    assert "21 March 2023" in answer.json["errors"]["session_id"][0]
    # the web page: the error beside the field
    fran = signed_in(world, "facilitator")
    sheet = fran.get(f"/hubs/{hub}/hand-over")
    page = fran.post(f"/hubs/{hub}/hand-over", data={"csrf_token": token_on(sheet.text), "session_id": early,
                                                     "message_keys": [key]})
    assert page.status_code == 422 and "21 March 2023" in page.text
    assert re.search(r'id="session_id-error"|session_id-error', page.text)
    # the command line: one line
    env = {"COPRODUCE_DATABASE_URL": api_config["database_url"], "COPRODUCE_PROJECTIONS": "inline"}
    said = CliRunner().invoke(cli, ["hand-over", str(hub), key, "--session", early, "--as", "facilitator"], env=env)
    assert said.exit_code == 1 and said.output.strip().count("\n") == 0
    assert said.output.startswith("Refused: --session:") and "21 March 2023" in said.output
    # nothing was recorded; a session held today is accepted
    assert len(world.call("facilitator", "GET", f"/api/v1/hubs/{hub}/hand-over").json) == 1
    today = world.app.record_session(hub, world.app.actor_for("facilitator"), held_on=datetime.now(timezone.utc).date(),
                                     place="Ely", format="drop-in", experts_attended=4, staff_attended=1)
    done = world.call("facilitator", "POST", f"/api/v1/hubs/{hub}/hand-overs",
                      json={"session_id": str(today), "message_keys": [key]})
    assert done.status_code == 200 and done.json == {"handed_over": 1}


def test_a_new_code_shows_a_manager_no_issue_of_someones_unnamed_input(world: World):
    # given someone new who gave input with no name, written down by the facilitator
    facilitator = signed_in(world, "facilitator")
    code = CODE.search(session_form(world, facilitator, new_name="", may_quote="no").text).group(0)
    person = world.app.tracked(code).account_id
    title = world.app.issue(world.issues["own"]).title
    # when the hub manager gives them a new code
    manager = signed_in(world, "hub_manager")
    listed = manager.get(f"/hubs/{world.hubs['own']}/someone-new").text
    page = manager.get(f"/someone-new/{person}/new-code")
    renewed = manager.post(f"/someone-new/{person}/new-code", data={"csrf_token": token_on(page.text)})
    # then the new code is shown, but not the issue their input is on, nor on its PDF's page
    assert renewed.status_code == 200 and CODE.search(renewed.text)
    assert title not in renewed.text and title not in listed
    # while the facilitator who wrote it down still sees it on the receipt they give
    form = facilitator.get(f"/someone-new/{person}/new-code").text
    again = facilitator.post(f"/someone-new/{person}/new-code", data={"csrf_token": token_on(form)})
    assert title in again.text
