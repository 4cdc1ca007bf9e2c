"""A copy of everything held about a person: every event by or about them, from the log, and nothing of
anyone else beyond what the disclosure table lets them see; each copy recorded; a large one streamed."""

from __future__ import annotations

import json
import time

import pytest

from domain import Attribution, Channel, Role
from tests.e2e.test_corrections import RIGHT, WRONG, written  # noqa: F401  (fixture)

JO_WORDS, JO_SURNAME = "JO-CANARY-words-not-to-be-quoted", "Canarysurname"


def _copy(world, who: str) -> tuple[dict, str]:
    answer = world.call(who, "GET", "/api/v1/me/data")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    return answer.json, answer.text


def _about(world, person: str, theirs: set[str]) -> set[int]:
    """Positions of the log's events that hold the person's id or touch their input: read from the log itself."""
    app, found, position = world.app, set(), 0
    while batch := app.recorder.select_notifications(position, 500, inclusive_of_start=False):
        for notification in batch:
            event = app.mapper.to_domain_event(notification)
            said = json.dumps(vars(event), default=str)
            if person in said or any(c in said for c in theirs):
                found.add(notification.id)
        position = batch[-1].id
    return found


@pytest.fixture
def lived(world, written):
    """The expert's input, written down and then corrected, answered and rated; Jo's beside it, not named."""
    app = world.app
    admin, manager, expert = app.actor_for("admin"), app.actor_for("hub_manager"), app.actor_for("expert")
    issue = world.issues["own"]
    world.ids["jo"] = app.open_account("jo", Role.EXPERT, f"Jo {JO_SURNAME}", "jo@example.org", admin,
                                       hub_ids=[world.hubs["own"]])
    _, world.tokens["jo"] = app.credentials.issue_token(world.ids["jo"], "tests")
    jo = app.actor_for("jo")
    jos = app.record_contribution(issue, world.ids["jo"], JO_WORDS, jo, channel=Channel.ONLINE, may_quote=False,
                                  attribution=Attribution.ANONYMOUS)
    app.correct_contribution(issue, written, RIGHT, expert)
    app.give_feedback(issue, "We asked the council", [written, world.contributions["own"], jos], manager)
    decision = world.decisions["own"]
    app.rate_participation(issue, decision, "consultation", expert)
    app.rate_participation(issue, decision, "informing", jo)
    return world


def test_the_copy_holds_every_event_about_the_person_and_nothing_of_anyone_else(lived):
    world = lived
    copy, text = _copy(world, "expert")
    expert = str(world.ids["expert"])
    theirs = {s["contribution_id"] for s in copy["input"]}
    assert theirs == {str(world.contributions["own"]), *[s["contribution_id"] for s in copy["input"]]}
    assert {e["position"] for e in copy["history"]} == _about(world, expert, theirs)
    # their own words, the old ones included, and the feedback on them
    assert RIGHT in text and WRONG in text and "We asked the council" in text
    assert [r["felt"] for r in copy["ratings"]] == ["consultation"]
    # nothing of Jo: not her id, her words, her name, nor how the decision felt to her
    for canary in (str(world.ids["jo"]), JO_WORDS, JO_SURNAME, "informing"):
        assert canary not in text, canary


def test_who_wrote_input_down_sees_it_as_the_table_lets_them(lived):
    copy, text = _copy(lived, "facilitator")
    recorded = [e for e in copy["history"] if e["kind"] == "ContributionRecorded"]
    assert recorded and all(e["details"]["text"] is None and "contributor_id" not in e["details"] for e in recorded)
    assert str(lived.ids["expert"]) not in text and RIGHT not in text and WRONG not in text


