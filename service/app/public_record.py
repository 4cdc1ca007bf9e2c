"""A hub's record in public: "You said, we did" for anyone, with no sign-in, once the hub chooses
to publish it. What of each piece of input may appear is decided by the disclosure policy's
public viewer (service/app/disclosure.py): quotable words only, named as each person chose.

What is built (a page of the record, the feed, a poster) is kept until the next event in the
log (any change might alter it: new input, a withdrawal, a person forgotten, the hub's page
turned off), so a busy page costs one look at the log's newest position.
"""

from __future__ import annotations

import functools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

from domain import Actor, Hub, NotFound, SystemicIssue
from projections import hub_board, timeline
from projections.times import aware, now
from service.app import disclosure
from service.app.application import CoproduceBase
from service.app.authorization import Permission as P, Target
from service.app.contributions import Contribution
from service.app.issue_view import as_input
from service.app.ports import SealBroken

ISSUES_PER_PAGE = 20
QUOTES_PER_ISSUE = 3  # the newest quotable pieces of input shown for each issue
LATEST = 5  # of an issue's feedback, learning and each action's progress, the newest shown
KEPT = 256  # pages, feeds and posters kept in memory
FEED_KINDS = ("Raised", "SummarisedInPlainWords", "StageAdvanced", "StageMovedBack", "ActionCommitted",
              "ActionCompleted", "ActionDropped", "FeedbackGiven", "LearningRecorded", "Closed")
FEED_ENTRIES = 50
POSTER_PAIRS = 4
T = TypeVar("T")


