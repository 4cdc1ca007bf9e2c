"""The authorization matrix: every endpoint × every role × own hub and other hub,
with the expected answer computed from the one authorization table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest

from domain import Role
from service.app.authorization import READS, TABLE, Decision, Permission as P, Target, Who, decide
from tests.e2e.conftest import ROLES


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str                 # with {issue}, {hub}, {contribution}, {action}, {account} placeholders
    permission: P
    body: dict | None = None
    owner: str | None = None  # "contribution" or "action": the target's owner matters
    scoped: bool = True       # the target lives in a hub


ENDPOINTS = [
    Endpoint("get issue", "GET", "/api/v1/issues/{issue}", P.READ),
    Endpoint("missing", "GET", "/api/v1/issues/{issue}/missing?stage=explore", P.READ),
    Endpoint("history", "GET", "/api/v1/issues/{issue}/history", P.READ),
    Endpoint("rename", "POST", "/api/v1/issues/{issue}/title", P.SHAPE_ISSUE, {"title": "A clearer title"}),
    Endpoint("frame", "POST", "/api/v1/issues/{issue}/framing", P.SHAPE_ISSUE, {"problem": "p", "affected": "a"}),
    Endpoint("select", "POST", "/api/v1/issues/{issue}/selection", P.SHAPE_ISSUE, {"decision": "d", "level": "informing"}),
    Endpoint("contribute", "POST", "/api/v1/issues/{issue}/contributions", P.CONTRIBUTE,
             {"text": "words", "channel": "online", "may_quote": True, "attribution": "anonymous"}),
    Endpoint("withdraw", "POST", "/api/v1/issues/{issue}/contributions/{contribution}/withdrawal", P.WITHDRAW,
             owner="contribution"),
    Endpoint("correct", "POST", "/api/v1/issues/{issue}/contributions/{contribution}/correction", P.CORRECT_INPUT,
             {"text": "my words, as I said them"}, owner="contribution"),
    Endpoint("confirm", "POST", "/api/v1/issues/{issue}/contributions/{contribution}/confirmation", P.CORRECT_INPUT,
             owner="contribution"),
    Endpoint("change consent", "POST", "/api/v1/issues/{issue}/contributions/{contribution}/consent",
             P.CORRECT_INPUT, {"may_quote": True, "attribution": "first_name"}, owner="contribution"),
    Endpoint("theme", "POST", "/api/v1/issues/{issue}/themes", P.SHAPE_ISSUE,
             {"theme": "t", "contribution_ids": ["{contribution}"]}),
    Endpoint("finding", "POST", "/api/v1/issues/{issue}/findings", P.SHAPE_ISSUE,
             {"summary": "s", "contribution_ids": ["{contribution}"]}),
    Endpoint("stakeholder", "POST", "/api/v1/issues/{issue}/stakeholders", P.SHAPE_ISSUE, {"name": "{role}", "kind": "k"}),
    Endpoint("commit action", "POST", "/api/v1/issues/{issue}/actions", P.COMMIT_ACTION,
             {"title": "t", "owner_id": "{account}", "due": "2030-01-01", "contribution_ids": ["{contribution}"]}),
    Endpoint("progress", "POST", "/api/v1/issues/{issue}/actions/{action}/progress", P.REPORT_PROGRESS,
             {"note": "n"}, owner="action"),
    Endpoint("complete", "POST", "/api/v1/issues/{issue}/actions/{action}/completion", P.REPORT_PROGRESS,
             {"note": "n"}, owner="action"),
    Endpoint("drop", "POST", "/api/v1/issues/{issue}/actions/{action}/drop", P.DROP_ACTION, {"reason": "r"},
             owner="action"),
    Endpoint("feedback", "POST", "/api/v1/issues/{issue}/feedback", P.GIVE_FEEDBACK,
             {"message": "m", "contribution_ids": ["{contribution}"]}),
    Endpoint("learning", "POST", "/api/v1/issues/{issue}/learning", P.RECORD_LEARNING, {"what_changed": "w", "evidence": "e"}),
    Endpoint("advance", "POST", "/api/v1/issues/{issue}/advance", P.DECIDE_STAGE,
             {"to": "explore", "reason": "r", "level": "informing"}),
    Endpoint("move back", "POST", "/api/v1/issues/{issue}/move-back", P.DECIDE_STAGE,
             {"to": "frame", "reason": "r", "level": "informing"}),
    Endpoint("park", "POST", "/api/v1/issues/{issue}/parking", P.DECIDE_STAGE, {"reason": "r"}),
    Endpoint("reopen", "POST", "/api/v1/issues/{issue}/reopening", P.DECIDE_STAGE, {"reason": "r"}),
    Endpoint("close", "POST", "/api/v1/issues/{issue}/closure", P.DECIDE_STAGE, {"outcome": "o", "level": "informing"}),
    Endpoint("timeline", "GET", "/api/v1/issues/{issue}/timeline?stage=frame", P.READ),
    Endpoint("rate a decision", "POST", "/api/v1/issues/{issue}/ratings", P.RATE_DECISION,
             {"decision": "{decision}", "level": "consultation"}),
    Endpoint("someone's input", "GET", "/api/v1/accounts/{bystander}/input", P.READ_ACCOUNTS, scoped=False),
    Endpoint("hub board", "GET", "/api/v1/hubs/{hub}/board", P.READ),
    Endpoint("accountability", "GET", "/api/v1/hubs/{hub}/accountability", P.READ_REPORTS),
    Endpoint("audit trail", "GET", "/api/v1/audit?kind=Raised", P.READ_AUDIT, scoped=False),
    Endpoint("audit export", "GET", "/api/v1/audit/export?format=csv", P.READ_AUDIT, scoped=False),
    Endpoint("audit checkpoints", "GET", "/api/v1/audit/checkpoints", P.READ_AUDIT, scoped=False),
    Endpoint("audit log", "GET", "/api/v1/audit/log", P.READ_AUDIT, scoped=False),
    Endpoint("projections", "GET", "/api/v1/projections", P.READ_AUDIT, scoped=False),
    Endpoint("get hub", "GET", "/api/v1/hubs/{hub}", P.READ),
    Endpoint("hub lifecycle", "POST", "/api/v1/hubs/{hub}/lifecycle", P.MANAGE_HUBS, {"to": "established"}),
    Endpoint("hub opened on", "POST", "/api/v1/hubs/{hub}/opened-on", P.MANAGE_HUBS, {"opened_on": "2023-03-06"}),
    Endpoint("hub managers", "POST", "/api/v1/hubs/{hub}/managers", P.MANAGE_HUBS, {"account_id": "{account}"}),
    Endpoint("list sessions", "GET", "/api/v1/hubs/{hub}/sessions", P.READ),
    Endpoint("record session", "POST", "/api/v1/hubs/{hub}/sessions", P.RECORD_SESSION,
             {"held_on": "2023-01-01", "place": "p", "format": "meeting", "experts_attended": 1, "staff_attended": 1}),
    Endpoint("list hub issues", "GET", "/api/v1/hubs/{hub}/issues", P.READ),
    Endpoint("hand-over sheet", "GET", "/api/v1/hubs/{hub}/hand-over", P.RECORD_SESSION),
    Endpoint("raise issue", "POST", "/api/v1/hubs/{hub}/issues", P.RAISE_ISSUE, {"title": "t"}),
    Endpoint("create hub", "POST", "/api/v1/hubs", P.MANAGE_HUBS, {"name": "{role}", "area": "a"}, scoped=False),
    Endpoint("list accounts", "GET", "/api/v1/accounts", P.READ_ACCOUNTS, scoped=False),
    Endpoint("create account", "POST", "/api/v1/accounts", P.MANAGE_ACCOUNTS,
             {"username": "new-{role}", "role": "expert", "name": "n"}, scoped=False),
    Endpoint("assign role", "POST", "/api/v1/accounts/{account}/role", P.MANAGE_ACCOUNTS, {"role": "facilitator"},
             scoped=False),
    Endpoint("join hub", "POST", "/api/v1/accounts/{account}/hubs", P.MANAGE_ACCOUNTS, {"hub_id": "{hub}"},
             scoped=False),
    Endpoint("someone's data", "GET", "/api/v1/accounts/{bystander}/data?requested_by=a+letter",
             P.COPY_FOR_SOMEONE, scoped=False),
    Endpoint("forget", "POST", "/api/v1/accounts/{bystander}/forget", P.FORGET,
             {"requested_by": "the person", "authority": "their request"}, scoped=False),
    Endpoint("list rounds", "GET", "/api/v1/hubs/{hub}/rounds", P.READ),
    Endpoint("open a round", "POST", "/api/v1/hubs/{hub}/rounds", P.RUN_ROUND,
             {"issue_ids": ["{issue}", "{second_issue}"], "closes_on": "2030-01-01"}),
    Endpoint("get round", "GET", "/api/v1/rounds/{round}", P.READ),
    Endpoint("vote", "PUT", "/api/v1/rounds/{round}/ballot", P.VOTE, {"dots": [{"issue_id": "{issue}", "dots": 1}]}),
    Endpoint("paper tally", "POST", "/api/v1/rounds/{round}/tallies", P.RECORD_TALLY,
             {"session_id": "{session}", "voters": 1, "dots": [{"issue_id": "{issue}", "dots": 1}]}),
    Endpoint("close a round", "POST", "/api/v1/rounds/{round}/closing", P.RUN_ROUND),
    Endpoint("say in plain words", "POST", "/api/v1/issues/{issue}/summary", P.SHAPE_ISSUE,
             {"summary": "Getting a GP without an address"}),
    Endpoint("someone new", "POST", "/api/v1/issues/{issue}/someone-new", P.WELCOME,
             {"name": "", "text": "words", "may_quote": True, "attribution": "anonymous", "session_id": "{session}"}),
    Endpoint("publishing", "POST", "/api/v1/hubs/{hub}/publishing", P.PUBLISH, {"published": True}),
]


def open_round(world, hub: str) -> tuple[str, str]:
    """A round in the hub over its issue and a second one (opened by its manager): its id and the second issue's."""
    manager = world.app.actor_for("hub_manager" if hub == "own" else "manager2")
    second = world.app.raise_issue(world.hubs[hub], "Bus passes", manager)
    return str(world.app.open_round(world.hubs[hub], [world.issues[hub], second], date(2030, 1, 1), manager)), str(second)


