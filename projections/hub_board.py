"""Hub board: per hub, its issues by stage, how long each has been there, and what is parked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, String, Table, Text, select

from projections.ids import text
from projections.issue_index import issue_table, track_issues
from projections.times import aware
from projections.unit_of_work import UnitOfWork
from projections.view import View

view = View("hub_board", weight=0.2)
hubs = Table(
    "board_hubs", view.metadata,
    Column("hub_id", String(36), primary_key=True),
    Column("name", Text, nullable=False),
    Column("area", Text, nullable=False),
    Column("lifecycle", String(20), nullable=False),
)
issues = issue_table(view.metadata, "board_issues")
track_issues(view, issues)

STAGES = ["frame", "explore", "act", "learn", "closed"]


@view.on("Hub.Created")
def hub_created(work: UnitOfWork, e: Any, _: int) -> None:
    work.insert(hubs, {"hub_id": text(e.originator_id), "name": e.name, "area": e.area, "lifecycle": e.lifecycle})


@view.on("Hub.LifecycleAdvanced")
def hub_moved_on(work: UnitOfWork, e: Any, _: int) -> None:
    work.update(hubs, text(e.originator_id), lifecycle=e.to)


def all_hubs(conn: Connection) -> list[Any]:
    return list(conn.execute(select(hubs).order_by(hubs.c.name)))


def hub_issues(conn: Connection, hub_id: Any) -> list[Any]:
    return list(conn.execute(select(issues).where(issues.c.hub_id == str(hub_id)).order_by(issues.c.stage_since)))


def board(conn: Connection, hub_id: Any, today: datetime) -> dict[str, Any]:
    """Issues grouped by stage with days in stage, counts per stage, and parked issues with reasons."""
    rows = hub_issues(conn, hub_id)

    def card(row: Any) -> dict[str, Any]:
        return {"issue_id": row.issue_id, "title": row.title, "stage": row.stage,
                "days_in_stage": (today - aware(row.stage_since)).days, "parked": row.parked_reason is not None,
                "parked_reason": row.parked_reason, "version": row.version}

    by_stage = {stage: [card(r) for r in rows if r.stage == stage] for stage in STAGES}
    return {"hub_id": str(hub_id), "stages": [{"stage": s, "count": len(c), "issues": c} for s, c in by_stage.items()],
            "parked": [card(r) for r in rows if r.parked_reason is not None], "total": len(rows)}
