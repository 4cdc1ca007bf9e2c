"""Messages due: which message is owed to whom, by which way, derived from the events.

One row per (what happened, person, way): feedback on their input; their input grouped, used in
what was found, or led to an action; that action done or dropped; the issue closed. A person who
asked for a weekly round-up gets the week's rows in one message. Whether a row went (sent, could
not be delivered, handed over at the hub) comes from the person's `KeepingPosted` events too, so a
rebuild gives the same rows. No address, number or name is kept here; `what` holds the staff's
words the message repeats (the feedback, an action's title), blanked once the message is settled.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON, Boolean, Column, Connection, DateTime, Index, String, Table, Text, delete, exists, func, select,
)

from projections.ids import text
from projections.issue_index import issue_table, track_issues
from projections.unit_of_work import UnitOfWork
from projections.view import KEPT_IN_REBUILD, View

# 2: the input each message is about; 3: input is reached by any feedback on it, not only the first
view = View("messages_due", version=3, weight=0.95)
issues = issue_table(view.metadata, "due_issues")
track_issues(view, issues)

people = Table(
    "due_people", view.metadata,
    Column("person_id", String(36), primary_key=True),
    Column("ways", JSON, nullable=False),
    Column("topics", JSON, nullable=False),
    Column("how_often", String(10), nullable=False),
    Column("reachable", Boolean, nullable=False),  # a way chosen, and the last message by it did not fail
)

contributions = Table(
    "due_contributions", view.metadata,
    Column("contribution_id", String(36), primary_key=True),
    Column("issue_id", String(36), nullable=False),
    Column("hub_id", String(36), nullable=False, index=True),
    Column("contributor_id", String(36), nullable=False, index=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn", Boolean, nullable=False),
)
# A closing issue's handler reads its input by this index: a rebuild keeps it.
Index("ix_due_contributions_issue_id", contributions.c.issue_id, info={KEPT_IN_REBUILD: True})

# When each feedback first reached each person it answered (sent, or handed over).
delivered = Table(
    "due_delivered", view.metadata,
    Column("person_id", String(36), primary_key=True),
    Column("feedback_id", String(36), primary_key=True),
    Column("delivered_at", DateTime(timezone=True), nullable=False),
)

actions = Table(
    "due_actions", view.metadata,
    Column("action_id", String(36), primary_key=True),
    Column("contribution_ids", JSON, nullable=False),
    Column("issue_id", String(36), nullable=False),
    Column("owner_id", String(36), nullable=False),
    Column("title", Text, nullable=False),
    Column("due", String(10), nullable=False),
    Column("open", Boolean, nullable=False, index=True),
)

messages = Table(
    "due_messages", view.metadata,
    Column("message_key", String(200), primary_key=True),
    Column("person_id", String(36), nullable=False, index=True),
    Column("way", String(10), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("issue_id", String(36), nullable=False, index=True),
    Column("hub_id", String(36), nullable=False, index=True),
    Column("ref_id", String(36), nullable=False),
    Column("what", Text, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("round_up", String(8)),  # the ISO week ("2026-W48") of a weekly round-up's row
    Column("status", String(12), nullable=False, index=True),  # due | sent | failed | handed_over
    Column("settled_at", DateTime(timezone=True)),
    Column("session_id", String(36)),  # the session at which it was handed over
)

# The person's own input each message is about: news about input they have all since withdrawn is not sent.
about_input = Table(
    "due_message_input", view.metadata,
    Column("message_key", String(200), primary_key=True),
    Column("contribution_id", String(36), primary_key=True),
)
# A withdrawal finds the messages about the input by this index: a rebuild keeps it.
Index("ix_due_message_input_contribution_id", about_input.c.contribution_id, info={KEPT_IN_REBUILD: True})

TOPIC_OF = {"feedback": "feedback", "grouped": "progress", "finding": "progress", "action": "progress",
            "action_done": "actions", "action_dropped": "actions", "closed": "closed"}


def week_of(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _owe(work: UnitOfWork, e: Any, person_id: str, kind: str, ref: Any, what: str, input_ids: list[str]) -> None:
    """Queue a message to `person_id` by each way they chose, if they asked to hear of this kind: news
    about their input `input_ids`."""
    person = work.get(people, person_id)
    if person is None or TOPIC_OF[kind] not in person["topics"]:
        return
    issue = work.get(issues, text(e.originator_id))
    for way in person["ways"]:
        key = f"{kind}:{ref}:{person_id}:{way}"
        if work.get(messages, key) is None:
            work.insert(messages, {
                "message_key": key, "person_id": person_id, "way": way, "kind": kind,
                "issue_id": issue["issue_id"], "hub_id": issue["hub_id"], "ref_id": text(ref), "what": what,
                "due_at": e.timestamp, "status": "due",
                "round_up": week_of(e.timestamp) if person["how_often"] == "weekly" else None})
            for contribution_id in input_ids:
                work.insert(about_input, {"message_key": key, "contribution_id": contribution_id})


def _owe_contributors(work: UnitOfWork, e: Any, contribution_ids: list[Any], kind: str, ref: Any, what: str) -> None:
    """One message to each person whose input, not withdrawn, this news is about."""
    theirs: dict[str, list[str]] = {}
    for contribution_id in map(text, contribution_ids):
        row = work.get(contributions, contribution_id)
        if row is not None and not row["withdrawn"]:
            theirs.setdefault(row["contributor_id"], []).append(contribution_id)
    for person_id, input_ids in theirs.items():
        _owe(work, e, person_id, kind, ref, what, input_ids)


owners = Table(
    "due_owners", view.metadata,
    Column("keeping_posted_id", String(36), primary_key=True),
    Column("person_id", String(36), nullable=False),
)


@view.on("KeepingPosted.Started")
def started(work: UnitOfWork, e: Any, _: int) -> None:
    work.insert(owners, {"keeping_posted_id": text(e.originator_id), "person_id": text(e.person_id)})


@view.on("KeepingPosted.ContactChosen")
def chosen(work: UnitOfWork, e: Any, _: int) -> None:
    person_id = work.get(owners, text(e.originator_id))["person_id"]
    values = {"ways": list(e.ways), "topics": list(e.topics), "how_often": e.how_often, "reachable": bool(e.ways)}
    if work.get(people, person_id) is None:
        work.insert(people, {"person_id": person_id, **values})
    else:
        work.update(people, person_id, **values)


@view.on("SystemicIssue.ContributionRecorded")
def recorded(work: UnitOfWork, e: Any, _: int) -> None:
    issue_id = text(e.originator_id)
    work.insert(contributions, {"contribution_id": text(e.contribution_id), "issue_id": issue_id,
                                "hub_id": work.get(issues, issue_id)["hub_id"],
                                "contributor_id": text(e.contributor_id), "recorded_at": e.timestamp,
                                "withdrawn": False})
    work.notes.setdefault(("contributions added to", issue_id), []).append(text(e.contribution_id))


@view.on("SystemicIssue.ContributionWithdrawn")
def withdrawn(work: UnitOfWork, e: Any, _: int) -> None:
    """Input withdrawn: news not yet sent about it goes, unless it is also about other input of theirs
    that stands (what went keeps that it went)."""
    contribution_id = text(e.contribution_id)
    work.update(contributions, contribution_id, withdrawn=True)
    given = work.get(contributions, contribution_id)
    if given is None or work.get(people, given["contributor_id"]) is None:
        return  # nobody owes them a message: no statement (on SQLite it would take the writers' turn mid-batch)
    about_it = select(about_input.c.message_key).where(about_input.c.contribution_id == contribution_id)
    standing = exists().where(about_input.c.message_key == messages.c.message_key,  # by its key: no scan
                              contributions.c.contribution_id == about_input.c.contribution_id,
                              contributions.c.withdrawn.is_(False))
    work.execute(delete(messages).where(messages.c.status == "due", messages.c.message_key.in_(about_it), ~standing),
                 messages, about_input, contributions)


@view.on("SystemicIssue.FeedbackGiven")
def answered(work: UnitOfWork, e: Any, _: int) -> None:
    _owe_contributors(work, e, e.contribution_ids, "feedback", e.feedback_id, e.message)


@view.on("SystemicIssue.ContributionsThemed")
def grouped(work: UnitOfWork, e: Any, position: int) -> None:
    _owe_contributors(work, e, e.contribution_ids, "grouped", position, e.theme)


@view.on("SystemicIssue.FindingRecorded")
def found(work: UnitOfWork, e: Any, _: int) -> None:
    _owe_contributors(work, e, e.contribution_ids, "finding", e.finding_id, e.summary)


@view.on("SystemicIssue.ActionCommitted")
def committed(work: UnitOfWork, e: Any, _: int) -> None:
    work.insert(actions, {"action_id": text(e.action_id), "contribution_ids": [str(c) for c in e.contribution_ids],
                          "issue_id": text(e.originator_id), "owner_id": text(e.owner_id), "title": e.title,
                          "due": e.due, "open": True})
    _owe_contributors(work, e, e.contribution_ids, "action", e.action_id, e.title)


@view.on("SystemicIssue.ActionCompleted", "SystemicIssue.ActionDropped")
def ended(work: UnitOfWork, e: Any, _: int) -> None:
    done = type(e).__name__ == "ActionCompleted"
    linked = work.get(actions, text(e.action_id))["contribution_ids"]
    work.update(actions, text(e.action_id), open=False)
    _owe_contributors(work, e, linked, "action_done" if done else "action_dropped", e.action_id,
                      e.note if done else e.reason)


CLOSED = ":SystemicIssue.Closed"  # the end of a closing's topic


@view.before_batch
def closings_ahead(work: UnitOfWork, notifications: list[Any]) -> None:
    """The input recorded in earlier batches of every issue this batch closes, read in one statement
    rather than one a closing (a round trip each on PostgreSQL: a rebuild closes thousands)."""
    closing = {text(n.originator_id) for n in notifications if n.topic.endswith(CLOSED)}
    if closing:
        found: dict[str, list[str]] = {issue_id: [] for issue_id in closing}
        for row in work.conn.execute(select(contributions.c.issue_id, contributions.c.contribution_id)
                                     .where(contributions.c.issue_id.in_(closing))):
            found[row.issue_id].append(row.contribution_id)
        for issue_id, linked in found.items():
            work.notes[("contributions of", issue_id)] = linked


@view.on("SystemicIssue.Closed")
def closed(work: UnitOfWork, e: Any, _: int) -> None:
    issue_id = text(e.originator_id)
    linked = work.notes[("contributions of", issue_id)]  # read for the whole batch before it (closings_ahead)
    linked = linked + work.notes.get(("contributions added to", issue_id), [])  # this batch's, not yet written
    _owe_contributors(work, e, linked, "closed", e.originator_id, e.outcome)


def _settled(status: str):
    def settle(work: UnitOfWork, e: Any, _: int) -> None:
        work.update(messages, e.message_key, status=status, settled_at=e.timestamp, what="",
                    session_id=getattr(e, "session_id", None))
        person_id = work.get(owners, text(e.originator_id))["person_id"]
        person = work.get(people, person_id)
        if status != "failed":
            if e.about.get("kind") == "feedback":
                _delivered(work, e, person_id)
        elif person is not None and e.way in person["ways"]:  # not a way they have since dropped
            work.update(people, person_id, reachable=False)
    return settle


def _delivered(work: UnitOfWork, e: Any, person_id: str) -> None:
    """This feedback has now reached this person (the first time it did: sent, or handed over)."""
    key = (person_id, e.about["ref_id"])
    if work.get(delivered, key) is None:
        work.insert(delivered, {"person_id": person_id, "feedback_id": e.about["ref_id"], "delivered_at": e.timestamp})


view.on("KeepingPosted.MessageSent")(_settled("sent"))
view.on("KeepingPosted.MessageFailed")(_settled("failed"))
view.on("KeepingPosted.HandedOver")(_settled("handed_over"))


@view.on("Account.Forgotten")
def forgotten(work: UnitOfWork, e: Any, _: int) -> None:
    """Every message not yet sent to a forgotten person goes; what went keeps only that it went."""
    person_id = text(e.originator_id)
    work.execute(delete(messages).where(messages.c.person_id == person_id, messages.c.status == "due"), messages)
    work.update(people, person_id, ways=[], topics=[], reachable=False)


def waiting(conn: Connection, ways: list[str], before_week: str, limit: int) -> list[Any]:
    """Rows still due by one of `ways`, oldest first; a weekly round-up's rows once its week is over."""
    query = (select(messages, issues.c.title).join(issues, issues.c.issue_id == messages.c.issue_id)
             .where(messages.c.status == "due", messages.c.way.in_(ways),
                    messages.c.round_up.is_(None) | (messages.c.round_up < before_week))
             .order_by(messages.c.due_at, messages.c.message_key).limit(limit))
    return list(conn.execute(query))