def fill(template, values: dict[str, str]):
    if template == "{decision}":
        return int(values["decision"])
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    return template


def expected(world, role: str, endpoint: Endpoint, hub: str) -> Decision:
    account = world.app.account(world.ids[role])
    viewer = Who(account.id, account.role, frozenset(account.hub_ids))
    owner = None
    if endpoint.owner == "contribution":
        owner = UUID(world.app.issue(world.issues[hub]).contributor_of(world.contributions[hub]))
    elif endpoint.owner == "action":
        owner = UUID(world.app.issue(world.issues[hub]).actions[str(world.actions[hub])].owner_id)
    elif endpoint.permission is P.CONTRIBUTE:
        owner = account.id  # no contributor named: the caller's own input
    target = Target(world.hubs[hub], owner) if endpoint.scoped else Target()
    return decide(viewer, endpoint.permission, target)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_every_role_in_every_hub_gets_what_the_table_says(world, endpoint):
    outcomes = []
    for hub in ("own", "other"):
        round_id, second = open_round(world, hub) if "round" in endpoint.path else ("", "")
        values = {"issue": world.issues[hub], "hub": world.hubs[hub], "contribution": world.contributions[hub],
                  "action": world.actions[hub], "account": world.ids["hub_manager"], "role": None,
                  "decision": world.decisions[hub], "bystander": world.ids["owner2"], "round": round_id,
                  "second_issue": second, "session": world.sessions[hub]}
        for role in ROLES:
            values["role"] = f"{role}-{hub}"
            response = world.call(role, endpoint.method, fill(endpoint.path, values), fill(endpoint.body, values))
            want = expected(world, role, endpoint, hub)
            got = response.status_code
            ok = got == want.value if want is not Decision.ALLOWED else got not in (401, 403, 404, 500)
            outcomes.append((role, hub, want.name, got, ok))
    wrong = [o for o in outcomes if not o[-1]]
    assert not wrong, f"{endpoint.name}: {wrong}"
    assert any(o[2] == "ALLOWED" for o in outcomes), "someone must be allowed"


