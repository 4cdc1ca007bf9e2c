"""Text people write holds no control characters: every aggregate's new events refuse them."""

from uuid import uuid4

import pytest

from domain import Hub, HubLifecycle, RuleBroken, SystemicIssue
from domain.text import has_control_characters, pictured, shows_something
from tests.builders import People, in_frame


@pytest.fixture
def p():
    return People()


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x08", "\x1b[2J", "\x7f", "\x0b", "\x1f", "\x9b2J", "\x80"],
                         ids=["NUL", "bell", "backspace", "escape", "delete", "vertical tab", "unit separator",
                              "8-bit escape sequence", "C1 padding character"])
def test_a_control_character_in_a_title_is_refused_and_nothing_changes(p, bad):
    issue = in_frame(p)
    version, pending = issue.version, len(issue.pending_events)
    with pytest.raises(RuleBroken, match=r"^title must not contain control characters"):
        issue.rename(f"Seeing a GP{bad} with no address", p.manager)
    assert (issue.version, len(issue.pending_events), issue.title) == (version, pending, "Registering with a GP")


def test_a_new_aggregate_with_a_control_character_is_not_made(p):
    with pytest.raises(RuleBroken, match=r"^name must not contain control characters"):
        Hub.create("Wisbech\x00", "Fens", HubLifecycle.PLANNING, p.manager)
    with pytest.raises(RuleBroken, match=r"^title must not contain control characters"):
        SystemicIssue.raise_issue(uuid4(), "\x1b]0;owned\x07", p.expert)


def test_tabs_and_new_lines_are_ordinary_text(p):
    issue = in_frame(p)
    issue.frame("No address,\r\nno GP", "People\twithout a fixed address", p.manager)
    assert issue.framing.problem == "No address,\r\nno GP"


@pytest.mark.parametrize("value, found", [
    ("plain words, “quoted” and accented: café", False),
    ("\U0001F68C emoji and \u200b zero width", False),
    (["a", {"key": "b\x00"}], True),
    ({"na\x1bme": "value"}, True),
    ((1, 2.5, None, True), False),
])
def test_control_characters_are_found_at_any_depth(value, found):
    assert has_control_characters(value) is found


def test_control_characters_are_pictured_for_a_terminal_and_other_text_is_kept():
    assert pictured("a\x00b\x1b[2Jc\x7f\x1f") == "a\u2400b\u241b[2Jc\u2421\u241f"
    assert pictured("Met them.\r\n\tNext: café \U0001F68C") == "Met them.\r\n\tNext: café \U0001F68C"


@pytest.mark.parametrize("nothing", ["\ufeff", "\u200b\u200d", "\u200f", " \u0301", "\u2060 \t"],
                         ids=["byte-order mark", "zero-width", "direction mark", "lone accent", "word joiner"])
def test_text_with_nothing_to_read_is_no_title_or_name(p, nothing):
    issue = in_frame(p)
    with pytest.raises(RuleBroken, match=r"^title is required$"):
        issue.rename(nothing, p.manager)
    with pytest.raises(RuleBroken, match=r"^name is required$"):
        Hub.create(nothing, "Fens", HubLifecycle.PLANNING, p.manager)


@pytest.mark.parametrize("something", ["\U0001F68C", "é", "’", "7", "\u202eGP"])
def test_text_with_anything_to_read_is_something(something):
    assert shows_something(something)


@pytest.mark.parametrize("turn", ["\u202e", "\u202b", "\u2066", "\u2069"],
                         ids=["right-to-left override", "right-to-left embedding", "left-to-right isolate", "pop"])
def test_a_direction_control_is_refused_and_pictured_if_recorded_before(p, turn):
    issue = in_frame(p)
    with pytest.raises(RuleBroken, match=r"^title must not contain control characters"):
        issue.rename(f"Bus fares {turn}no one listens", p.manager)
    assert pictured(f"a{turn}b") == f"a[U+{ord(turn):04X}]b"
    assert pictured("a\x9bb") == "a[U+009B]b"
    issue.rename("\u0627\u0644\u062d\u0627\u0641\u0644\u0629 \u200f(bus)", p.manager)  # right-to-left words, and a mark, are text
