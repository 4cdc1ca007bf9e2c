"""Where each issue stands, as a table any view can keep for itself.

Views are independent (each has its own position in the log), so a view that needs an
issue's hub or stage keeps its own copy of this small index, maintained by `track_issues`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

from projections.ids import text
from projections.unit_of_work import UnitOfWork
from projections.view import View

STAGE_MOVES = ("SystemicIssue.StageAdvanced", "SystemicIssue.StageMovedBack")


def issue_table(metadata: MetaData, name: str) -> Table:
    return Table(
        name, metadata,
        Column("issue_id", String(36), primary_key=True),
        Column("hub_id", String(36), nullable=False, index=True),
        Column("title", Text, nullable=False),
        Column("stage", String(10), nullable=False),
        Column("stage_since", DateTime(timezone=True), nullable=False),
        Column("parked_reason", Text),
        Column("parked_since", DateTime(timezone=True)),
        Column("version", Integer, nullable=False),
    )


def track_issues(view: View, table: Table) -> None:
    """Register the handlers that keep `table` in step with the issues."""

    @view.on("SystemicIssue.Raised")
    def raised(work: UnitOfWork, e: Any, _: int) -> None:
        work.insert(table, {"issue_id": text(e.originator_id), "hub_id": text(e.hub_id), "title": e.title,
                            "stage": "frame", "stage_since": e.timestamp, "version": 1})

    @view.on("SystemicIssue.*")
    def any_change(work: UnitOfWork, e: Any, _: int) -> None:
        if type(e).__name__ != "Raised":  # the issue's row comes with Raised (version 1)
            work.update(table, text(e.originator_id), version=e.originator_version)

    @view.on("SystemicIssue.Renamed")
    def renamed(work: UnitOfWork, e: Any, _: int) -> None:
        work.update(table, text(e.originator_id), title=e.title)

    @view.on(*STAGE_MOVES)
    def moved(work: UnitOfWork, e: Any, _: int) -> None:
        work.update(table, text(e.originator_id), stage=e.to, stage_since=e.timestamp)

    @view.on("SystemicIssue.Closed")
    def closed(work: UnitOfWork, e: Any, _: int) -> None:
        work.update(table, text(e.originator_id), stage="closed", stage_since=e.timestamp)

    @view.on("SystemicIssue.Parked")
    def parked(work: UnitOfWork, e: Any, _: int) -> None:
        work.update(table, text(e.originator_id), parked_reason=e.reason, parked_since=e.timestamp)

    @view.on("SystemicIssue.Reopened")
    def reopened(work: UnitOfWork, e: Any, _: int) -> None:
        work.update(table, text(e.originator_id), parked_reason=None, parked_since=None)


def stage_of(work: UnitOfWork, table: Table, issue_id: Any) -> str:
    return work.get(table, text(issue_id))["stage"]


def hub_of(work: UnitOfWork, table: Table, issue_id: Any) -> str:
    return work.get(table, text(issue_id))["hub_id"]
