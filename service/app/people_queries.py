"""Queries about people, read from the read models: the actions a person owns, the people of a hub,
the list of accounts. None of them loads every issue or every account."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Engine

from domain import Actor, Role
from domain.policies import action_overdue
from projections import hub_people, owned_actions
from projections.times import now
from service.app.application import CoproduceBase
from service.app.authorization import Decision, Permission as P, Target, decide


@dataclass(frozen=True)
class Person:
    """An account as lists show it (from the `hub_people` view): what the lists and forms need of
    an account, without loading it. Names are looked up only for the people shown."""

    id: UUID
    username: str
    role: Role
    hub_ids: list[str]
    forgotten: bool


def _person(row: Any) -> Person:
    return Person(UUID(row.account_id), row.username, Role(row.role), list(row.hub_ids), bool(row.forgotten))


def every_person(engine: Engine) -> list[Person]:
    """Every account, forgotten ones too, in the order they were registered."""
    with engine.connect() as conn:
        return [_person(row) for row in hub_people.every_account(conn)]


def people_of_hub(engine: Engine, hub_id: UUID, roles: Iterable[Role]) -> list[Person]:
    """The members of a hub in these roles, not forgotten, in the order they were registered."""
    with engine.connect() as conn:
        return [_person(row) for row in hub_people.of_hub(conn, hub_id, [Role(r).value for r in roles])]


class PeopleQueries(CoproduceBase):
    """What a person owns, read from the read models."""

    def actions_owned(self, actor: Actor) -> list[dict[str, Any]]:
        """The actions `actor` owns in the hubs they may read: open ones first, overdue before the
        rest, soonest due first."""
        who = self.who(actor)
        with self.read_models().connect() as conn:
            rows = owned_actions.of_owner(conn, who.account_id)
        readable = functools.cache(lambda hub_id: decide(who, P.READ, Target(UUID(hub_id))) is Decision.ALLOWED)
        today = now().date()
        found = [_owned(row, today) for row in rows if readable(row.hub_id)]
        return sorted(found, key=lambda a: (a["status"] != "open", not a["overdue"], a["due"]))


def _owned(row: Any, today: date) -> dict[str, Any]:
    due = date.fromisoformat(row.due)
    return {"action_id": UUID(row.action_id), "issue_id": UUID(row.issue_id), "issue_title": row.issue_title,
            "hub_id": UUID(row.hub_id), "title": row.title, "due": due, "status": row.status,
            "last_progress": row.last_progress, "end_note": row.end_note, "overdue": action_overdue(row.status, due, today)}
