"""How a piece of news reached a person, in plain words: "We emailed you this on 3 March 2026"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from projections.times import aware

SENT = {"email": "We emailed you this", "text": "We sent you this by text message", "letter": "We posted you this"}
FAILED = {"email": "We tried to email you this, but it did not reach you",
          "text": "We tried to text you this, but it did not reach you",
          "letter": "We tried to post you this, but it did not reach you"}


def day(moment: date | datetime) -> str:
    """The one date style: 31 March 2024."""
    return f"{moment.day} {moment:%B %Y}"


def _said(row: Any, hub: Callable[[UUID], Any]) -> str:
    if row.status == "handed_over":
        session = hub(UUID(row.hub_id)).sessions.get(row.session_id or "")
        if session is None:
            return f"Given to you at your hub on {day(row.settled_at)}."
        held = date.fromisoformat(session.held_on)
        return f"Given to you at the {session.place} {session.format} on {day(held)}."
    words = SENT if row.status == "sent" else FAILED
    return f"{words.get(row.way, 'We sent you this')} on {day(row.settled_at)}."


def told(rows: list[Any], hub: Callable[[UUID], Any]) -> list[dict[str, Any]]:
    """Each message that settled, with its sentence."""
    return [{"way": row.way, "status": row.status, "at": aware(row.settled_at), "said": _said(row, hub)}
            for row in rows]


def gone_out(people: int) -> str:
    """That feedback went out, to how many (never to whom)."""
    return f"It reached {people} {'person' if people == 1 else 'people'}."
