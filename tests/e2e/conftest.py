"""An API on a temporary store, with two hubs, a person in every role and their tokens.

Everyone belongs to the first hub ("own"); the second hub ("other") has its own
manager, expert and action owner, and an issue of its own.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

import pytest

from domain import Attribution, Channel, Role
from service import create_app
from service.app.coproduce import Coproduce
from tests.processes import COPRODUCE, environment, start_server, stop

PASSWORD = "correct horse battery"
ROLES = ["expert", "facilitator", "hub_manager", "action_owner", "auditor", "admin"]


@dataclass
class World:
    client: object
    app: Coproduce
    hubs: dict[str, UUID] = field(default_factory=dict)
    ids: dict[str, UUID] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    issues: dict[str, UUID] = field(default_factory=dict)
    contributions: dict[str, UUID] = field(default_factory=dict)
    actions: dict[str, UUID] = field(default_factory=dict)
    sessions: dict[str, UUID] = field(default_factory=dict)
    decisions: dict[str, int] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def call(self, who: str | None, method: str, path: str, json=None, headers=None):
        sent = {**(self.auth(who) if who else {}), **(headers or {})}
        return self.client.open(path, method=method, json=json, headers=sent)


def _person(app: Coproduce, world: World, name: str, role: Role, hub: str | None, admin) -> None:
    hub_ids = [world.hubs[hub]] if hub else []
    password = PASSWORD if name == "expert" else None  # hashing is slow on purpose: only where a test signs in
    world.ids[name] = app.open_account(name, role, f"{name.title()} Person", f"{name}@example.org", admin,
                                       password=password, hub_ids=hub_ids)
    _, world.tokens[name] = app.credentials.issue_token(world.ids[name], "tests")


def _issue_with_input_and_action(app: Coproduce, world: World, hub: str, expert: str, owner: str,
                                 manager: str) -> None:
    expert_actor, manager_actor = app.actor_for(expert), app.actor_for(manager)
    issue = app.raise_issue(world.hubs[hub], f"An issue in the {hub} hub", expert_actor)
    contribution = app.record_contribution(issue, world.ids[expert], "my words", expert_actor, channel=Channel.ONLINE,
                                           may_quote=False, attribution=Attribution.ANONYMOUS)
    action = app.commit_action(issue, "Do something", world.ids[owner], date(2030, 1, 1), [contribution],
                               manager_actor)
    app.select(issue, "Chosen at the hub meeting", "co-design", manager_actor)
    world.decisions[hub] = app.issue(issue).version
    world.issues[hub], world.contributions[hub], world.actions[hub] = issue, contribution, action
    world.sessions[hub] = app.record_session(world.hubs[hub], manager_actor, held_on=date(2023, 9, 1),
                                             place="Library", format="drop-in", experts_attended=4,
                                             staff_attended=1)


def build_world(client, app: Coproduce) -> World:
    world = World(client, app)
    admin_id = app.register_first_admin("admin", "Ada Admin")
    admin = app.account(admin_id).as_actor()
    _, world.tokens["admin"] = app.credentials.issue_token(admin_id, "tests")
    world.ids["admin"] = admin_id
    for hub in ("own", "other"):
        world.hubs[hub] = app.create_hub(f"{hub.title()} hub", "Somewhere", "active", admin)
    for role in ROLES[:-1]:
        _person(app, world, role, Role(role), None if role == "auditor" else "own", admin)
    for name, role in [("manager2", Role.HUB_MANAGER), ("expert2", Role.EXPERT), ("owner2", Role.ACTION_OWNER)]:
        _person(app, world, name, role, "other", admin)
    _issue_with_input_and_action(app, world, "own", "expert", "action_owner", "hub_manager")
    _issue_with_input_and_action(app, world, "other", "expert2", "owner2", "manager2")
    return world


@pytest.fixture
def api_config(tmp_path):
    return {"database_url": f"sqlite:///{tmp_path}/api.db", "rate_limit": "100000 per minute",
            "sign_in_limit": "1000 per minute"}


@pytest.fixture
def flask_app(api_config):
    app = create_app(api_config)
    yield app
    app.extensions["coproduce"].close()


@pytest.fixture
def world(flask_app) -> World:
    return build_world(flask_app.test_client(), flask_app.extensions["coproduce"])


@pytest.fixture
def server(tmp_path):
    env = environment(f"sqlite:///{tmp_path}/served.db")
    demo = subprocess.run([COPRODUCE, "demo"], env=env, capture_output=True, text=True, timeout=120)
    assert demo.returncode == 0, demo.stderr
    assert "password for all: coproduce-demo" in demo.stdout
    process, base = start_server(env, workers=2)
    yield base
    assert "Traceback" not in stop(process)
