"""A read model: its tables, and what each kind of event does to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData

from projections.unit_of_work import UnitOfWork

Handler = Callable[[UnitOfWork, Any, int], None]
# In an index's `info`: a handler queries by this index, so a rebuild keeps it while it writes the rows
# (it drops the others, and makes them again at the end).
KEPT_IN_REBUILD = "kept_in_rebuild"


def event_name(event: Any) -> str:
    """`Aggregate.Event`, e.g. `SystemicIssue.Raised`: kinds are unique across aggregates."""
    return type(event).__qualname__


@dataclass
class View:
    """One read model. `on("SystemicIssue.Raised")` registers what that event does to its rows;
    `on("SystemicIssue.*")` what every event of that aggregate does."""

    name: str
    metadata: MetaData = field(default_factory=MetaData)
    raw: bool = False  # handlers get the stored notification (exact bytes), not the decoded event
    keep: bool = False  # not emptied by a rebuild of "every view": its rows are evidence
    version: int = 1  # raise it when the rows change shape or meaning: the view is then rebuilt on start
    # What rebuilding it costs beside the other views (its own seconds at 100,000 events, reading the log
    # not counted, on SQLite and PostgreSQL alike: docs/performance.md), to share a rebuild among processes.
    weight: float = 1.0
    handlers: dict[str, list[Handler]] = field(default_factory=dict)
    # Each called with a batch's stored notifications before any is applied: to read at once, in one
    # statement, what the batch's handlers would otherwise read one event at a time.
    preparations: list[Callable[[UnitOfWork, list[Any]], None]] = field(default_factory=list)
    _by_type: dict[type, tuple[Handler, ...]] = field(default_factory=dict, init=False, repr=False)

    def on(self, *names: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for name in names:
                self.handlers.setdefault(name, []).append(handler)
            self._by_type.clear()
            return handler
        return register

    def before_batch(self, prepare: Callable[[UnitOfWork, list[Any]], None]) -> Callable[[UnitOfWork, list[Any]], None]:
        self.preparations.append(prepare)
        return prepare

    def apply(self, work: UnitOfWork, event: Any, position: int) -> None:
        """Apply one event to the batch's rows (`Aggregate.*` handlers first)."""
        kind = type(event)
        handlers = self._by_type.get(kind)
        if handlers is None:
            handlers = self._by_type[kind] = self._handlers_of(event)
        for handler in handlers:
            handler(work, event, position)

    def _handlers_of(self, event: Any) -> tuple[Handler, ...]:
        if self.raw:
            return tuple(self.handlers.get("*", ()))
        name = event_name(event)
        return (*self.handlers.get(name.split(".")[0] + ".*", ()), *self.handlers.get(name, ()))
