"""What hubs and issues exist, and where each issue stands: folded from the event log.

A small read model computed on demand, for listing in the CLI; it reads the log in
large batches through the recorder rather than aggregate by aggregate.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

BATCH = 1000


@dataclass
class IssueSummary:
    id: str
    hub_id: str
    title: str
    stage: str = "frame"
    parked: bool = False
    version: int = 1


@dataclass
class HubSummary:
    id: str
    name: str
    area: str
    lifecycle: str
    issues: list[IssueSummary] = field(default_factory=list)


@dataclass
class Catalogue:
    hubs: dict[str, HubSummary] = field(default_factory=dict)
    issues: dict[str, IssueSummary] = field(default_factory=dict)
    account_ids: list[str] = field(default_factory=list)

    def apply(self, event: Any) -> None:
        kind, key = type(event).__name__, str(event.originator_id)
        topic = event.originator_topic if kind in ("Created", "Raised") else ""
        if kind == "Created" and topic.endswith(":Hub"):
            self.hubs[key] = HubSummary(key, event.name, event.area, event.lifecycle)
        elif kind == "Registered":
            self.account_ids.append(key)
        elif kind == "LifecycleAdvanced" and key in self.hubs:
            self.hubs[key].lifecycle = event.to
        elif kind == "Raised":
            issue = IssueSummary(key, str(event.hub_id), event.title)
            self.issues[key] = issue
            self.hubs[issue.hub_id].issues.append(issue)
        elif key in self.issues:
            self._apply_to_issue(self.issues[key], kind, event)

    @staticmethod
    def _apply_to_issue(issue: IssueSummary, kind: str, event: Any) -> None:
        issue.version = event.originator_version
        if kind in ("StageAdvanced", "StageMovedBack"):
            issue.stage = event.to
        elif kind == "Closed":
            issue.stage = "closed"
        elif kind in ("Parked", "Reopened"):
            issue.parked = kind == "Parked"


def read_log(app: Any) -> Iterator[Any]:
    """Every domain event in the application's log, in recorded order."""
    position = 0
    while True:
        notifications = app.recorder.select_notifications(position, BATCH, inclusive_of_start=False)
        if not notifications:
            return
        for notification in notifications:
            yield app.mapper.to_domain_event(notification)
        position = notifications[-1].id


def build_catalogue(events: Iterable[Any]) -> Catalogue:
    catalogue = Catalogue()
    for event in events:
        catalogue.apply(event)
    return catalogue
