"""A hub's record in public: "You said, we did" for anyone, with no sign-in, once the hub chooses
to publish it. What of each piece of input may appear is decided by the disclosure policy's
public viewer (service/app/disclosure.py): quotable words only, named as each person chose.

A built record is kept per hub until the next event in the log (any change might alter it: new
input, a withdrawal, a person forgotten, the hub's page turned off), so a busy page costs one
look at the log's newest position.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain import Actor, Hub, NotFound, SystemicIssue
from projections import hub_board, timeline
from projections.times import aware, now
from service.app import disclosure
from service.app.authorization import Permission as P, Target
from service.app.contributions import Contribution
from service.app.issue_view import as_input
from service.app.ports import SealBroken
from service.app.application import CoproduceBase

QUOTES_PER_ISSUE = 5  # the newest quotable pieces of input shown for each issue
KEPT_RECORDS = 64  # hubs' built records kept in memory
FEED_KINDS = ("Raised", "SummarisedInPlainWords", "StageAdvanced", "StageMovedBack", "ActionCommitted",
              "ActionCompleted", "ActionDropped", "FeedbackGiven", "LearningRecorded", "Closed")
POSTER_PAIRS = 4


class PublicRecord(CoproduceBase):
    """Publishing a hub's record, and what the public may read of it (with the issue commands and read
    queries of `Coproduce`)."""

    _kept_records: OrderedDict | None = None
    _kept_lock = threading.Lock()

    def publish_hub(self, hub_id: UUID, actor: Actor) -> None:
        """Turn the hub's public page on (its managers, admins)."""
        self.readable_hub(hub_id, actor)
        acting = self.authorize(actor, P.PUBLISH, Target(hub_id))
        self._change(Hub, hub_id, "hub", lambda h: h.publish(acting))

    def stop_publishing_hub(self, hub_id: UUID, actor: Actor) -> None:
        """Turn the hub's public page off: it answers "not found" at once."""
        self.readable_hub(hub_id, actor)
        acting = self.authorize(actor, P.PUBLISH, Target(hub_id))
        self._change(Hub, hub_id, "hub", lambda h: h.stop_publishing(acting))

    def summarise_issue(self, issue_id: UUID, summary: str, actor: Actor, expected_version: int | None = None) -> None:
        """Say an issue in one line of plain words (its hub's managers): shown first to the public."""
        self._on_issue(issue_id, actor, P.SHAPE_ISSUE, lambda i, a: i.summarise(summary, a), expected_version)

    def published_hub(self, hub_id: UUID | str) -> Hub:
        """The hub, if it publishes its record; the same NotFound as for no such hub otherwise."""
        try:
            hub = self._cached(Hub, UUID(str(hub_id)), "hub")
        except (NotFound, ValueError):
            raise NotFound("no published hub here") from None
        if not hub.published:
            raise NotFound("no published hub here")
        return hub

    def public_record(self, hub_id: UUID | str) -> dict[str, Any]:
        """What the public may read of a published hub: its issues, what was said that may be quoted,
        what was decided and at what level, actions, feedback and learning. Kept until the log moves on."""
        position = self.recorder.max_notification_id() or 0
        key = (str(hub_id), position)
        with self._kept_lock:
            kept = self._kept_records if self._kept_records is not None else OrderedDict()
            self._kept_records = kept
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
        record = self._build_record(self.published_hub(hub_id), position)
        with self._kept_lock:
            kept[key] = record
            while len(kept) > KEPT_RECORDS:
                kept.popitem(last=False)
        return record

    def _build_record(self, hub: Hub, position: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            rows = hub_board.hub_issues(conn, hub.id)
        names = functools.cache(self.display_name)
        opener = self.opener()
        issues = [self._public_issue(self._cached(SystemicIssue, UUID(row.issue_id), "issue"), names, opener)
                  for row in rows]
        return {"hub": {"id": str(hub.id), "name": hub.name, "area": hub.area}, "issues": issues,
                "position": position}

    def _public_issue(self, issue: SystemicIssue, names: Any, opener: Any) -> dict[str, Any]:
        said = [q for q in (self._quote(issue, c, names, opener) for c in reversed(self.contributions(issue))) if q]
        decisions = ([{"what": issue.selection.decision, "level": issue.selection.level}] if issue.selection else [])
        if issue.outcome:
            decisions.append({"what": issue.outcome, "level": ""})
        return {
            "id": str(issue.id), "title": issue.title, "summary": issue.plain_summary, "stage": issue.stage.value,
            "on_hold": issue.parked_reason is not None, "said": said[:QUOTES_PER_ISSUE], "said_total": len(said),
            "decisions": decisions, "levels": sorted(set(issue.decisions.values())),
            "actions": [{"id": a.id, "title": a.title, "owner": names(a.owner_id), "due": a.due, "status": a.status,
                         "progress": list(a.progress), "end_note": a.end_note} for a in issue.actions.values()],
            "feedback": [f.message for f in issue.feedback.values()],
            "learnt": [learning.what_changed for learning in issue.learnings.values()],
        }

    def _quote(self, issue: SystemicIssue, c: Contribution, names: Any, opener: Any) -> dict[str, str] | None:
        item = as_input(issue, c)
        if not disclosure.shown_in_public(item, c.withdrawn):
            return None
        try:
            words = opener(c.text)
        except SealBroken:
            words = None
        if not words:  # its contributor was forgotten
            return None
        return {"words": words, "name": disclosure.name_shown(disclosure.PUBLIC, item, names(c.contributor_id)),
                "id": c.id}

    def public_feed(self, hub_id: UUID | str, limit: int = 50) -> list[dict[str, Any]]:
        """The hub's public changes, newest first, for its Atom feed: each in plain words, with no
        input words (those are on the page, where each person's consent is applied)."""
        record = self.public_record(hub_id)
        by_id = {issue["id"]: issue for issue in record["issues"]}
        with self.engine.connect() as conn:
            rows = [row for issue_id in by_id for row in timeline.read(conn, UUID(issue_id))
                    if row.kind in FEED_KINDS]
        rows.sort(key=lambda row: (aware(row.occurred_at), row.position), reverse=True)
        return [{"id": f"{row.issue_id}/{row.version}", "at": aware(row.occurred_at),
                 "issue": by_id[row.issue_id], "kind": row.kind, "details": row.details}
                for row in rows[:limit]]

    def poster(self, hub_id: UUID | str, start: date | None = None, end: date | None = None) -> dict[str, Any]:
        """Up to four things "you said" and what "we did" about each, from feedback given in the period
        (the last three months unless asked): quotable words only, named as each person chose."""
        record = self.public_record(hub_id)
        end = end or now().date()
        start = start or end - timedelta(days=91)
        pairs = []
        with self.engine.connect() as conn:
            for issue in record["issues"]:
                quotes = {q["id"]: q for q in issue["said"]}
                for row in timeline.read(conn, UUID(issue["id"]), kind="FeedbackGiven"):
                    if start <= aware(row.occurred_at).date() <= end:
                        quote = next((quotes[c] for c in row.contribution_ids if c in quotes), None)
                        pairs.append({"at": aware(row.occurred_at), "issue": issue, "quote": quote,
                                      "did": row.details["message"]})
        pairs.sort(key=lambda pair: (pair["quote"] is not None, pair["at"]), reverse=True)
        return {"hub": record["hub"], "start": start, "end": end, "pairs": pairs[:POSTER_PAIRS]}

