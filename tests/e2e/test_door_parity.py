"""Every door decides by the same rules: one table of (person, command, target), run through the
HTTP API, the web forms and the command line, must get the same decision at each door, and a
refusal must record nothing.

Each door gets a world of its own (two hubs, a person in every role, an issue in each hub with
an expert's input and an owned action), built the same way, so that what one door records
cannot change what another is asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

import pytest
from click.testing import CliRunner

from domain import Role
from service import create_app
from service.cli.main import cli
from tests.e2e.doors import OpenContext
from tests.e2e.conftest import PASSWORD, World, build_world

ALLOWED, FORBIDDEN, NOT_FOUND = "allowed", "forbidden", "not found"
PEOPLE = ["expert", "jo", "facilitator", "hub_manager", "action_owner", "auditor", "admin", "manager2",
          "expert2"]
HUBS = ["own", "other"]


class Door(Enum):
    API = "api"
    WEB = "web"
    CLI = "cli"


@dataclass(frozen=True)
class Command:
    """One thing a person may ask for, as each door spells it."""

    name: str
    api: Callable[[World, str], tuple[str, str, dict | None]]  # method, path, body
    web: Callable[[World, str], tuple[str, dict]] | None  # path, form
    cli: Callable[[World, str], list[str]] | None  # arguments before --as


def _issue(w: World, hub: str) -> str:
    return str(w.issues[hub])


def _on_issue(slug: str, api_path: str, body: Callable[[World, str], dict], cli_args: Callable[[World, str], list[str]]
              | None = None, form: Callable[[World, str], dict] | None = None) -> tuple:
    return (lambda w, h: ("POST", f"/api/v1/issues/{_issue(w, h)}/{api_path.format(**_ids(w, h))}", body(w, h)),
            lambda w, h: (f"/issues/{_issue(w, h)}/{slug}", (form or body)(w, h)),
            cli_args)


def _ids(w: World, hub: str) -> dict[str, str]:
    return {"contribution": str(w.contributions[hub]), "action": str(w.actions[hub])}


REASON = {"reason": "Waiting for the council's answer"}
COMMANDS = [
    Command("rename", *_on_issue("rename", "title", lambda w, h: {"title": "Seeing a GP with no address"},
                                 lambda w, h: ["rename", _issue(w, h), "Seeing a GP with no address"])),
    Command("frame", *_on_issue("frame", "framing", lambda w, h: {"problem": "No GP", "affected": "People moving on"},
                                lambda w, h: ["frame", _issue(w, h), "--problem", "No GP", "--affected", "People"])),
    Command("park", *_on_issue("park", "parking", lambda w, h: REASON,
                               lambda w, h: ["park", _issue(w, h), "--reason", REASON["reason"]])),
    Command("withdraw the expert's input", *_on_issue(
        "withdraw", "contributions/{contribution}/withdrawal", lambda w, h: {},
        lambda w, h: ["withdraw", _issue(w, h), str(w.contributions[h])],
        form=lambda w, h: {"contribution_id": str(w.contributions[h])})),
    Command("give feedback", *_on_issue(
        "feedback", "feedback", lambda w, h: {"message": "We raised it", "contribution_ids": [str(w.contributions[h])]},
        lambda w, h: ["feedback", _issue(w, h), "We raised it", "--contribution", str(w.contributions[h])])),
    Command("report progress", *_on_issue(
        "progress", "actions/{action}/progress", lambda w, h: {"note": "Met the practice"},
        lambda w, h: ["progress", _issue(w, h), str(w.actions[h]), "Met the practice"],
        form=lambda w, h: {"action_id": str(w.actions[h]), "note": "Met the practice"})),
    Command("drop the action", *_on_issue(
        "drop", "actions/{action}/drop", lambda w, h: REASON,
        lambda w, h: ["drop-action", _issue(w, h), str(w.actions[h]), "--reason", REASON["reason"]],
        form=lambda w, h: {"action_id": str(w.actions[h]), **REASON})),
    Command("rate a decision", *_on_issue(
        "rate", "ratings", lambda w, h: {"decision": w.decisions[h], "level": "consultation"}, None)),
    Command("commit an action", *_on_issue(
        "action", "actions", lambda w, h: {"title": "Ask the practice", "owner_id": str(w.ids["action_owner"]),
                                           "due": "2031-01-01", "contribution_ids": [str(w.contributions[h])]},
        lambda w, h: ["commit-action", _issue(w, h), "Ask the practice", "--owner", "action_owner",
                      "--due", "2031-01-01"])),
    Command("say it in plain words", *_on_issue("summary", "summary", lambda w, h: {"summary": "No GP, no help"},
                                                lambda w, h: ["summarise", _issue(w, h), "No GP, no help"])),
]
COMMANDS += [
    Command("correct the expert's input",
            lambda w, h: ("POST", f"/api/v1/issues/{_issue(w, h)}/contributions/{w.contributions[h]}/correction",
                          {"text": "my words, as I said them"}),
            lambda w, h: (f"/issues/{_issue(w, h)}/input/{w.contributions[h]}/correct",
                          {"text": "my words, as I said them"}),
            lambda w, h: ["correct", _issue(w, h), str(w.contributions[h]), "--text", "my words, as I said them"]),
    Command("change the consent of the expert's input",
            lambda w, h: ("POST", f"/api/v1/issues/{_issue(w, h)}/contributions/{w.contributions[h]}/consent",
                          {"may_quote": True, "attribution": "first_name"}),
            lambda w, h: (f"/issues/{_issue(w, h)}/input/{w.contributions[h]}/consent",
                          {"may_quote": "yes", "attribution": "first_name"}),
            lambda w, h: ["consent", _issue(w, h), str(w.contributions[h]), "--quote", "--attribution", "first_name"]),
    Command("confirm the expert's input",
            lambda w, h: ("POST", f"/api/v1/issues/{_issue(w, h)}/contributions/{w.contributions[h]}/confirmation", {}),
            lambda w, h: (f"/issues/{_issue(w, h)}/input/{w.contributions[h]}/confirm", {}),
            lambda w, h: ["confirm", _issue(w, h), str(w.contributions[h])]),
]
OWN_INPUT = {"withdraw the expert's input", "correct the expert's input", "confirm the expert's input",
             "change the consent of the expert's input"}
HUB_COMMANDS = [
    Command("record when the hub started",
            lambda w, h: ("POST", f"/api/v1/hubs/{w.hubs[h]}/opened-on", {"opened_on": "2023-03-06"}),
            lambda w, h: (f"/admin/hubs/{w.hubs[h]}/opened-on", {"opened_on": "2023-03-06"}),
            lambda w, h: ["hub-opened", str(w.hubs[h]), "2023-03-06"]),
    Command("turn the public page on",
            lambda w, h: ("POST", f"/api/v1/hubs/{w.hubs[h]}/publishing", {"published": True}),
            lambda w, h: (f"/hubs/{w.hubs[h]}/publishing", {"publish": "on"}),
            lambda w, h: ["publish", str(w.hubs[h])]),
    Command("record input from someone new",
            lambda w, h: ("POST", f"/api/v1/issues/{_issue(w, h)}/someone-new", {
                "name": "Kit", "text": "The bus", "may_quote": True, "attribution": "first_name",
                "session_id": str(w.sessions[h])}),
            lambda w, h: (f"/hubs/{w.hubs[h]}/sessions/new", {
                "held_on": "2026-03-06", "place": "Library", "format": "drop-in", "experts_attended": "3",
                "staff_attended": "1", "row1-issue_id": _issue(w, h), "row1-contributor_id": "new",
                "row1-text": "The bus", "row1-may_quote": "yes", "row1-attribution": "first_name"}), None),
]
ROUND_COMMANDS = [
    Command("vote in the hub's priority round",
            lambda w, h: ("PUT", f"/api/v1/rounds/{w.rounds[h]}/ballot", {"dots": [{"issue_id": _issue(w, h), "dots": 1}]}),
            lambda w, h: (f"/rounds/{w.rounds[h]}/ballot", {f"dots-{_issue(w, h)}": "1"}),
            lambda w, h: ["vote", str(w.rounds[h]), "--dots", f"{_issue(w, h)}=1"]),
    Command("record a paper dot-vote",
            lambda w, h: ("POST", f"/api/v1/rounds/{w.rounds[h]}/tallies", {
                "session_id": str(w.sessions[h]), "voters": 2, "dots": [{"issue_id": _issue(w, h), "dots": 4}]}),
            lambda w, h: (f"/rounds/{w.rounds[h]}/tally", {"session_id": str(w.sessions[h]), "voters": "2",
                                                           f"dots-{_issue(w, h)}": "4"}),
            lambda w, h: ["tally", str(w.rounds[h]), "--session", str(w.sessions[h]), "--voters", "2",
                          "--dots", f"{_issue(w, h)}=4"]),
]
READS = [
    Command("read the issue", lambda w, h: ("GET", f"/api/v1/issues/{_issue(w, h)}", None),
            lambda w, h: (f"/issues/{_issue(w, h)}", {}), lambda w, h: ["show", _issue(w, h)]),
    Command("read its history", lambda w, h: ("GET", f"/api/v1/issues/{_issue(w, h)}/history", None),
            lambda w, h: (f"/issues/{_issue(w, h)}/history", {}), lambda w, h: ["history", _issue(w, h)]),
    Command("read the accountability report",
            lambda w, h: ("GET", f"/api/v1/hubs/{w.hubs[h]}/accountability", None),
            lambda w, h: (f"/hubs/{w.hubs[h]}/accountability", {}), None),
]
ACCOUNT_COMMANDS = [
    Command("forget a person", lambda w, h: ("POST", f"/api/v1/accounts/{w.ids['leaver']}/forget",
                                             {"requested_by": "Them", "authority": "Their request"}),
            lambda w, h: (f"/admin/accounts/{w.ids['leaver']}/forget",
                          {"requested_by": "Them", "authority": "Their request"}),
            lambda w, h: ["forget", "leaver", "--requested-by", "Them", "--authority", "Their request"]),
    Command("create a hub", lambda w, h: ("POST", "/api/v1/hubs", {"name": "Wisbech", "area": "Fens",
                                                                   "lifecycle": "planning"}),
            lambda w, h: ("/admin/hubs/new", {"name": "Wisbech", "area": "Fens", "lifecycle": "planning"}),
            lambda w, h: ["add-hub", "Wisbech", "--area", "Fens", "--lifecycle", "planning"]),
    Command("read the audit trail", lambda w, h: ("GET", "/api/v1/audit", None), lambda w, h: ("/audit", {}), None),
    Command("copy someone's data", lambda w, h: ("GET", f"/api/v1/accounts/{w.ids['jo']}/data?requested_by=a+letter",
                                                 None),
            lambda w, h: (f"/admin/accounts/{w.ids['jo']}/copy", {"requested_by": "a letter"}),
            lambda w, h: ["copy-of-data", "jo", "--requested-by", "a letter"]),
]

MANAGE = {"hub_manager": "own", "manager2": "other"}
MEMBERS = {"own": {"expert", "jo", "facilitator", "hub_manager", "action_owner"},
           "other": {"manager2", "expert2"}}


def expected(command: str, person: str, hub: str) -> str:
    """What the product's authorization table says, written out by hand for this world."""
    everywhere = person in ("auditor", "admin")
    if command == "copy someone's data":  # their own copy, or (admins) anyone's
        return ALLOWED if person in ("admin", "jo") else FORBIDDEN
    if command in ("forget a person", "create a hub"):
        return ALLOWED if person == "admin" else FORBIDDEN
    if command == "read the audit trail":
        return ALLOWED if everywhere else FORBIDDEN
    if not everywhere and person not in MEMBERS[hub]:
        return NOT_FOUND
    if command in ("read the issue", "read its history"):
        return ALLOWED
    if command == "record when the hub started":
        return ALLOWED if person == "admin" else FORBIDDEN
    if command == "turn the public page on":
        return ALLOWED if person == "admin" or MANAGE.get(person) == hub else FORBIDDEN
    if command == "record input from someone new":  # a manager may, by the table; the domain then refuses
        return ALLOWED if (person, hub) == ("facilitator", "own") or MANAGE.get(person) == hub else FORBIDDEN
    if command == "read the accountability report":
        return ALLOWED if everywhere or MANAGE.get(person) == hub else FORBIDDEN
    if command in OWN_INPUT:
        return ALLOWED if (person, hub) in (("expert", "own"), ("expert2", "other")) else FORBIDDEN
    if command == "vote in the hub's priority round":
        return ALLOWED if person in ("expert", "jo", "expert2") else FORBIDDEN
    if command == "record a paper dot-vote":
        return ALLOWED if (person, hub) == ("facilitator", "own") or MANAGE.get(person) == hub else FORBIDDEN
    if command == "rate a decision":
        return ALLOWED if person in ("expert", "jo", "expert2") else FORBIDDEN
    if command == "report progress":
        return ALLOWED if (person, hub) == ("action_owner", "own") or MANAGE.get(person) == hub else FORBIDDEN
    return ALLOWED if MANAGE.get(person) == hub else FORBIDDEN


