"""GET/PUT /api/v1/me/contact and the hand-over at a hub, through the HTTP API."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from domain import Attribution, Channel
from tests.e2e.conftest import World

GOOD = {"ways": ["email", "text", "letter"], "topics": ["feedback"], "how_often": "weekly",
        "email": "alex@example.org", "phone": "07700 900123", "postal_address": "1 High Street\nEly\nCB7 4AA"}


def test_a_person_sets_and_reads_back_how_we_keep_them_posted(world: World):
    assert world.call("expert", "GET", "/api/v1/me/contact").json["chosen"] is False
    answer = world.call("expert", "PUT", "/api/v1/me/contact", json=GOOD)
    assert answer.status_code == 200, answer.text
    again = world.call("expert", "GET", "/api/v1/me/contact").json
    assert again["ways"] == ["email", "text", "letter"] and again["phone"] == "07700 900123"
    assert world.call("expert2", "GET", "/api/v1/me/contact").json["chosen"] is False  # only your own


@pytest.mark.parametrize("field, value", [
    ("email", "not an address"), ("email", "<script>@x"), ("phone", "12"), ("phone", "0770O 900123"),
    ("postal_address", "1 High Street"), ("postal_address", "1 High St\nEly\nnot a postcode"),
    ("postal_address", "1 High St\u0000\nEly\nCB7 4AA"), ("ways", ["pigeon"]), ("how_often", "hourly"),
])
def test_a_bad_address_or_number_gets_422_naming_the_field_and_changes_nothing(world: World, field, value):
    before = world.app.recorder.max_notification_id()
    answer = world.call("expert", "PUT", "/api/v1/me/contact", json={**GOOD, field: value})
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert field in answer.json["errors"]
    assert world.app.recorder.max_notification_id() == before


def test_a_way_without_its_detail_is_refused_by_the_rule_naming_the_detail(world: World):
    before = world.app.recorder.max_notification_id()
    answer = world.call("expert", "PUT", "/api/v1/me/contact", json={"ways": ["text"]})
    assert answer.status_code == 409 and "phone" in answer.json["detail"]
    assert world.app.recorder.max_notification_id() == before


def test_news_for_the_hub_is_handed_over_once_and_only_by_its_own_people(world: World):
    app = world.app
    world.call("expert", "PUT", "/api/v1/me/contact", json={"ways": ["hub"]})
    issue = app.raise_issue(world.hubs["own"], "The form asks too much", app.actor_for("hub_manager"))
    named = app.record_contribution(issue, world.ids["expert"], "The form asks for an address.", app.actor_for("expert"),
                                    channel=Channel.ONLINE, may_quote=True, attribution=Attribution.NAME)
    app.give_feedback(issue, "We asked the GP practice to change the form.", [named],
                      app.account(world.ids["hub_manager"]).as_actor())
    hub = world.hubs["own"]
    assert world.call("manager2", "GET", f"/api/v1/hubs/{hub}/hand-over").status_code == 404
    assert world.call("expert", "GET", f"/api/v1/hubs/{hub}/hand-over").status_code == 403
    sheet = world.call("facilitator", "GET", f"/api/v1/hubs/{hub}/hand-over").json
    assert [item["kind"] for item in sheet] == ["feedback"]
    today = datetime.now(timezone.utc).date()  # a hand-over is at a session held once the news came
    session = app.record_session(hub, app.account(world.ids["facilitator"]).as_actor(), held_on=today,
                                 place="Ely", format="drop-in", experts_attended=4, staff_attended=1)
    body = {"session_id": str(session), "message_keys": [sheet[0]["message_key"]]}
    assert world.call("manager2", "POST", f"/api/v1/hubs/{hub}/hand-overs", json=body).status_code == 404
    done = world.call("facilitator", "POST", f"/api/v1/hubs/{hub}/hand-overs", json=body)
    assert done.status_code == 200 and done.json == {"handed_over": 1}
    assert world.call("facilitator", "POST", f"/api/v1/hubs/{hub}/hand-overs", json=body).status_code == 409
    assert world.call("facilitator", "GET", f"/api/v1/hubs/{hub}/hand-over").json == []


def _feedback_on_new_input(world: World, title: str, *attributions: Attribution) -> str:
    app, expert = world.app, world.app.actor_for("expert")
    issue = app.raise_issue(world.hubs["own"], title, app.actor_for("hub_manager"))
    given = [app.record_contribution(issue, world.ids["expert"], f"Said with {how.value}.", expert,
                                     channel=Channel.ONLINE, may_quote=True, attribution=how) for how in attributions]
    app.give_feedback(issue, f"Answered on {title}.", given[:1], app.actor_for("hub_manager"))
    for later in given[1:]:
        app.withdraw_contribution(issue, later, expert)
    return title


def test_the_sheet_names_people_as_they_chose_and_leaves_off_news_on_an_issue_of_their_unnamed_input(world: World):
    world.call("expert", "PUT", "/api/v1/me/contact", json={"ways": ["hub"]})
    in_full = _feedback_on_new_input(world, "Forms in full", Attribution.NAME)
    first = _feedback_on_new_input(world, "Forms by first name", Attribution.FIRST_NAME)
    # unnamed input on the issue, withdrawn since: staff saw it given, so the news would still tie it to them
    _feedback_on_new_input(world, "Forms with unnamed input", Attribution.NAME, Attribution.ANONYMOUS)
    sheet = world.call("facilitator", "GET", f"/api/v1/hubs/{world.hubs['own']}/hand-over").json
    assert sorted((item["issue_title"], item["name"]) for item in sheet) == [
        (first, "Expert"), (in_full, "Expert Person")]
    page = world.call("hub_manager", "GET", f"/api/v1/hubs/{world.hubs['own']}/hand-over").json
    assert page == sheet  # the same for every member of staff who hands news over


def test_contact_details_are_never_stored_plain_logged_or_exported(world: World, caplog):
    import logging
    import uuid
    caplog.set_level(logging.DEBUG)
    canary = f"canary{uuid.uuid4().hex[:12]}"
    details = {**GOOD, "email": f"{canary}@example.org", "postal_address": f"{canary} House\nEly\nCB7 4AA"}
    assert world.call("expert", "PUT", "/api/v1/me/contact", json=details).status_code == 200
    exported = world.call("auditor", "GET", "/api/v1/audit/export?format=jsonl")
    assert exported.status_code == 200 and canary not in exported.text
    assert canary not in world.call("auditor", "GET", "/api/v1/audit/log").text
    assert canary not in caplog.text
    with world.app.engine.connect() as conn:
        from sqlalchemy import text
        tables = [row[0] for row in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
        for table in tables:
            assert canary not in str(conn.execute(text(f'SELECT * FROM "{table}"')).all()), table


def test_recording_a_choice_at_a_session_says_the_same_for_no_account_and_someone_of_another_hub(world: World):
    app, hub = world.app, world.hubs["own"]
    today = datetime.now(timezone.utc).date()  # a hand-over is at a session held once the news came
    session = app.record_session(hub, app.account(world.ids["facilitator"]).as_actor(), held_on=today,
                                 place="Ely", format="drop-in", experts_attended=4, staff_attended=1)
    body = {"ways": ["hub"], "topics": ["feedback"], "how_often": "each_time"}
    said = set()
    for person in ("00000000-0000-4000-8000-000000000000", str(world.ids["expert2"])):
        answer = world.call("facilitator", "PUT", f"/api/v1/hubs/{hub}/sessions/{session}/contact/{person}", json=body)
        assert answer.status_code == 404
        said.add(answer.json["detail"].replace(person, "<id>"))
    assert said == {"no expert of this hub with id <id>"}
