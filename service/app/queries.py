"""Queries on the read models, with names and personal content opened only for display."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from datetime import date
from types import SimpleNamespace
from typing import Any, NamedTuple
from uuid import UUID

from domain import Actor, SystemicIssue, policies
from projections import accountability, audit_trail, hub_board, my_input, timeline
from projections import messages_due
from projections.describe import SENTENCES, Sentence, describe
from projections.times import aware, now
from service.app.application import CoproduceBase
from service.app import disclosure, exports
from service.app.authorization import Decision, Permission as P, Target, Who, decide
from service.app.contributions import Contribution, as_seen, recorded_lately
from service.app.issue_view import issue_seen
from service.app.news import gone_out, told
from service.app.ports import SealBroken
from service.app.timeline_view import TimelineNaming

CONSENT_KINDS = ("ContributionRecorded", "ConsentChanged")  # what a history's naming reads
ERASED = "input withdrawn at the contributor's request"  # shown once the contributor is forgotten


class InputPage(NamedTuple):
    stories: list[dict[str, Any]]
    total: int  # stories on every page
    awaiting: int  # of those, still awaiting feedback


class _Lookups:
    """Names, sealed words and hubs for one answer, each looked up once however often it is shown
    (never kept across answers, so a person forgotten since is not shown)."""

    def __init__(self, app: CoproduceBase):
        self.name = functools.cache(app.display_name)
        self.hub = functools.cache(app.hub)
        self._open = app.opener()
        self.news: dict[tuple[str, str], list[Any]] = {}  # what reached the person, by what it was about
        self.open = functools.cache(self._opened)  # a person's copy opens the same words twice

    def _opened(self, sealed: str) -> str | None:
        try:
            return self._open(sealed)
        except SealBroken:
            return None


class ReadQueries(CoproduceBase):
    """What the pages and the API show, read from the projections."""

    def issue_as_seen(self, issue_id: UUID, actor: Actor, issue: SystemicIssue | None = None) -> dict[str, Any]:
        """The issue as `actor` may see it (`issue`: the copy a command just saved, to show it as left)."""
        issue = issue or self.readable_issue(issue_id, actor)
        viewer = self.who(actor)
        self.authorize(actor, P.READ, Target(issue.hub_id), hidden=f"no issue with id {issue_id}")
        return issue_seen(issue, self.contributions(issue), viewer, self.opener(), functools.cache(self.display_name))

    def timeline(self, issue_id: UUID, actor: Actor, stage: str | None = None, kind: str | None = None,
                 sentences: Mapping[str, Sentence] = SENTENCES) -> list[dict[str, Any]]:
        """Every event of the issue in plain words (`sentences`: the door's own register), as `actor` may
        read them."""
        hub_id = self._readable_hub_of(issue_id, actor)
        with self.read_models().connect() as conn:
            rows = timeline.read(conn, issue_id, stage, kind)
            recorded = rows if not (stage or kind) else timeline.read(conn, issue_id, kinds=CONSENT_KINDS)
            reached = messages_due.reached(conn, issue_id)
        inputs = {row.details["contribution_id"]: {**row.details, "entered_by": row.actor_id}
                  for row in recorded if row.kind == "ContributionRecorded"}
        for row in recorded:  # consent changed later holds for the whole history, the earlier acts included
            if row.kind == "ConsentChanged" and row.details["contribution_id"] in inputs:
                inputs[row.details["contribution_id"]].update(may_quote=row.details["may_quote"],
                                                              attribution=row.details["attribution"])
        naming = TimelineNaming(self.who(actor), hub_id, functools.cache(self.display_name), inputs)
        entries = []
        for row in rows:
            event = SimpleNamespace(**row.details, timestamp=aware(row.occurred_at),
                                    actor={"id": row.actor_id, "role": row.actor_role})
            described = describe(_as_event(row.kind, event), naming, sentences)
            entries.append({"version": row.version, "kind": row.kind, "stage": row.stage, **vars(described),
                            "contribution_ids": row.contribution_ids})
            if row.kind == "FeedbackGiven" and row.details.get("feedback_id") in reached:
                entries[-1]["what"] += f" {gone_out(reached[row.details['feedback_id']])}"
        return entries

    def _readable_hub_of(self, issue_id: UUID, actor: Actor) -> UUID:
        """The issue's hub, if `actor` may read the issue (the issue is not copied to find it)."""
        hub_id = self.hub_of(issue_id)
        self.authorize(actor, P.READ, Target(hub_id), hidden=f"no issue with id {issue_id}")
        return hub_id

    def contributions(self, issue: SystemicIssue) -> list[Contribution]:
        """The issue's input as people see it, in the order recorded (service/contributions.py)."""
        if not issue.contributors:
            return []
        with self.read_models().connect() as conn:
            recorded = my_input.of_issue(conn, issue.id)
        missing = issue.contributors.keys() - recorded.keys()
        if missing:
            recorded.update(recorded_lately(self.events, issue.id, missing))
        return as_seen(issue, recorded)

    def my_input_page(self, actor: Actor, first: int, size: int, contributor_id: UUID | None = None) -> InputPage:
        """One page of what happened to the input of `actor` (or, for admins and auditors, of
        `contributor_id`), with how many stories there are in all and how many await feedback."""
        contributor_id = contributor_id or actor.account_id
        if contributor_id != actor.account_id:
            self.authorize(actor, P.READ_ACCOUNTS)
            self.account(contributor_id)
        return self.input_page_of(contributor_id, self.who(actor), first, size)

    def input_page_of(self, contributor_id: UUID, viewer: Who, first: int, size: int) -> InputPage:
        """One page of what happened to one person's input, as `viewer` (already decided on) may see it:
        someone else sees only the input given under the person's full name."""
        listed = disclosure.listed_under_their_name(viewer, contributor_id)
        with self.read_models().connect() as conn:
            total, awaiting = my_input.count_of_contributor(conn, contributor_id, listed)
            stories = my_input.of_contributor(conn, contributor_id, first, size, listed) if first < total else []
            news = messages_due.settled_of(conn, contributor_id) if stories else {}
        lookups = _Lookups(self)
        lookups.news = news
        return InputPage([self._story(s, lookups, viewer) for s in stories], total, awaiting)

    def _story(self, story: dict[str, Any], look: _Lookups, viewer: Who) -> dict[str, Any]:
        c = story["contribution"]
        item = disclosure.Input(c.hub_id, c.contributor_id, c.entered_by, c.may_quote, c.attribution)
        if not disclosure.may_read_words(viewer, item):  # someone else's page, read by an auditor or admin
            return {**self._story_of(c, story, look, None), "text": None, "text_status": "not_shown", "erased": False}
        return self._story_of(c, story, look, None if c.withdrawn_at else (look.open(c.text) or None))

    def _story_of(self, c: Any, story: dict[str, Any], look: _Lookups, text: str | None) -> dict[str, Any]:
        """`text`: the words opened, or None (withdrawn, erased or not to be shown)."""
        fates = [{"kind": f.kind, "summary": f.summary, "by": look.name(f.by_id) if f.by_id else "",
                  "at": aware(f.at), **self._action(story["actions"].get(f.ref_id), look),
                  "news": told(look.news.get((f.kind, f.ref_id), []), look.hub)}
                 for f in story["fates"]]
        return {
            "contribution_id": c.contribution_id, "issue_id": c.issue_id, "issue_title": c.title,
            "issue_stage": c.stage, "recorded_at": aware(c.recorded_at), "channel": c.channel,
            "text": text if text is not None else (ERASED if not c.withdrawn_at else None),
            "text_status": "withdrawn" if c.withdrawn_at else ("shown" if text is not None else "erased"),
            "withdrawn": c.withdrawn_at is not None, "erased": text is None and not c.withdrawn_at,
            "entered_by": look.name(c.entered_by) if c.entered_by != c.contributor_id else None,
            "session": self._session(c.hub_id, c.session_id, look), "themes": c.themes, "fates": fates,
            "awaiting_feedback": policies.awaits_feedback(c.withdrawn_at is not None,
                                                          any(f["kind"] == "feedback" for f in fates)),
            "awaits_confirmation": (c.entered_by != c.contributor_id and not c.withdrawn_at and c.stage != "closed"
                                    and c.confirmed_at is None and c.corrected_at is None),
            "corrected": c.corrected_at is not None, "may_quote": c.may_quote, "attribution": c.attribution,
        }

    def _action(self, action: Any, look: _Lookups) -> dict[str, Any]:
        if action is None:
            return {}
        return {"action": {"title": action.title, "owner": look.name(action.owner_id), "due": action.due,
                           "status": action.status, "progress": [p["note"] for p in action.progress]}}

    def _session(self, hub_id: str, session_id: str | None, look: _Lookups) -> dict[str, Any] | None:
        if not session_id:
            return None
        hub = look.hub(UUID(hub_id))
        session = hub.sessions.get(session_id)
        return session and {"held_on": session.held_on, "place": session.place, "format": session.format,
                            "hub": hub.name}

    def hub_board(self, hub_id: UUID, actor: Actor) -> dict[str, Any]:
        """The hub's issues by stage (its members, auditors and admins)."""
        self.readable_hub(hub_id, actor)
        with self.read_models().connect() as conn:
            return hub_board.board(conn, hub_id, now())

    def board_hubs(self, actor: Actor) -> list[Any]:
        """The hubs `actor` may read."""
        with self.read_models().connect() as conn:
            hubs = hub_board.all_hubs(conn)
        return [h for h in hubs if self.may_read_hub(actor, h.hub_id)]

    def known_ids(self) -> tuple[dict[str, str], list[str]]:
        """Every hub's id with its name, and every issue's id: for turning the short ids and hub names
        typed at the command line into ids. What they hold is read through the checked queries."""
        with self.read_models().connect() as conn:
            hubs = {h.hub_id: h.name for h in hub_board.all_hubs(conn)}
            return hubs, [i.issue_id for hub_id in hubs for i in hub_board.hub_issues(conn, UUID(hub_id))]

    def may_read_hub(self, actor: Actor, hub_id: UUID | str) -> bool:
        return decide(self.who(actor), P.READ, Target(UUID(str(hub_id)))) is Decision.ALLOWED

    def board_issues(self, hub_id: UUID, actor: Actor) -> list[Any]:
        self.readable_hub(hub_id, actor)
        with self.read_models().connect() as conn:
            return hub_board.hub_issues(conn, hub_id)

    def accountability(self, hub_id: UUID, actor: Actor, start: date | None = None, end: date | None = None,
                       overdue_days: int = policies.FEEDBACK_DUE_DAYS) -> dict[str, Any]:
        """Was input answered, were actions done, how were decisions taken (managers, auditors, admins)."""
        self.readable_hub(hub_id, actor, P.READ_REPORTS)
        today = now()
        begin, finish = accountability.period(start, end, today)
        with self.read_models().connect() as conn:
            figures = accountability.report(conn, hub_id, begin, finish, today, overdue_days)
            figures.update(messages_due.delivery_report(conn, hub_id, begin, finish, overdue_days))
        for row in figures["actions_by_owner"]:
            row["owner"] = self.display_name(row["owner_id"])
        return figures

    def audit_trail(self, actor: Actor, after: int = 0, limit: int = 100, offset: int = 0,
                    **filters: Any) -> list[dict[str, Any]]:
        """Events of the log, filtered (auditors and admins)."""
        self.authorize(actor, P.READ_AUDIT)
        with self.read_models().connect() as conn:
            rows = audit_trail.search(conn, after, limit, offset, **filters)
        return [{**row._asdict(), "occurred_at": aware(row.occurred_at)} for row in rows]

    def audit_count(self, actor: Actor, **filters: Any) -> int:
        """How many events of the log match the filters (auditors and admins)."""
        self.authorize(actor, P.READ_AUDIT)
        with self.read_models().connect() as conn:
            return audit_trail.count(conn, **filters)

    def audit_export(self, actor: Actor, fmt: str, limit: int, after: int = 0, **filters: Any) -> exports.Export:
        """The matching events as JSON Lines or CSV, streamed (auditors and admins): refused at once,
        not half-way through a download, if `actor` may not."""
        self.authorize(actor, P.READ_AUDIT)
        return exports.export(lambda since, size: self.audit_trail(actor, after=since, limit=size, **filters),
                              fmt, limit, after)

    def audit_checkpoints(self, actor: Actor) -> dict[str, Any]:
        """The signed checkpoints of the history and the key to check them with (auditors and admins)."""
        self.authorize(actor, P.READ_AUDIT)
        return {"public_key": self.audit.public_key(), "checkpoints": self.audit.checkpoints()}

    def audit_log(self, actor: Actor) -> Iterator[str]:
        """The whole log with its hash chain and checkpoints, to verify offline (auditors and admins)."""
        self.authorize(actor, P.READ_AUDIT)
        return self.audit.export_lines()

    def projections_status(self, actor: Actor) -> list[dict[str, Any]]:
        """Each read model's position in the log and its lag (auditors and admins)."""
        self.authorize(actor, P.READ_AUDIT)
        return self.projections.status()



def _as_event(kind: str, fields: SimpleNamespace) -> Any:
    """A stand-in for the stored event, of a class named like it, for `describe`."""
    return type(kind, (SimpleNamespace,), {})(**vars(fields))