def still_due(conn: Connection, keys: list[str]) -> set[str]:
    """Which of these messages are still owed (due, not taken back)."""
    return set(conn.execute(select(messages.c.message_key).where(messages.c.message_key.in_(keys),
                                                                 messages.c.status == "due")).scalars())


def owners_to_remind(conn: Connection, today: date) -> list[Any]:
    """Open actions due within a week or overdue, with their owners who chose a way to hear of actions."""
    query = (select(actions, issues.c.hub_id, issues.c.title.label("issue_title"), people.c.ways, people.c.topics)
             .join(issues, issues.c.issue_id == actions.c.issue_id)
             .join(people, people.c.person_id == actions.c.owner_id)
             .where(actions.c.open.is_(True), actions.c.due <= (today + timedelta(days=7)).isoformat())
             .order_by(actions.c.due, actions.c.action_id))
    return [row for row in conn.execute(query) if "actions" in row.topics and row.ways]


def to_hand_over(conn: Connection, hub_id: str) -> list[Any]:
    """The news waiting to be given out at a hub's next session, by person, oldest first."""
    query = (select(messages, issues.c.title).join(issues, issues.c.issue_id == messages.c.issue_id)
             .where(messages.c.status == "due", messages.c.way == "hub", messages.c.hub_id == hub_id)
             .order_by(messages.c.person_id, messages.c.due_at, messages.c.message_key))
    return list(conn.execute(query))