def test_everyone_reads_their_own_account_and_input_by_id_and_others_only_by_the_table(world):
    for role in ROLES:
        me = world.ids[role]
        assert world.call(role, "GET", f"/api/v1/accounts/{me}").json["id"] == str(me), role
        own = world.call(role, "GET", f"/api/v1/accounts/{me}/input")
        assert own.status_code == 200 and own.json == world.call(role, "GET", "/api/v1/me/input").json, role
    for role in ("expert", "facilitator", "hub_manager", "action_owner"):
        someone = world.ids["expert2" if role == "expert" else "expert"]
        assert world.call(role, "GET", f"/api/v1/accounts/{someone}").status_code == 403, role
        assert world.call(role, "GET", f"/api/v1/accounts/{someone}/input").status_code == 403, role


def test_the_matrix_covers_every_api_route(flask_app):
    routes = {(method, rule.rule) for rule in flask_app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    covered = {(e.method, e.path.split("?")[0]) for e in ENDPOINTS}
    normalise = {"<uuid:issue_id>": "{issue}", "<uuid:hub_id>": "{hub}", "<uuid:contribution_id>": "{contribution}",
                 "<uuid:action_id>": "{action}", "<uuid:account_id>": "{account}", "<uuid:round_id>": "{round}"}
    covered = {(method, path.replace("{bystander}", "{account}")) for method, path in covered}
    outside_the_table = {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/docs/redoc.standalone.js",
                         "/api/v1/tokens", "/api/v1/tokens/<uuid:token_id>",
                         "/api/v1/me", "/api/v1/me/input", "/api/v1/me/actions", "/api/v1/me/data", "/api/v1/hubs",
                         "/api/v1/accounts/{account}",
                         "/api/v1/accounts/{account}/password",
                         # a person's own choice; at a session of a hub (tests/e2e/test_keeping_posted_doors.py)
                         "/api/v1/me/contact", "/api/v1/hubs/{hub}/hand-overs",
                         "/api/v1/hubs/{hub}/sessions/<uuid:session_id>/contact/<uuid:person_id>"}
    missing = []
    for method, rule in routes:
        path = rule
        for old, new in normalise.items():
            path = path.replace(old, new)
        if (method, path) not in covered and path not in outside_the_table:
            missing.append((method, path))
    assert not missing


def test_auditors_never_write(world):
    for endpoint in ENDPOINTS:
        if endpoint.method == "POST":
            assert expected(world, "auditor", endpoint, "own") is not Decision.ALLOWED, endpoint.name
    writes = [row for permission, row in TABLE.items() if permission not in READS]
    assert all(Role.AUDITOR not in row for row in writes)


def test_a_hub_manager_added_to_another_hub_or_an_expert_made_a_manager_is_on_the_hubs_list_of_managers(world):
    """What a hub manager may do in a hub, and the hub's own list of its managers, never disagree:
    a manager who belongs to a hub manages it, and the hub's history records it."""
    own, other = world.hubs["own"], world.hubs["other"]
    joined = world.call("admin", "POST", f"/api/v1/accounts/{world.ids['manager2']}/hubs", json={"hub_id": str(own)})
    assert joined.status_code in (200, 204), joined.text
    promoted = world.call("admin", "POST", f"/api/v1/accounts/{world.ids['expert2']}/role", json={"role": "hub_manager"})
    assert promoted.status_code in (200, 204), promoted.text
    for hub, manager in ((own, "manager2"), (other, "expert2")):
        listed = world.call("admin", "GET", f"/api/v1/hubs/{hub}").json["manager_ids"]
        assert str(world.ids[manager]) in listed, manager
        recorded = [e for e in world.app.history(hub) if type(e).__name__ == "ManagerAssigned"]
        assert str(recorded[-1].account_id) == str(world.ids[manager])
    assert world.call("manager2", "GET", f"/api/v1/issues/{world.issues['own']}").status_code == 200
