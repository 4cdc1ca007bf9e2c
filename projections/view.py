"""A read model: its tables, and what each kind of event does to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, MetaData

Handler = Callable[[Connection, Any, int], None]


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
    handlers: dict[str, list[Handler]] = field(default_factory=dict)

    def on(self, *names: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for name in names:
                self.handlers.setdefault(name, []).append(handler)
            return handler
        return register

    def apply(self, conn: Connection, event: Any, position: int) -> None:
        """Apply one event, inside the caller's transaction (`Aggregate.*` handlers first)."""
        if self.raw:
            names: tuple[str, ...] = ("*",)
        else:
            name = event_name(event)
            names = (name.split(".")[0] + ".*", name)
        for kind in names:
            for handler in self.handlers.get(kind, ()):
                handler(conn, event, position)
