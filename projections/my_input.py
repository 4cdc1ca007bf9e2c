"""My input: for one contributor, what became of each contribution.

Contribution text stays sealed here as in the event; it is opened only for display.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    JSON, Boolean, Column, ColumnElement, Connection, DateTime, Integer, String, Table, Text, exists, func, select,
    update,
)

from projections.ids import text
from projections.issue_index import issue_table, track_issues
from projections.unit_of_work import UnitOfWork
from projections.view import View

view = View("my_input", version=2, weight=1.1)  # 2: confirmations, corrections and changes of consent
issues = issue_table(view.metadata, "input_issues")
track_issues(view, issues)

contributions = Table(
    "input_contributions", view.metadata,
    Column("contribution_id", String(36), primary_key=True),
    Column("issue_id", String(36), nullable=False, index=True),
    Column("contributor_id", String(36), nullable=False, index=True),
    Column("entered_by", String(36), nullable=False),
    Column("entered_by_role", String(20), nullable=False),
    Column("session_id", String(36)),
    Column("channel", String(20), nullable=False),
    Column("may_quote", Boolean, nullable=False),
    Column("attribution", String(20), nullable=False),
    Column("text", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True)),
    Column("themes", JSON, nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("corrected_at", DateTime(timezone=True)),
)

# What happened to a contribution: themed, used in a finding, answered by an action, given feedback.
fates = Table(
    "input_fates", view.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contribution_id", String(36), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("ref_id", String(36)),
    Column("summary", Text, nullable=False),
    Column("by_id", String(36)),
    Column("at", DateTime(timezone=True), nullable=False),
)

actions = Table(
    "input_actions", view.metadata,
    Column("action_id", String(36), primary_key=True),
    Column("title", Text, nullable=False),
    Column("owner_id", String(36), nullable=False),
    Column("due", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    Column("progress", JSON, nullable=False),
    Column("end_note", Text, nullable=False),
)


def _fate(work: UnitOfWork, e: Any, kind: str, ref: Any, summary: str) -> None:
    for contribution_id in e.contribution_ids:
        work.insert(fates, {"contribution_id": text(contribution_id), "kind": kind, "ref_id": text(ref),
                            "summary": summary, "by_id": e.actor["id"], "at": e.timestamp})


@view.on("SystemicIssue.ContributionRecorded")
def recorded(work: UnitOfWork, e: Any, _: int) -> None:
    work.insert(contributions, {
        "contribution_id": text(e.contribution_id), "issue_id": text(e.originator_id),
        "contributor_id": text(e.contributor_id), "entered_by": e.actor["id"], "entered_by_role": e.actor["role"],
        "session_id": text(e.session_id) if e.session_id else None, "channel": e.channel,
        "may_quote": e.may_quote, "attribution": e.attribution, "text": e.text, "recorded_at": e.timestamp,
        "themes": []})


@view.on("SystemicIssue.ContributionWithdrawn")
def withdrawn(work: UnitOfWork, e: Any, _: int) -> None:
    work.update(contributions, text(e.contribution_id), withdrawn_at=e.timestamp)


@view.on("SystemicIssue.ContributionConfirmed")
def confirmed(work: UnitOfWork, e: Any, _: int) -> None:
    work.update(contributions, text(e.contribution_id), confirmed_at=e.timestamp)


@view.on("SystemicIssue.ContributionCorrected")
def corrected(work: UnitOfWork, e: Any, _: int) -> None:
    """The corrected words replace the earlier ones here, sealed as in the event."""
    work.update(contributions, text(e.contribution_id), text=e.text, corrected_at=e.timestamp)


@view.on("SystemicIssue.ConsentChanged")
def consent_changed(work: UnitOfWork, e: Any, _: int) -> None:
    work.update(contributions, text(e.contribution_id), may_quote=e.may_quote, attribution=e.attribution)


@view.on("SystemicIssue.ContributionsThemed")
def themed(work: UnitOfWork, e: Any, _: int) -> None:
    for contribution_id in e.contribution_ids:
        themes = work.get(contributions, text(contribution_id))["themes"]
        if e.theme not in themes:
            work.update(contributions, text(contribution_id), themes=[*themes, e.theme])
    _fate(work, e, "themed", None, e.theme)


@view.on("SystemicIssue.FindingRecorded")
def found(work: UnitOfWork, e: Any, _: int) -> None:
    _fate(work, e, "finding", e.finding_id, e.summary)


@view.on("SystemicIssue.ActionCommitted")
def committed(work: UnitOfWork, e: Any, _: int) -> None:
    work.insert(actions, {"action_id": text(e.action_id), "title": e.title, "owner_id": text(e.owner_id),
                          "due": e.due, "status": "open", "progress": [], "end_note": ""})
    _fate(work, e, "action", e.action_id, e.title)


@view.on("SystemicIssue.ActionProgressReported")
def progressed(work: UnitOfWork, e: Any, _: int) -> None:
    progress = work.get(actions, text(e.action_id))["progress"]
    work.update(actions, text(e.action_id), progress=[*progress, {"note": e.note, "at": e.timestamp.isoformat()}])


@view.on("SystemicIssue.ActionCompleted", "SystemicIssue.ActionDropped")
def ended(work: UnitOfWork, e: Any, _: int) -> None:
    completed = type(e).__name__ == "ActionCompleted"
    work.update(actions, text(e.action_id), status="completed" if completed else "dropped",
                end_note=e.note if completed else e.reason)


@view.on("SystemicIssue.FeedbackGiven")
def answered(work: UnitOfWork, e: Any, _: int) -> None:
    _fate(work, e, "feedback", e.feedback_id, e.message)


@view.on("Account.Forgotten")
def forgotten(work: UnitOfWork, e: Any, _: int) -> None:
    """Drop the person's sealed words from this view too (they are unreadable already)."""
    work.execute(update(contributions).where(contributions.c.contributor_id == text(e.originator_id)).values(text=""),
                 contributions)


