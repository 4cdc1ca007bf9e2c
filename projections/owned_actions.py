"""Owned actions: for each action owner, the actions they own, with their issue, due date, status
and latest progress note, or once it ended, the note it was done or stopped with. "My actions" reads one owner's rows instead of every issue of every hub."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, DateTime, String, Table, Text, select

from projections.ids import text
from projections.unit_of_work import UnitOfWork
from projections.view import View

view = View("owned_actions", version=2, weight=0.2)  # 2: the note an action ended with
issues = Table(  # the little of each issue this view needs: its hub, and its title (renamed in place)
    "owned_issues", view.metadata,
    Column("issue_id", String(36), primary_key=True),
    Column("hub_id", String(36), nullable=False),
    Column("title", Text, nullable=False),
)
actions = Table(
    "owned_actions", view.metadata,
    Column("action_id", String(36), primary_key=True),
    Column("issue_id", String(36), nullable=False),
    Column("hub_id", String(36), nullable=False),
    Column("owner_id", String(36), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("due", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    Column("last_progress", Text),
    Column("end_note", Text),  # what it was done with, or why it was stopped
    Column("committed_at", DateTime(timezone=True), nullable=False),
)


@view.on("SystemicIssue.Raised")
def raised(work: UnitOfWork, e: Any, _: int) -> None:
    work.insert(issues, {"issue_id": text(e.originator_id), "hub_id": text(e.hub_id), "title": e.title})


@view.on("SystemicIssue.Renamed")
def renamed(work: UnitOfWork, e: Any, _: int) -> None:
    work.update(issues, text(e.originator_id), title=e.title)


@view.on("SystemicIssue.ActionCommitted")
def committed(work: UnitOfWork, e: Any, _: int) -> None:
    issue = work.get(issues, text(e.originator_id))
    work.insert(actions, {
        "action_id": text(e.action_id), "issue_id": issue["issue_id"], "hub_id": issue["hub_id"], "owner_id": text(e.owner_id), "title": e.title, "due": e.due,
        "status": "open", "last_progress": None, "end_note": None, "committed_at": e.timestamp})


@view.on("SystemicIssue.ActionProgressReported")
def progressed(work: UnitOfWork, e: Any, _: int) -> None:
    work.update(actions, text(e.action_id), last_progress=e.note)


@view.on("SystemicIssue.ActionCompleted")
def completed(work: UnitOfWork, e: Any, _: int) -> None:
    work.update(actions, text(e.action_id), status="completed", end_note=e.note)


@view.on("SystemicIssue.ActionDropped")
def dropped(work: UnitOfWork, e: Any, _: int) -> None:
    work.update(actions, text(e.action_id), status="dropped", end_note=e.reason)


def of_owner(conn: Connection, owner_id: Any) -> list[Any]:
    """Every action one person owns, in the order they were committed."""
    query = (select(actions, issues.c.title.label("issue_title"))
             .join(issues, issues.c.issue_id == actions.c.issue_id)
             .where(actions.c.owner_id == str(owner_id))
             .order_by(actions.c.committed_at, actions.c.action_id))
    return list(conn.execute(query))