CASES = [(c, person, hub) for c in COMMANDS + HUB_COMMANDS + ROUND_COMMANDS + READS for person in PEOPLE
         for hub in HUBS] + \
        [(c, person, "own") for c in ACCOUNT_COMMANDS for person in PEOPLE]


def _log_head(world: World) -> int:
    return world.app.recorder.max_notification_id() or 0


def _world(app, client) -> World:
    world = build_world(client, app)
    admin = app.account(world.ids["admin"]).as_actor()
    world.ids["jo"] = app.open_account("jo", Role.EXPERT, "Jo Carter", "", admin, hub_ids=[world.hubs["own"]])
    world.ids["leaver"] = app.open_account("leaver", Role.EXPERT, "Lee Leaver", "", admin,
                                           hub_ids=[world.hubs["own"]])
    _, world.tokens["jo"] = app.credentials.issue_token(world.ids["jo"], "tests")
    world.rounds = {}
    for hub, manager in (("own", "hub_manager"), ("other", "manager2")):
        another = app.raise_issue(world.hubs[hub], "Bus passes", app.actor_for(manager))
        world.rounds[hub] = app.open_round(world.hubs[hub], [world.issues[hub], another], date.today() + timedelta(days=30),
                                           app.actor_for(manager))
    return world


@pytest.fixture
def doors(store, monkeypatch):
    monkeypatch.setattr("service.cli.main.Context", OpenContext)
    """A world for each door on the store under test (SQLite or PostgreSQL), read models caught up inline."""
    monkeypatch.setenv("COPRODUCE_PROJECTIONS", "inline")
    url = store.url.render_as_string(hide_password=False)
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", url)
    flask_app = create_app({"database_url": url, "rate_limit": "100000 per minute",
                            "sign_in_limit": "100000 per minute"})
    flask_app.config["SESSION_COOKIE_SECURE"] = False
    yield flask_app
    flask_app.extensions["coproduce"].close()


