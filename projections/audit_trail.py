"""Audit trail: every event with its position, time, actor, role, hub, issue and kind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, DateTime, Select, String, Table, func, select

from projections.ids import text
from projections.unit_of_work import UnitOfWork
from projections.view import View, event_name

view = View("audit_trail", version=2, weight=1.05)  # 2: no person's keeping-posted id (see _aggregate_id)
events = Table(
    "audit_events", view.metadata,
    Column("position", BigInteger, primary_key=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor_id", String(36), index=True),
    Column("actor_role", String(20)),
    Column("hub_id", String(36), index=True),
    Column("issue_id", String(36), index=True),
    Column("aggregate", String(20), nullable=False),
    Column("aggregate_id", String(36)),  # none for KeepingPosted (see _aggregate_id)
    Column("kind", String(40), nullable=False, index=True),
)
issue_hubs = Table(
    "audit_issue_hubs", view.metadata,
    Column("issue_id", String(36), primary_key=True),
    Column("hub_id", String(36), nullable=False),
)

round_hubs = Table(
    "audit_round_hubs", view.metadata,
    Column("round_id", String(36), primary_key=True),
    Column("hub_id", String(36), nullable=False),
)

# Aggregates that belong to a hub: where their hub is kept, and the event that names it.
HUB_OF = {"SystemicIssue": (issue_hubs, "issue_id", "Raised"), "PriorityRound": (round_hubs, "round_id", "RoundOpened")}
FILTERS = ("actor_id", "actor_role", "hub_id", "issue_id", "kind", "aggregate")


def _hub(work: UnitOfWork, e: Any, aggregate: str, originator: str) -> str | None:
    if aggregate == "Hub":
        return originator
    if aggregate in HUB_OF:
        table, key, first = HUB_OF[aggregate]
        if type(e).__name__ == first:
            work.insert(table, {key: originator, "hub_id": text(e.hub_id)})
        row = work.get(table, originator)
        return row["hub_id"] if row else None
    return text(e.hub_id) if hasattr(e, "hub_id") else None


# An expert's acts on their own input and their ratings name no account here: the id would tie
# input they asked not to be named on to everything else they did. The event log keeps it.
UNNAMED_EXPERT_ACTS = {"ContributionRecorded", "ContributionWithdrawn", "ParticipationRated",
                      "ContributionConfirmed", "ContributionCorrected", "ConsentChanged"}


def _actor_id(e: Any, actor: dict) -> str | None:
    if actor.get("role") == "expert" and type(e).__name__ in UNNAMED_EXPERT_ACTS:
        return None
    return actor.get("id")


def _aggregate_id(aggregate: str, originator: str) -> str | None:
    """A person's choice of how to hear from us, and each message sent, handed over or failed, is
    kept here without the id they share, which is the person's own (worked out from their account
    id): with it, a message sent just after feedback on unnamed input would say whose the input
    was. That messages went, and when, stays."""
    return None if aggregate == "KeepingPosted" else originator


def _record(work: UnitOfWork, e: Any, position: int) -> None:
    actor = getattr(e, "actor", None) or {}
    aggregate = event_name(e).split(".")[0]
    originator = text(e.originator_id)
    work.insert(events, {
        "position": position, "occurred_at": e.timestamp, "actor_id": _actor_id(e, actor),
        "actor_role": actor.get("role"), "hub_id": _hub(work, e, aggregate, originator),
        "issue_id": originator if aggregate == "SystemicIssue" else None,
        "aggregate": aggregate, "aggregate_id": _aggregate_id(aggregate, originator), "kind": type(e).__name__})


for _aggregate in ("SystemicIssue", "Hub", "Account", "Username", "PriorityRound", "KeepingPosted"):
    view.on(f"{_aggregate}.*")(_record)


# Opening accounts and hubs: who may sign in, and where. The pages hide these unless asked to
# (set_up=False); the API and the log always have them.
SET_UP = ("Registered", "Claimed", "HubJoined", "RoleAssigned", "Created", "OpenedOnRecorded", "ManagerAssigned")


def _matching(query: Select, since: datetime | None, until: datetime | None, set_up: bool,
              filters: dict[str, str | None]) -> Select:
    for name, value in filters.items():
        if value:
            query = query.where(events.c[name] == value)
    if since:
        query = query.where(events.c.occurred_at >= since)
    if until:
        query = query.where(events.c.occurred_at < until)
    if not set_up:
        query = query.where(events.c.kind.not_in(SET_UP))
    return query


def search(conn: Connection, after: int = 0, limit: int = 100, offset: int = 0, since: datetime | None = None,
           until: datetime | None = None, set_up: bool = True, **filters: str | None) -> list[Any]:
    """Events after a position (and past the first `offset` of those), oldest first, matching every filter given."""
    query = select(events).where(events.c.position > after).order_by(events.c.position).offset(offset).limit(limit)
    return list(conn.execute(_matching(query, since, until, set_up, filters)))


def count(conn: Connection, since: datetime | None = None, until: datetime | None = None, set_up: bool = True,
          **filters: str | None) -> int:
    """How many events match every filter given."""
    return conn.execute(_matching(select(func.count()).select_from(events), since, until, set_up, filters)).scalar_one()
