"""Private copies of cached aggregates, three to four times cheaper than `copy.deepcopy`.

The library keeps one instance of each aggregate in its cache and moves it forward in
place when it finds newer events, so every command must change a copy of its own (a
failed rule or a refused save then leaves the cache as it was). An aggregate's state is
plain data, as its snapshots are: values, enums, dicts, lists, sets and records. Copying that
directly skips `deepcopy`'s memo and pickle protocol; like a snapshot, it does not keep
one object referenced twice as one. Anything else is left to `deepcopy`.
"""

from __future__ import annotations

import copy
import functools
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

A = TypeVar("A", bound=Aggregate)
UNCHANGING = frozenset({str, int, float, bool, type(None), bytes, UUID, datetime, date, time, timedelta, Decimal})


def copied(aggregate: A) -> A:
    """A copy of a cached aggregate as of one version. If another thread moved the aggregate
    forward meanwhile, copy again: the library applies an event before it sets the new
    version, so a copy whose version did not change has every event up to that version."""
    while True:
        version = aggregate.version
        copy_ = _copied(aggregate)
        if aggregate.version == version:
            return copy_


def _copied(value):
    kind = type(value)
    if kind in UNCHANGING:
        return value
    if kind is dict:  # dict() and list() take the whole container at once, under the GIL
        return {key: _copied(item) for key, item in dict(value).items()}
    if kind is list:
        return [_copied(item) for item in list(value)]
    if kind is set:  # members are hashable, hence values that do not change
        return set(value)
    if isinstance(value, Enum):
        return value
    if _plain(kind):
        new = kind.__new__(kind)
        new.__dict__.update({name: _copied(item) for name, item in dict(vars(value)).items()})
        return new
    return copy.deepcopy(value)


@functools.cache
def _plain(kind: type) -> bool:
    """Instances keep their state in `__dict__` and copy the default way."""
    return (kind.__dictoffset__ != 0 and not any(vars(base).get("__slots__") for base in kind.__mro__)
            and not hasattr(kind, "__deepcopy__") and not hasattr(kind, "__setstate__")
            and kind.__reduce_ex__ is object.__reduce_ex__ and kind.__reduce__ is object.__reduce__
            and kind.__getstate__ is object.__getstate__)