class PublicRecord(CoproduceBase):
    """Publishing a hub's record, and what the public may read of it (with the issue commands and read
    queries of `Coproduce`)."""

    _public_pages: OrderedDict | None = None
    _public_pages_lock = threading.Lock()

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

    def _kept_until_the_log_moves(self, key: tuple, build: Callable[[int], T]) -> T:
        """`build(position)`'s answer, kept until the log's head moves past `position`."""
        position = self.recorder.max_notification_id() or 0
        with self._public_pages_lock:
            kept = self._public_pages if self._public_pages is not None else OrderedDict()
            self._public_pages = kept
            if (*key, position) in kept:
                kept.move_to_end((*key, position))
                return kept[(*key, position)]
        answer = build(position)
        with self._public_pages_lock:
            kept[(*key, position)] = answer
            while len(kept) > KEPT:
                kept.popitem(last=False)
        return answer

    def public_record(self, hub_id: UUID | str, page: int = 1) -> dict[str, Any]:
        """One page of what the public may read of a published hub: its issues, what was said that may be
        quoted, what was decided and at what level, actions, feedback and learning."""
        return self._kept_until_the_log_moves(("page", str(hub_id), page),
                                              lambda position: self._public_page(self.published_hub(hub_id), page, position))

    def _public_page(self, hub: Hub, page: int, position: int) -> dict[str, Any]:
        with self.read_models().connect() as conn:
            rows = hub_board.hub_issues(conn, hub.id)
        pages = max(1, math.ceil(len(rows) / ISSUES_PER_PAGE))
        page = min(max(page, 1), pages)
        names, opener = functools.cache(self.display_name), self.opener()
        shown = rows[(page - 1) * ISSUES_PER_PAGE:page * ISSUES_PER_PAGE]
        return {"hub": _hub(hub), "page": page, "pages": pages, "position": position, "total": len(rows),
                "issues": [self._public_issue(self._issue(row.issue_id), names, opener) for row in shown]}

    def _issue(self, issue_id: str) -> SystemicIssue:
        return self._cached(SystemicIssue, UUID(issue_id), "issue")

    def _public_issue(self, issue: SystemicIssue, names: Any, opener: Any) -> dict[str, Any]:
        said = self._quotes(issue, names, opener)
        decisions = [{"what": issue.selection.decision, "level": issue.selection.level}] if issue.selection else []
        if issue.outcome:
            decisions.append({"what": issue.outcome, "level": ""})
        return {
            "id": str(issue.id), "title": issue.title, "summary": issue.plain_summary, "stage": issue.stage.value,
            "on_hold": issue.parked_reason is not None, "said": said[:QUOTES_PER_ISSUE], "said_total": len(said),
            "decisions": decisions,
            "actions": [{"id": a.id, "title": a.title, "owner": names(a.owner_id), "due": a.due, "status": a.status,
                         "progress": a.progress[-LATEST:], "end_note": a.end_note} for a in issue.actions.values()],
            "feedback": [f.message for f in issue.feedback.values()][-LATEST:],
            "learnt": [learning.what_changed for learning in issue.learnings.values()][-LATEST:],
        }

    def _answers_public_input(self, issue_id: str, contribution_ids: list[str]) -> bool:
        """Whether feedback answered any input the public may know of: "you said something about" it
        would otherwise mark input not to be quoted, or withdrawn, which the public never sees."""
        issue = self._issue(issue_id)
        return any(disclosure.shown_in_public(as_input(issue, c), c.withdrawn)
                   for c in self.contributions(issue) if c.id in contribution_ids)

    def _quotes(self, issue: SystemicIssue, names: Any, opener: Any) -> list[dict[str, str]]:
        """The issue's input the public may read, newest first, named as each person chose."""
        return [q for q in (self._quote(issue, c, names, opener) for c in reversed(self.contributions(issue))) if q]

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

    def public_feed(self, hub_id: UUID | str) -> dict[str, Any]:
        """The hub's public changes, newest first, for its Atom feed: each with its issue's title, summary
        and actions, and no input words (those are on the page, where each person's consent is applied)."""
        def build(position: int) -> dict[str, Any]:
            hub = self.published_hub(hub_id)
            with self.read_models().connect() as conn:
                rows = timeline.of_hub(conn, hub.id, FEED_KINDS, FEED_ENTRIES)
            issues = {row.issue_id: self._issue(row.issue_id) for row in rows}
            return {"hub": _hub(hub), "position": position, "entries": [
                {"id": f"{row.issue_id}/{row.version}", "at": aware(row.occurred_at), "kind": row.kind,
                 "details": row.details, "issue": _outline(issues[row.issue_id])} for row in rows]}
        return self._kept_until_the_log_moves(("feed", str(hub_id)), build)

    def poster(self, hub_id: UUID | str, start: date | None = None, end: date | None = None) -> dict[str, Any]:
        """Up to four things "you said" and what "we did" about each, from feedback given in the period
        (the last three months unless asked): quotable words only, named as each person chose."""
        end = end or now().date()
        start = start or end - timedelta(days=91)
        return self._kept_until_the_log_moves(("poster", str(hub_id), start, end),
                                              lambda position: self._poster(self.published_hub(hub_id), start, end))

    def _poster(self, hub: Hub, start: date, end: date) -> dict[str, Any]:
        with self.read_models().connect() as conn:
            rows = [row for row in timeline.of_hub(conn, hub.id, ("FeedbackGiven",), 500)
                    if start <= aware(row.occurred_at).date() <= end]
        names, opener = functools.cache(self.display_name), self.opener()
        quotes = functools.cache(lambda issue_id: {q["id"]: q for q in self._quotes(self._issue(issue_id), names, opener)})
        pairs = [{"at": aware(row.occurred_at), "issue": _outline(self._issue(row.issue_id)), "did": row.details["message"],
                  "quote": next((quotes(row.issue_id)[c] for c in row.contribution_ids if c in quotes(row.issue_id)), None)}
                 for row in rows if self._answers_public_input(row.issue_id, row.contribution_ids)]
        pairs.sort(key=lambda pair: (pair["quote"] is not None, pair["at"]), reverse=True)
        return {"hub": _hub(hub), "start": start, "end": end, "pairs": pairs[:POSTER_PAIRS]}


def _hub(hub: Hub) -> dict[str, str]:
    return {"id": str(hub.id), "name": hub.name, "area": hub.area}


def _outline(issue: SystemicIssue) -> dict[str, Any]:
    """What the feed and poster name an issue by: its title, summary and actions' titles."""
    return {"id": str(issue.id), "title": issue.title, "summary": issue.plain_summary,
            "actions": [{"id": a.id, "title": a.title} for a in issue.actions.values()]}
