"""How plain the words are: the text a page shows, its reading ease, and staff words said outside hints.

Shared by every test of the words experts and the public read (pages, receipts, messages): give it a
page's HTML (`page_words`) or a message's text (`Words(text)`), then `plain_problems` says what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import textstat

EASE = 70  # Flesch reading ease a page for experts or the public must reach: "fairly easy" or easier
# Words of the staff's register that experts read only in a hint explaining them (docs/words.md).
STAFF_WORDS = re.compile(r"\b(stakeholders?|framed|themed|findings?|cycles?|advanced|parked)\b", re.I)

BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "caption", "label", "legend", "button",
          "dt", "dd", "blockquote", "div", "summary", "option", "br", "ol", "ul", "table", "tr", "form", "section"}
UNSEEN = {"script", "style", "template", "head"}
HINTS = ("nhsuk-hint", "coproduce-hint")  # classes of the words that explain a word


@dataclass(frozen=True)
class Words:
    """What a reader reads: the words outside hints and the words inside them."""

    said: str
    hints: str = ""

    @property
    def text(self) -> str:
        return f"{self.said} {self.hints}".strip()

    @property
    def ease(self) -> float:
        return textstat.flesch_reading_ease(self.text)

    @property
    def staff_words(self) -> list[str]:
        return sorted({word.lower() for word in STAFF_WORDS.findall(self.said)})


class _Reader(HTMLParser):
    """The text of the page's <main>, one block a line; a line without its own full stop ends
    with one, so a heading or a list item counts as a sentence as a reader takes it."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "col", "embed", "track"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: dict[bool, list[str]] = {False: [], True: []}
        self.open: list[tuple[str, bool, bool]] = []  # tag, inside a hint, unseen
        self.in_main = False
        self.current: dict[bool, list[str]] = {False: [], True: []}

    def _flush(self) -> None:
        for hint, parts in self.current.items():
            line = " ".join(" ".join(parts).split())
            if line:
                self.lines[hint].append(line if line[-1] in ".!?:" else line + ".")
            parts.clear()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "main":
            self.in_main = True
        if tag in BLOCKS:
            self._flush()
        if tag in self.VOID:
            return
        hint = any(h in (found.get("class") or "").split() for h in HINTS)
        inside_hint = hint or (self.open[-1][1] if self.open else False)
        unseen = tag in UNSEEN or "hidden" in found or (self.open[-1][2] if self.open else False)
        self.open.append((tag, inside_hint, unseen))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        while self.open:
            if self.open.pop()[0] == tag:
                break
        if tag in BLOCKS or tag == "main":
            self._flush()
        if tag == "main":
            self.in_main = False

    def handle_data(self, data: str) -> None:
        if self.in_main and data.strip() and not (self.open and self.open[-1][2]):
            self.current[bool(self.open and self.open[-1][1])].append(data.strip())


def page_words(html: str) -> Words:
    """The words of a page's main part, as a reader sees them."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader._flush()
    return Words("\n".join(reader.lines[False]), "\n".join(reader.lines[True]))


def plain_problems(words: Words) -> list[str]:
    """What keeps `words` from being plain: too hard to read, or staff words outside a hint."""
    problems = []
    if words.ease < EASE:
        problems.append(f"reading ease {words.ease:.0f}, below {EASE}")
    if words.staff_words:
        problems.append(f"staff words outside hints: {', '.join(words.staff_words)}")
    return problems