def _api(world: World, person: str, command: Command, hub: str) -> str:
    method, path, body = command.api(world, hub)
    answer = world.call(person, method, path, json=body)
    assert answer.status_code < 500, answer.text
    return {403: FORBIDDEN, 404: NOT_FOUND}.get(answer.status_code, ALLOWED)


def _web(world: World, person: str, command: Command, hub: str, clients: dict) -> str:
    client = clients.get(person) or clients.setdefault(person, _signed_in(world, person))
    path, form = command.web(world, hub)
    if command in READS or command.name == "read the audit trail":
        answer = client.get(path)
    else:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-out").text).group(1)
        issue = world.app.issue(world.issues[hub]) if "/issues/" in path else None
        answer = client.post(path, data={**form, "csrf_token": token, **({"version": issue.version} if issue else {})})
    assert answer.status_code < 500, answer.text
    return {403: FORBIDDEN, 404: NOT_FOUND}.get(answer.status_code, ALLOWED)


def _signed_in(world: World, person: str):
    world.app.set_password(world.ids[person], PASSWORD)
    client = world.client.application.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    answer = client.post("/sign-in", data={"username": person, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 303, answer.text
    return client


def _cli(world: World, person: str, command: Command, hub: str) -> str:
    OpenContext.shared = world.app
    result = CliRunner().invoke(cli, [*command.cli(world, hub), "--as", person], catch_exceptions=False)
    if result.exit_code == 0:
        return ALLOWED
    said = result.output
    assert "Traceback" not in said
    if "may not do this here" in said:
        return FORBIDDEN
    if re.search(r"no (issue|hub|priority round) with id", said):
        return NOT_FOUND
    assert result.exit_code == 1 and "Refused:" in said, said
    return ALLOWED  # refused by a workflow rule: the table let them ask


def _run(door: Door, flask_app, person_commands) -> dict[tuple[str, str, str], str]:
    app = flask_app.extensions["coproduce"]
    world = _world(app, flask_app.test_client())
    decisions, clients = {}, {}
    for command, person, hub in person_commands:
        spelled = {Door.API: command.api, Door.WEB: command.web, Door.CLI: command.cli}[door]
        if spelled is None:
            continue
        before = _log_head(world)
        if door is Door.API:
            decision = _api(world, person, command, hub)
        elif door is Door.WEB:
            decision = _web(world, person, command, hub, clients)
        else:
            decision = _cli(world, person, command, hub)
        if decision != ALLOWED:
            assert _log_head(world) == before, f"{door.value}: {person} {command.name} in {hub}: refused but recorded"
        decisions[(command.name, person, hub)] = decision
    return decisions


def _ordered(cases):
    """Account changes last: forgetting someone must not change what the other cases ask."""
    return sorted(cases, key=lambda case: case[0] in ACCOUNT_COMMANDS)


@pytest.mark.parametrize("door", list(Door), ids=lambda d: d.value)
def test_every_door_decides_by_the_one_table(doors, door):
    decisions = _run(door, doors, _ordered(CASES))
    wrong = {case: (got, expected(*case)) for case, got in decisions.items() if got != expected(*case)}
    assert not wrong, f"{door.value} door decided differently from the table: {wrong}"
    assert len(decisions) >= 60
