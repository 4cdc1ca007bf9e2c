"""Issue timeline: every event of an issue as a plain-language entry.

Rows keep the event's non-personal fields; sentences (with people's names) are made
when the timeline is read, so a forgotten person's name is never stored here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, BigInteger, Column, Connection, DateTime, Integer, String, Table, select

from projections.ids import text
from projections.issue_index import issue_table, stage_of, track_issues
from projections.unit_of_work import UnitOfWork
from projections.view import View, event_name

view = View("timeline", weight=1.55)
issues = issue_table(view.metadata, "timeline_issues")
entries = Table(
    "timeline_entries", view.metadata,
    Column("position", BigInteger, primary_key=True),
    Column("issue_id", String(36), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("stage", String(10), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor_id", String(36)),
    Column("actor_role", String(20)),
    Column("details", JSON, nullable=False),
    Column("contribution_ids", JSON, nullable=False),
)

ENVELOPE = {"originator_id", "originator_version", "originator_topic", "timestamp", "actor"}
PERSONAL = {"text"}  # sealed content stays in the event store only
LEFT_OUT = ENVELOPE | PERSONAL


def _plain(value: Any) -> Any:
    if isinstance(value, (UUID, date, datetime)):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def details_of(event: Any) -> dict[str, Any]:
    return {k: _plain(v) for k, v in vars(event).items() if k not in LEFT_OUT}


def contributions_touched(event: Any) -> list[str]:
    if hasattr(event, "contribution_ids"):
        return [text(i) for i in event.contribution_ids]
    return [text(event.contribution_id)] if hasattr(event, "contribution_id") else []


@view.on("SystemicIssue.*")
def entry(work: UnitOfWork, e: Any, position: int) -> None:
    stage = "frame" if event_name(e) == "SystemicIssue.Raised" else stage_of(work, issues, e.originator_id)
    actor = getattr(e, "actor", None) or {}
    work.insert(entries, {
        "position": position, "issue_id": text(e.originator_id), "version": e.originator_version,
        "kind": type(e).__name__, "stage": stage, "occurred_at": e.timestamp, "actor_id": actor.get("id"),
        "actor_role": actor.get("role"), "details": details_of(e), "contribution_ids": contributions_touched(e)})


track_issues(view, issues)  # after `entry`, so an entry records the stage the event happened in


def read(conn: Connection, issue_id: UUID, stage: str | None = None, kind: str | None = None,
         kinds: tuple[str, ...] = ()) -> list[Any]:
    """The issue's entries, oldest first, optionally only those in one stage or of one kind (or of `kinds`)."""
    query = select(entries).where(entries.c.issue_id == str(issue_id)).order_by(entries.c.version)
    if stage:
        query = query.where(entries.c.stage == stage)
    if kind:
        query = query.where(entries.c.kind == kind)
    if kinds:
        query = query.where(entries.c.kind.in_(kinds))
    return list(conn.execute(query))


def of_hub(conn: Connection, hub_id: UUID, kinds: tuple[str, ...], limit: int) -> list[Any]:
    """The newest `limit` entries of these kinds on any issue of a hub, newest first."""
    hub_issues = select(issues.c.issue_id).where(issues.c.hub_id == str(hub_id))
    query = (select(entries).where(entries.c.issue_id.in_(hub_issues), entries.c.kind.in_(kinds))
             .order_by(entries.c.position.desc()).limit(limit))
    return list(conn.execute(query))
