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
    handlers: dict[str, list[Handler]] = field(default_factory=dict)

    def on(self, *names: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for name in names:
                self.handlers.setdefault(name, []).append(handler)
            return handler
        return register

    def apply(self, conn: Connection, event: Any, position: int) -> None:
        """Apply one event, inside the caller's transaction (`Aggregate.*` handlers first)."""
        name = event_name(event)
        every = name.split(".")[0] + ".*"
        for handler in (*self.handlers.get(every, ()), *self.handlers.get(name, ())):
            handler(conn, event, position)
