"""Text that people write holds no control characters.

A control character (NUL, escape, backspace, bell …) is never part of what a person means
to say, and it does harm further on: PostgreSQL's text columns refuse NUL, so one recorded
title would stop every read model there; an escape sequence shown in a terminal takes it
over. Tab, line feed and carriage return are kept: notes have lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from domain.errors import RuleBroken

# Written with escapes: as a regular expression in Python or JSON Schema. The C1 controls (U+0080-U+009F:
# U+009B starts an escape sequence in a terminal, as escape and "[" do) and the direction embeddings,
# overrides and isolates (U+202A-U+202E, U+2066-U+2069) are controls too: one in a title turns the
# rest of a page's line, or a terminal's, around (the marks U+200E and U+200F are kept).
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_CONTROLS}]")
NO_CONTROL_CHARACTERS = f"^[^{_CONTROLS}]*$"  # text that keeps the rule, as a pattern
RULE = "must not contain control characters (such as NUL, U+0000, escape, U+001B, or a direction override, U+202E)"


# What shows nothing on its own: spaces and line ends, invisible characters (soft hyphen, zero-width
# space and joiners, direction marks and overrides, word joiner and isolates, variation selectors,
# byte-order mark, Hangul fillers) and accents with nothing to sit on; written with escapes, as above.
_NOTHING_TO_SEE = (r"\t\n\r \x85\xa0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u00ad\u034f\u061c"
                   r"\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\ufeff\uffa0"
                   r"\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f")
_SOMETHING = re.compile(f"[^{_NOTHING_TO_SEE}{_CONTROLS}]")
# Text that must be given keeps the rule and shows something, as a pattern.
SOMETHING_TO_READ = f"^[^{_CONTROLS}]*[^{_NOTHING_TO_SEE}{_CONTROLS}][^{_CONTROLS}]*$"


def shows_something(text: str) -> bool:
    """Whether `text` has anything a reader would see, not only spaces, invisible characters (a
    zero-width space, a byte-order mark, a direction mark) or accents with nothing to sit on: text
    that must be given cannot be given as nothing to read."""
    return _SOMETHING.search(text) is not None


# What parts a name into words besides the spaces `str.split` knows: anything that shows as a gap or
# as nothing at all (format characters such as the zero-width space, word joiner, soft hyphen, direction
# marks, invisible operators and tags; the combining grapheme joiner; Hangul fillers; the blank braille
# cell; C1 controls). The joiners U+200C and U+200D sit inside words, as in Persian, so they part
# words only after a Latin letter, where no script needs them.
_BETWEEN_WORDS = re.compile(r"(?:[\s\x80-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b"
                            r"\u200e\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0"
                            r"\U000e0000-\U000e007f\U0001d173-\U0001d17a]|(?<=[A-Za-z])[\u200c\u200d])+")


def first_word(name: str) -> str | None:
    """The first word of `name`, or None when it has only one: "Zed" of "Zed Quill", whatever gap
    parts the words (a non-breaking space, a tab, an ideographic space)."""
    words = [word for word in _BETWEEN_WORDS.split(name) if shows_something(word)]
    return words[0] if len(words) > 1 else None


def _picture(found: re.Match[str]) -> str:
    code = ord(found.group())
    if code >= 0x80:  # a C1 or direction control: no picture of its own
        return f"[U+{code:04X}]"
    return chr(0x2421 if code == 0x7F else 0x2400 + code)  # Unicode's "control pictures": ␀ … ␟, ␡


def texts_in(value: Any) -> Iterator[str]:
    """Every text in `value`: itself, or what the lists and dictionaries it holds hold, keys included."""
    pending = [value]
    while pending:  # a loop, not recursion: it needs no stack however deep the value
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, Mapping):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            pending.extend(item)


def has_control_characters(value: Any) -> bool:
    """Whether `value`, or any text in the lists and dictionaries it holds, has a control character."""
    return any(_CONTROL.search(text) for text in texts_in(value))


def pictured(text: str) -> str:
    """`text` with each control character shown as its picture (NUL as ␀, escape as ␛), for a
    terminal: text recorded before they were refused is shown, never acted on."""
    return _CONTROL.sub(_picture, text)


def refuse_control_characters(fields: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
    """Raise `RuleBroken`, naming the first field whose text has a control character."""
    for name, value in (fields.items() if isinstance(fields, Mapping) else fields):
        if has_control_characters(value):
            raise RuleBroken(f"{name.lstrip('_')} {RULE}")
