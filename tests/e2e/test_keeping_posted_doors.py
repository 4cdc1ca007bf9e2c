"""Keeping people posted decides by the one table at every door: the API, the pages and the command
line give each person the same answer for recording an expert's choice at a session, reading the
hand-over sheet and recording who got their news, and a refusal records nothing."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e import test_door_parity as parity
from tests.e2e.test_door_parity import (
    ALLOWED, FORBIDDEN, NOT_FOUND, PEOPLE, Command, Door, MANAGE, MEMBERS, _run, doors,  # noqa: F401
)

CHOICE = {"ways": ["hub"], "topics": ["feedback"], "how_often": "each_time"}
SESSIONS: dict[tuple[int, str], str] = {}  # (world, hub) -> a session of that hub, made once per world


def _session(w, hub: str) -> str:
    key = (id(w), hub)
    if key not in SESSIONS:
        manager = w.app.account(w.ids["hub_manager" if hub == "own" else "manager2"]).as_actor()
        SESSIONS[key] = str(w.app.record_session(w.hubs[hub], manager, held_on=date(2024, 5, 9), place="Ely",
                                                 format="drop-in", experts_attended=3, staff_attended=1))
    return SESSIONS[key]


def _expert(hub: str) -> str:
    return "expert" if hub == "own" else "expert2"


COMMANDS = [
    Command("record an expert's choice at a session",
            lambda w, h: ("PUT", f"/api/v1/hubs/{w.hubs[h]}/sessions/{_session(w, h)}/contact/{w.ids[_expert(h)]}",
                          CHOICE),
            lambda w, h: (f"/hubs/{w.hubs[h]}/sessions/{_session(w, h)}/keeping-posted",
                          {"person_id": str(w.ids[_expert(h)]), **CHOICE}),
            lambda w, h: ["keep-posted", _expert(h), "--way", "hub", "--topic", "feedback", "--hub", str(w.hubs[h]),
                          "--session", _session(w, h)]),
    Command("read the hand-over sheet", lambda w, h: ("GET", f"/api/v1/hubs/{w.hubs[h]}/hand-over", None),
            lambda w, h: (f"/hubs/{w.hubs[h]}/hand-over", {}), lambda w, h: ["hand-over", str(w.hubs[h])]),
]


def expected(command: str, person: str, hub: str) -> str:
    if person not in MEMBERS[hub] and person not in ("auditor", "admin"):
        return NOT_FOUND
    return ALLOWED if person == "facilitator" and hub == "own" or MANAGE.get(person) == hub else FORBIDDEN


@pytest.mark.parametrize("door", list(Door), ids=lambda d: d.value)
def test_every_door_decides_keeping_people_posted_by_the_one_table(doors, door, monkeypatch):
    monkeypatch.setattr(parity, "READS", COMMANDS[1:])
    world_of = parity._world

    def with_sessions(app, client):  # each hub's session made before any case is asked
        world = world_of(app, client)
        for hub in ("own", "other"):
            _session(world, hub)
        return world
    monkeypatch.setattr(parity, "_world", with_sessions)
    cases = [(c, person, hub) for c in COMMANDS for person in PEOPLE for hub in ("own", "other")]
    decisions = _run(door, doors, cases)
    wrong = {case: (got, expected(*case)) for case, got in decisions.items() if got != expected(*case)}
    assert not wrong, f"{door.value} door decided differently: {wrong}"
    assert len(decisions) == len(cases)
