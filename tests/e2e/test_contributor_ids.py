"""Recording input for someone else tells no account apart: no such id, an expert of another hub, another
role and a person who asked to be forgotten all get the same answer, at the API, in the application (every
door's way in) and on the command line."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from domain import NotFound
from tests.integration.test_cli import run  # noqa: F401  (the fixture: the command line on a new file)

BODY = {"text": "said at a drop-in", "channel": "in_person", "may_quote": False, "attribution": "anonymous"}


def _someone_forgotten(world):
    app = world.app
    person = app.open_account("gone", "expert", "Gone Person", "gone@example.org", app.actor_for("admin"),
                              hub_ids=[world.hubs["own"]])
    app.forget(person, "the person", "their request", app.actor_for("admin"))
    return person


def test_a_facilitator_gets_one_answer_for_every_account_they_may_not_record_input_for(world):
    probes = {"no one": uuid4(), "an expert of another hub": world.ids["expert2"],
              "a manager": world.ids["hub_manager"], "someone forgotten": _someone_forgotten(world)}
    answers = {}
    for who, person in probes.items():
        response = world.call("facilitator", "POST", f"/api/v1/issues/{world.issues['own']}/contributions",
                              json={**BODY, "contributor_id": str(person)})
        assert response.status_code == 404, (who, response.json)
        answers[who] = (response.status_code, response.json["detail"].replace(str(person), "<id>"))
    assert len(set(answers.values())) == 1, answers
    detail = answers["no one"][1]
    assert detail == "no expert of this hub with id <id>"
    for revealing in ("expert2", "hub_manager", "gone", "forgotten", "member", "expert."):
        assert revealing not in detail
    worked = world.call("facilitator", "POST", f"/api/v1/issues/{world.issues['own']}/contributions",
                        json={**BODY, "contributor_id": str(world.ids["expert"]),
                              "session_id": str(world.sessions["own"])})
    assert worked.status_code == 201


def test_the_application_answers_the_same_for_every_door(world):
    app, facilitator = world.app, world.app.actor_for("facilitator")
    words = set()
    for person in (uuid4(), world.ids["expert2"], world.ids["hub_manager"], _someone_forgotten(world)):
        with pytest.raises(NotFound) as refused:
            app.record_contribution(world.issues["own"], person, "words", facilitator, channel="in_person",
                                    may_quote=False, attribution="anonymous")
        words.add(str(refused.value).replace(str(person), "<id>"))
    assert words == {"no expert of this hub with id <id>"}


def test_the_command_line_answers_the_same_for_every_username(run):
    run("init")
    for hub in ("Peterborough", "Wisbech"):
        run("add-hub", hub, "--area", hub, "--lifecycle", "active", "--as", "admin")
    for name, role, hub in [("fay", "facilitator", "Peterborough"), ("kim", "expert", "Peterborough"),
                            ("lee", "expert", "Wisbech"), ("priya", "hub_manager", "Peterborough"),
                            ("jo", "expert", "Peterborough")]:
        run("add-account", name, "--role", role, "--name", name.title(), "--hub", hub, "--as", "admin")
    run("forget", "jo", "--requested-by", "the person", "--authority", "their request", "--as", "admin")
    issue = re.search(r"[0-9a-f-]{36}", run("raise", "Peterborough", "Drop-in times clash", "--as", "kim")).group(0)
    session = re.search(r"[0-9a-f-]{36}", run("record-session", "Peterborough", "--date", "2024-05-01", "--place",
                                              "Library", "--format", "drop-in", "--experts", "3", "--staff", "1",
                                              "--as", "fay")).group(0)
    refusals = {re.sub(r"'[^']*'|[0-9a-f-]{36}", "<who>", run("contribute", issue, "--text", "words", "--for", name,
                                                            "--as", "fay", ok=False))
                for name in ("ghost", "lee", "priya", "jo")}
    assert len(refusals) == 1, refusals
    assert "no expert of this hub" in refusals.pop()
    run("contribute", issue, "--text", "words", "--for", "kim", "--session", session, "--as", "fay")
