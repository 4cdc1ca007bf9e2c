"""Ids as read models store them: text."""

from typing import Any

_written: dict[int, tuple[Any, str]] = {}  # id(object) -> (object, text): holding the object keeps its id its own
_HELD = 4096


def text(value: Any) -> str:
    """`str(value)`, remembered for the very object: each view writes the same ids of an event (its
    issue, hub, contribution) as the views before it, and writing a UUID out costs more than finding
    it here. Events are applied one after another, so the last few thousand objects are enough."""
    found = _written.get(id(value))
    if found is not None and found[0] is value:
        return found[1]
    if len(_written) >= _HELD:
        _written.clear()
    written = _written[id(value)] = (value, str(value))
    return written[1]
