"""Accountability: per hub and period, was input answered, were actions done, how were decisions taken."""

from __future__ import annotations

import math
import statistics
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, DateTime, Integer, String, Table, func, select

from domain import policies
from domain.records import ActionStatus
from projections.ids import text
from projections.issue_index import hub_of, issue_table, track_issues
from projections.times import aware
from projections.unit_of_work import UnitOfWork
from projections.view import View

view = View("accountability", weight=0.65)
issues = issue_table(view.metadata, "account_issues")
track_issues(view, issues)

contributions = Table(
    "account_contributions", view.metadata,
    Column("contribution_id", String(36), primary_key=True),
    Column("hub_id", String(36), nullable=False, index=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("first_feedback_at", DateTime(timezone=True)),
    Column("withdrawn_at", DateTime(timezone=True)),
)
actions = Table(
    "account_actions", view.metadata,
    Column("action_id", String(36), primary_key=True),
    Column("hub_id", String(36), nullable=False, index=True),
    Column("owner_id", String(36), nullable=False),
    Column("due", String(10), nullable=False),
    Column("committed_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("status", String(10), nullable=False),
)
decisions = Table(
    "account_decisions", view.metadata,
    Column("issue_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("hub_id", String(36), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("level", String(20), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
ratings = Table(
    "account_ratings", view.metadata,
    Column("issue_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("rater_id", String(36), primary_key=True),
    Column("level", String(20), nullable=False),
)

LADDER = [level.value for level in policies.LADDER]


# The domain's policies as SQL, so the database counts what the aggregate would
# (tests/integration/test_policies_agree.py holds the two to the same answers).

def awaits_feedback() -> ColumnElement[bool]:
    """`policies.awaits_feedback`: not withdrawn, and no feedback has answered it."""
    return contributions.c.withdrawn_at.is_(None) & contributions.c.first_feedback_at.is_(None)


def feedback_overdue(today: datetime, days: int) -> ColumnElement[bool]:
    """`policies.feedback_overdue`: still awaiting feedback, recorded more than `days` days before `today`."""
    return awaits_feedback() & (contributions.c.recorded_at < today - timedelta(days=days))


def action_overdue(today: date) -> ColumnElement[bool]:
    """`policies.action_overdue`: still open after its due date (ISO dates sort as text)."""
    return (actions.c.status == ActionStatus.OPEN.value) & (actions.c.due < today.isoformat())


@view.on("SystemicIssue.ContributionRecorded")
def received(work: UnitOfWork, e: Any, _: int) -> None:
    work.insert(contributions, {"contribution_id": text(e.contribution_id), "recorded_at": e.timestamp,
                                "hub_id": hub_of(work, issues, e.originator_id)})


@view.on("SystemicIssue.ContributionWithdrawn")
def withdrawn(work: UnitOfWork, e: Any, _: int) -> None:
    work.update(contributions, text(e.contribution_id), withdrawn_at=e.timestamp)


@view.on("SystemicIssue.FeedbackGiven")
def answered(work: UnitOfWork, e: Any, _: int) -> None:
    for contribution_id in map(text, e.contribution_ids):
        row = work.get(contributions, contribution_id)
        if row and row["first_feedback_at"] is None:
            work.update(contributions, contribution_id, first_feedback_at=e.timestamp)


@view.on("SystemicIssue.ActionCommitted")
def committed(work: UnitOfWork, e: Any, _: int) -> None:
    work.insert(actions, {"action_id": text(e.action_id), "hub_id": hub_of(work, issues, e.originator_id),
                          "owner_id": text(e.owner_id), "due": e.due, "committed_at": e.timestamp,
                          "status": "open"})


@view.on("SystemicIssue.ActionCompleted", "SystemicIssue.ActionDropped")
def ended(work: UnitOfWork, e: Any, _: int) -> None:
    status = "completed" if type(e).__name__ == "ActionCompleted" else "dropped"
    work.update(actions, text(e.action_id), status=status, ended_at=e.timestamp)


@view.on("SystemicIssue.Selected", "SystemicIssue.StageAdvanced", "SystemicIssue.StageMovedBack",
         "SystemicIssue.Closed")
def decided(work: UnitOfWork, e: Any, _: int) -> None:
    work.insert(decisions, {"issue_id": text(e.originator_id), "version": e.originator_version,
                            "hub_id": hub_of(work, issues, e.originator_id), "kind": type(e).__name__,
                            "level": e.level, "at": e.timestamp})


@view.on("SystemicIssue.ParticipationRated")
def rated(work: UnitOfWork, e: Any, _: int) -> None:
    work.insert(ratings, {"issue_id": text(e.originator_id), "version": e.decision, "rater_id": e.actor["id"],
                          "level": e.level})


def _percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _days(later: datetime, earlier: datetime) -> float:
    return (aware(later) - aware(earlier)).total_seconds() / 86400


def report(conn: Connection, hub_id: Any, start: datetime, end: datetime, today: datetime,
           overdue_days: int = policies.FEEDBACK_DUE_DAYS) -> dict[str, Any]:
    """The figures for one hub over [start, end): input, feedback, actions, decisions.
    Input since withdrawn is left out of every figure about input.

    Counting is left to the database, so a hub's busy year costs a handful of rows here;
    only the waits for feedback come back one by one, for their median and 90th percentile."""
    hub = str(hub_id)
    received = (contributions.c.hub_id == hub, contributions.c.recorded_at >= start, contributions.c.recorded_at < end,
                contributions.c.withdrawn_at.is_(None))  # withdrawn input counts nowhere, answered or not
    count, awaiting, overdue = conn.execute(select(
        func.count(), func.count().filter(awaits_feedback()),
        func.count().filter(feedback_overdue(today, overdue_days))).where(*received)).one()
    waits = [_days(answered, recorded) for answered, recorded in conn.execute(
        select(contributions.c.first_feedback_at, contributions.c.recorded_at)
        .where(*received, contributions.c.first_feedback_at.is_not(None)))]
    return {
        "hub_id": hub, "start": start, "end": end, "overdue_after_days": overdue_days,
        "contributions_received": count,
        "share_with_feedback": round(len(waits) / count, 4) if count else None,
        "median_days_to_feedback": statistics.median(waits) if waits else None,
        "p90_days_to_feedback": _percentile(waits, 0.9),
        "awaiting_feedback": awaiting,
        "overdue_feedback": overdue,
        "actions_by_owner": _actions_by_owner(conn, hub, start, end, today),
        "decisions_by_level": _decisions_by_level(conn, hub, start, end),
        "claimed_and_felt": _claimed_and_felt(conn, hub, start, end),
    }


def _actions_by_owner(conn: Connection, hub: str, start: datetime, end: datetime, today: datetime) -> list[dict]:
    overdue = action_overdue(today.date())
    rows = conn.execute(
        select(actions.c.owner_id, func.count().label("committed"),
               func.count().filter(actions.c.status == ActionStatus.COMPLETED.value).label("completed"),
               func.count().filter(overdue).label("overdue"))
        .where(actions.c.hub_id == hub, actions.c.committed_at >= start, actions.c.committed_at < end)
        .group_by(actions.c.owner_id).order_by(actions.c.owner_id))
    return [row._asdict() for row in rows]


def _decisions_by_level(conn: Connection, hub: str, start: datetime, end: datetime) -> dict[str, int]:
    counts = dict(conn.execute(select(decisions.c.level, func.count()).where(
        decisions.c.hub_id == hub, decisions.c.at >= start, decisions.c.at < end).group_by(decisions.c.level)).all())
    return {level: counts.get(level, 0) for level in LADDER}


def _claimed_and_felt(conn: Connection, hub: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    decision = (decisions.c.at, decisions.c.issue_id, decisions.c.version, decisions.c.kind, decisions.c.level)
    rows = conn.execute(select(*decision, ratings.c.level.label("felt"), func.count().label("experts"))
                        .join(ratings, (ratings.c.issue_id == decisions.c.issue_id)
                              & (ratings.c.version == decisions.c.version))
                        .where(decisions.c.hub_id == hub, decisions.c.at >= start, decisions.c.at < end)
                        .group_by(*decision, ratings.c.level).order_by(*decision[:3]))
    felt: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:
        entry = felt.setdefault((row.issue_id, row.version), {
            "issue_id": row.issue_id, "decision": row.version, "kind": row.kind, "claimed": row.level, "felt": {}})
        entry["felt"][row.felt] = row.experts
    return list(felt.values())


def period(start: date | None, end: date | None, today: datetime) -> tuple[datetime, datetime]:
    """A period as UTC datetimes: by default the last 365 days up to and including today."""
    end_day = end or today.date()
    start_day = start or end_day - timedelta(days=364)
    return _midnight(start_day, today), _midnight(end_day + timedelta(days=1), today)


def _midnight(day: date, today: datetime) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=today.tzinfo)


def of_rater(conn: Connection, rater_id: Any) -> list[Any]:
    """One person's ratings of how decisions felt, beside the level each decision claimed."""
    query = (select(ratings.c.issue_id, ratings.c.version, ratings.c.level.label("felt"),
                    decisions.c.level.label("claimed"), decisions.c.kind, decisions.c.at)
             .join(decisions, (decisions.c.issue_id == ratings.c.issue_id) & (decisions.c.version == ratings.c.version))
             .where(ratings.c.rater_id == str(rater_id)).order_by(decisions.c.at))
    return list(conn.execute(query))
