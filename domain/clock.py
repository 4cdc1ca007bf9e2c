"""Where the domain's events get their time and new records their ids.

By default that is the wall clock and random ids. An application may be given another
clock (the demo tells its story on the days it happened, with the same ids every time);
the domain never reads the time or makes an id any other way. Every aggregate's new events
also refuse text with control characters (domain/text.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.text import refuse_control_characters


def _wall_time() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Clock:
    """The time now, and a new id."""

    now: Callable[[], datetime] = field(default=_wall_time)
    new_id: Callable[[], UUID] = field(default=uuid4)


WALL_CLOCK = Clock()
_current: ContextVar[Clock] = ContextVar("clock", default=WALL_CLOCK)


@contextmanager
def keeping(clock: Clock) -> Iterator[None]:
    """Everything the domain records inside this block is timed and numbered by `clock`."""
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)


def now() -> datetime:
    return _current.get().now()


def new_id() -> UUID:
    return _current.get().new_id()


class TimedAggregate(Aggregate):
    """An aggregate whose ids and event times come from the clock being kept, and whose events
    hold no control characters."""

    @staticmethod
    def create_id(*_: object, **__: object) -> UUID:
        return new_id()

    class Event(Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            return now()

        def __post_init__(self) -> None:
            """A new event refuses text with control characters (domain/text.py), whatever door it
            came through; events read back from the store are not made this way, and load as stored."""
            super().__post_init__()
            refuse_control_characters(vars(self))

    class Created(Event, Aggregate.Created):
        pass