def _of(contributor_id: Any, attributions: tuple[str, ...] | None) -> Any:
    """One person's contributions; only those given with one of `attributions`, when named."""
    mine = contributions.c.contributor_id == str(contributor_id)
    return mine if attributions is None else mine & contributions.c.attribution.in_(attributions)


def of_contributor(conn: Connection, contributor_id: Any, first: int, size: int,
                   attributions: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """`size` of one person's contributions (those given with one of `attributions`, when named)
    from the `first`, newest first, with their fates, actions and issues: a page costs the same
    however much they have said."""
    query = (select(contributions, issues.c.title, issues.c.stage, issues.c.hub_id)
             .join(issues, issues.c.issue_id == contributions.c.issue_id)
             .where(_of(contributor_id, attributions))
             .order_by(contributions.c.recorded_at.desc(), contributions.c.contribution_id))
    rows = list(conn.execute(query.offset(first).limit(size)))
    steps: dict[str, list[Any]] = {row.contribution_id: [] for row in rows}
    for step in conn.execute(select(fates).where(fates.c.contribution_id.in_(list(steps))).order_by(fates.c.id)):
        steps[step.contribution_id].append(step)
    action_ids = {s.ref_id for found in steps.values() for s in found if s.kind == "action"}
    linked = {a.action_id: a for a in conn.execute(select(actions).where(actions.c.action_id.in_(action_ids)))}
    return [{"contribution": row, "fates": steps[row.contribution_id],
             "actions": {s.ref_id: linked[s.ref_id] for s in steps[row.contribution_id] if s.kind == "action"}}
            for row in rows]


def attributions_on(conn: Connection, issue_ids: Iterable[str]) -> dict[tuple[str, str], set[str]]:
    """How each person chose to be named in the input they gave on these issues, withdrawn input
    included: (issue, person) -> the attributions."""
    query = (select(contributions.c.issue_id, contributions.c.contributor_id, contributions.c.attribution)
             .where(contributions.c.issue_id.in_(list(issue_ids))).distinct())
    found: dict[tuple[str, str], set[str]] = {}
    for row in conn.execute(query):
        found.setdefault((row.issue_id, row.contributor_id), set()).add(row.attribution)
    return found


def of_issue(conn: Connection, issue_id: Any) -> dict[str, Any]:
    """The rows of one issue's input, by contribution id."""
    query = select(contributions).where(contributions.c.issue_id == str(issue_id))
    return {row.contribution_id: row for row in conn.execute(query)}


def awaits_feedback() -> ColumnElement[bool]:
    """`domain.policies.awaits_feedback` as SQL: not withdrawn, and no feedback among its fates
    (tests/integration/test_policies_agree.py holds it to the policy's answers)."""
    answered = exists().where(fates.c.contribution_id == contributions.c.contribution_id, fates.c.kind == "feedback")
    return contributions.c.withdrawn_at.is_(None) & ~answered


def count_of_contributor(conn: Connection, contributor_id: Any,
                         attributions: tuple[str, ...] | None = None) -> tuple[int, int]:
    """How many contributions one person has made (given with one of `attributions`, when named),
    and how many of them still await feedback."""
    return tuple(conn.execute(select(func.count(), func.count().filter(awaits_feedback())).where(
        _of(contributor_id, attributions))).one())