def of_person(conn: Connection, person_id: Any) -> list[Any]:
    """Every message to one person, due or settled, oldest first (a copy of their data)."""
    return conn.execute(select(messages).where(messages.c.person_id == str(person_id))
                        .order_by(messages.c.due_at)).all()


def settled_of(conn: Connection, person_id: Any) -> dict[tuple[str, str], list[Any]]:
    """What reached one person (or could not), by what it was about: (kind, ref) -> its messages."""
    query = (select(messages).where(messages.c.person_id == str(person_id), messages.c.status != "due")
             .order_by(messages.c.settled_at))
    found: dict[tuple[str, str], list[Any]] = {}
    for row in conn.execute(query):
        found.setdefault((row.kind, row.ref_id), []).append(row)
    return found


def delivery_report(conn: Connection, hub_id: Any, start: datetime, end: datetime, within_days: int,
                    unreachable_limit: int = 100) -> dict[str, Any]:
    """Of the hub's input recorded in [start, end) (withdrawn aside): how much had feedback delivered
    to its author within `within_days` (any feedback on it, the first to reach them: feedback given
    before they chose a way to hear may never have), and which input's author cannot be reached (no
    way chosen, or every message to them failed), by issue and day, never by name."""
    received = (contributions.c.hub_id == str(hub_id), contributions.c.recorded_at >= start,
                contributions.c.recorded_at < end, contributions.c.withdrawn.is_(False))
    # a message of feedback about this input, to its author, and that feedback reached them
    reached = ((about_input.c.contribution_id == contributions.c.contribution_id)
               & (messages.c.message_key == about_input.c.message_key) & (messages.c.kind == "feedback")
               & (messages.c.person_id == contributions.c.contributor_id)
               & (delivered.c.person_id == messages.c.person_id) & (delivered.c.feedback_id == messages.c.ref_id))
    first = select(func.min(delivered.c.delivered_at)).where(reached).scalar_subquery()
    pairs = [(recorded, at) for recorded, at in conn.execute(
        select(contributions.c.recorded_at, first).where(*received)) if at is not None]
    in_time = sum(1 for recorded, at in pairs if (at - recorded).total_seconds() <= within_days * 86400)
    reachable = select(people.c.person_id).where(people.c.reachable.is_(True))
    unreachable = (select(contributions.c.contribution_id, contributions.c.recorded_at, issues.c.title)
                   .join(issues, issues.c.issue_id == contributions.c.issue_id)
                   .where(*received, ~exists().where(reached), contributions.c.contributor_id.not_in(reachable))
                   .order_by(contributions.c.recorded_at))
    rows = conn.execute(unreachable.limit(unreachable_limit)).all()
    return {"feedback_delivered": len(pairs), "feedback_delivered_in_time": in_time, "delivered_within_days": within_days,
            "unreachable": [{"contribution_id": r.contribution_id, "recorded_at": r.recorded_at,
                             "issue_title": r.title} for r in rows]}


def reached(conn: Connection, issue_id: Any) -> dict[str, int]:
    """For each feedback on an issue: how many people it has reached (sent, or handed over), never who."""
    query = (select(messages.c.ref_id, func.count(messages.c.person_id.distinct()))
             .where(messages.c.issue_id == str(issue_id), messages.c.kind == "feedback",
                    messages.c.status.in_(("sent", "handed_over")))
             .group_by(messages.c.ref_id))
    return dict(conn.execute(query).all())


def counts(conn: Connection) -> dict[str, int]:
    """How many messages are due, sent, failed and handed over."""
    return dict(conn.execute(select(messages.c.status, func.count()).group_by(messages.c.status)).all())


def oldest_due(conn: Connection) -> datetime | None:
    return conn.execute(select(func.min(messages.c.due_at)).where(messages.c.status == "due")).scalar()
