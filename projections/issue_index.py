"""Where each issue stands, as a table any view can keep for itself.

Views are independent (each has its own position in the log), so a view that needs an
issue's hub or stage keeps its own copy of this small index, maintained by `track_issues`.
"""

from __future__ import annotations

from typing import Any

from functools import cache

from sqlalchemy import (
    Column, Connection, DateTime, Integer, MetaData, String, Table, Text, bindparam, insert, select, update,
)

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
    def raised(conn: Connection, e: Any, _: int) -> None:
        conn.execute(insert(table), {"issue_id": str(e.originator_id), "hub_id": str(e.hub_id), "title": e.title,
                                     "stage": "frame", "stage_since": e.timestamp, "version": 1})

    update_one = update(table).where(table.c.issue_id == bindparam("the_issue"))  # SET: the given columns

    def change(conn: Connection, e: Any, **values: Any) -> None:
        conn.execute(update_one, {"the_issue": str(e.originator_id), **values})

    @view.on("SystemicIssue.*")
    def any_change(conn: Connection, e: Any, _: int) -> None:
        change(conn, e, version=e.originator_version)  # before Raised's insert: touches nothing

    @view.on(*STAGE_MOVES)
    def moved(conn: Connection, e: Any, _: int) -> None:
        change(conn, e, stage=e.to, stage_since=e.timestamp)

    @view.on("SystemicIssue.Closed")
    def closed(conn: Connection, e: Any, _: int) -> None:
        change(conn, e, stage="closed", stage_since=e.timestamp)

    @view.on("SystemicIssue.Parked")
    def parked(conn: Connection, e: Any, _: int) -> None:
        change(conn, e, parked_reason=e.reason, parked_since=e.timestamp)

    @view.on("SystemicIssue.Reopened")
    def reopened(conn: Connection, e: Any, _: int) -> None:
        change(conn, e, parked_reason=None, parked_since=None)


def stage_of(conn: Connection, table: Table, issue_id: Any) -> str:
    return conn.execute(_column_of(table, "stage"), {"the_issue": str(issue_id)}).scalar_one()


def hub_of(conn: Connection, table: Table, issue_id: Any) -> str:
    return conn.execute(_column_of(table, "hub_id"), {"the_issue": str(issue_id)}).scalar_one()


@cache
def _column_of(table: Table, column: str) -> Any:
    """One statement per table and column, built once: catching up runs it for most events."""
    return select(table.c[column]).where(table.c.issue_id == bindparam("the_issue"))
