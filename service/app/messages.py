"""The words of each message: short, plain and kind; the hub and the issue named; what happened and
what happens next; nobody else's name or words; a link to the page, or "ask at your hub"."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

WHAT_HAPPENED = {
    "feedback": ("The hub has answered your input.", "Here is what they said:"),
    "grouped": ("Your input was put with other input like it.", "The group is called:"),
    "finding": ("Your input helped the hub understand the problem.", "What they found:"),
    "action": ("Your input led to an action.", "The action is:"),
    "action_done": ("An action from your input is done.", "What was done:"),
    "action_dropped": ("An action from your input has stopped.", "Why it stopped:"),
    "closed": ("The work on this issue has finished.", "What changed:"),
    "reminder": ("An action you own is due in a week or less.", "The action is:"),
    "overdue": ("An action you own is past the day it was due.", "The action is:"),
}
NEXT = {
    "feedback": "You do not need to do anything.",
    "grouped": "The hub will look at this group of input together.",
    "finding": "Next, the hub will agree what to do about it.",
    "action": "We will tell you when it is done.",
    "action_done": "The hub will check what changed.",
    "action_dropped": "The hub will look for another way.",
    "closed": "Thank you for taking part.",
    "reminder": "Please tell the hub how it is going.",
    "overdue": "Please tell the hub how it is going, or ask for more time.",
}


@dataclass(frozen=True)
class Part:
    """One thing that happened, for one message: its kind, the issue's title and the staff's words."""

    kind: str
    issue_title: str
    what: str


@dataclass(frozen=True)
class Words:
    subject: str
    text: str
    html: str


def _lines(part: Part) -> list[str]:
    happened, lead = WHAT_HAPPENED[part.kind]
    return [f"About: {part.issue_title}", happened, lead, part.what.strip(), NEXT[part.kind]]


def compose(hub_name: str, parts: list[Part], page: str, by_code: bool = False) -> Words:
    """One message about one or more things that happened (a weekly round-up has several); `by_code`:
    the page asks for the tracking code on the person's receipt (they have no account)."""
    subject = f"News from {hub_name}" if len(parts) > 1 else f"{hub_name}: {WHAT_HAPPENED[parts[0].kind][0]}"
    said = "with the code on your receipt" if by_code else "on your page"
    where = f"See more {said}: {page}" if page else "To find out more, ask at your hub."
    blocks = [_lines(part) for part in parts]
    text = "\n\n".join(["Hello,", f"This is news from {hub_name}.",
                        *("\n".join(block) for block in blocks), where, f"From {hub_name}"]) + "\n"
    link = (f'<p>See more <a href="{escape(page)}">{said}</a>.</p>' if page
            else "<p>To find out more, ask at your hub.</p>")
    html = "".join(["<p>Hello,</p>", f"<p>This is news from {escape(hub_name)}.</p>",
                    *("".join(f"<p>{escape(line)}</p>" for line in block) for block in blocks),
                    link, f"<p>From {escape(hub_name)}</p>"])
    return Words(subject[:150], text, f"<!doctype html><html><body>{html}</body></html>")


def part_of(row: Any) -> Part:
    return Part(row.kind, row.title, row.what)


def contact_changed(hub_name: str, by: str, session: str, page: str) -> Words:
    """The notice to a person, at the ways they had, that someone else changed how we keep them posted."""
    lines = [f"{by} changed how we keep you posted, at {session}.",
             "From now on, news about your input goes the way they wrote down, not to this address or number.",
             "If this was not you, or you did not ask for it, tell your hub as soon as you can.",
             f"See how we keep you posted on your page: {page}" if page else "Your hub can tell you what was changed."]
    text = "\n\n".join(["Hello,", f"This is a message from {hub_name}.", *lines, f"From {hub_name}"]) + "\n"
    html = "".join(f"<p>{escape(line)}</p>" for line in
                   ["Hello,", f"This is a message from {hub_name}.", *lines, f"From {hub_name}"])
    return Words(f"{hub_name}: how we keep you posted was changed"[:150], text,
                 f"<!doctype html><html><body>{html}</body></html>")
