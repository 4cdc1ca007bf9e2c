"""The words of every message: short and plain, the hub and the issue named, what happened and what
happens next, a link or "ask at your hub", nobody's markup let through, and no staff words."""

from __future__ import annotations

import re

import pytest

from service.app.messages import NEXT, WHAT_HAPPENED, Part, compose
from tests.words import Words, plain_problems


@pytest.mark.parametrize("kind", list(WHAT_HAPPENED))
def test_each_message_is_short_plain_and_says_what_happened_and_what_next(kind):
    words = compose("Ely drop-in", [Part(kind, "Bus fares to the clinic", "The council will pay.")], "")
    assert "Ely drop-in" in words.subject and "Bus fares to the clinic" in words.text
    assert WHAT_HAPPENED[kind][0] in words.text and NEXT[kind] in words.text
    assert "ask at your hub" in words.text and "ask at your hub" in words.html
    sentences = [s for s in re.split(r"[.:!?]\s|\n", words.text) if s.strip()]
    assert max(len(s.split()) for s in sentences) <= 15, sentences
    assert plain_problems(Words(words.text)) == []  # as easy to read as the pages experts read


def test_a_message_links_to_the_page_and_escapes_markup_in_the_html_part():
    words = compose("Hub <b>", [Part("feedback", "<script>x</script>", "a & b")], "https://example.org/my-input")
    assert "https://example.org/my-input" in words.text and 'href="https://example.org/my-input"' in words.html
    assert "<script>" not in words.html and "&lt;script&gt;" in words.html and "Hub &lt;b&gt;" in words.html


def test_a_weekly_round_up_names_each_issue_once_in_one_message():
    words = compose("Peterborough", [Part("feedback", "Issue one", "A."), Part("action", "Issue two", "B.")], "")
    assert words.subject == "News from Peterborough"
    assert "About: Issue one" in words.text and "About: Issue two" in words.text