def test_each_copy_is_recorded_in_the_audit_trail_and_only_admins_may_copy_someone_elses(lived):
    world, expert = lived, lived.ids["expert"]
    path = f"/api/v1/accounts/{expert}/data?requested_by=the+person+by+letter"
    for who in ("auditor", "hub_manager", "facilitator", "jo", None):
        assert world.call(who, "GET", path).status_code == (401 if who is None else 403)
    assert world.call("admin", "GET", f"/api/v1/accounts/{expert}/data").status_code == 422
    assert world.call("admin", "GET", path).status_code == 200
    _copy(world, "expert")
    given = world.call("auditor", "GET", f"/api/v1/audit?kind=CopyGiven&aggregate=Account").json
    assert [(g["aggregate_id"], g["actor_role"]) for g in given] == [(str(expert), "admin"), (str(expert), "expert")]


def test_a_copy_of_ten_thousand_events_streams_in_under_five_seconds(world):
    # given: an expert with 10,000 pieces of input on one issue, recorded in one save
    app, expert = world.app, world.app.actor_for("expert")
    issue = app.issue(world.issues["own"])
    for n in range(10_000):
        issue.record_contribution(expert.account_id, app.sealer.seal(expert.account_id, f"Input {n}"), expert,
                                  Channel.ONLINE, True, Attribution.NAME)
    app._save(issue)
    app.projections.catch_up()  # as they are long before anyone asks: 10,000 pieces of input come over years
    # when
    started = time.perf_counter()
    answer = world.call("expert", "GET", "/api/v1/me/data")
    body = answer.get_data()
    took = time.perf_counter() - started
    # then
    copy = json.loads(body)
    assert len(copy["input"]) == 10_001 and len(copy["history"]) > 10_000
    print(f"copy of {len(copy['history'])} events, {len(body) / 1e6:.1f} MB, in {took:.2f} s")
    assert took < 5, took


def test_the_copy_holds_how_they_hear_from_us_their_messages_and_that_they_voted_never_how(tmp_path):
    # given: the demo, where Alex chose to hear at her hub, was handed her news and voted in a round
    from service import create_app
    from service.demo.load import load_demo

    site = create_app({"database_url": f"sqlite:///{tmp_path}/coproduce.db"})
    app = site.extensions["coproduce"]
    load_demo(app)
    # when
    copy = json.loads("".join(app.copy_of_data(app.actor_for("alex"))))
    # then
    assert copy["contact"]["chosen"] and copy["contact"]["ways"] == ["hub"]
    assert {m["status"] for m in copy["messages"]} >= {"handed_over"} and all("what" not in m for m in copy["messages"])
    assert [v["took_part"] for v in copy["votes"]] == [True]
    ballots = [e["details"] for e in copy["history"] if e["kind"] == "BallotCast"]
    assert ballots and all(details["ballot"] is None for details in ballots)  # sealed, never shown


def test_a_facilitator_s_copy_holds_no_account_code_or_choice_of_the_people_they_acted_for(lived):
    # given the facilitator welcomed someone new, who gave input with no name, and recorded an expert's choice
    world = lived
    app, facilitator = world.app, world.app.actor_for("facilitator")
    welcome = app.record_from_someone_new(world.issues["own"], "", "NEWCOMER-words", facilitator,
                                          channel=Channel.IN_PERSON, may_quote=True,
                                          attribution=Attribution.ANONYMOUS, session_id=world.sessions["own"])
    app.choose_contact_for(world.ids["expert"], world.hubs["own"], world.sessions["own"],
                           {"ways": ["hub"], "topics": ["feedback"], "how_often": "each_time"}, facilitator)
    # when they ask for a copy of their data
    copy, text = _copy(world, "facilitator")
    # then it says what they did, but not whose account, code or choice it was
    acts = {e["kind"] for e in copy["history"] if e["aggregate"] in ("Account", "TrackingCode", "KeepingPosted")}
    assert {"WelcomedWithoutAccount", "ContactChosen"} <= acts
    for theirs in (str(welcome.account_id), str(world.ids["expert"]), "sealed.v1."):
        assert theirs not in text, theirs
