"""The pages' plain words cover everything they name."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from eventsourcing.domain import CanMutateAggregate

from domain import Account, Hub, SystemicIssue, Username
from domain.keeping_posted import KeepingPosted
from service.web.wording import KIND_WORDS, LEVELS, count, level_explained


def test_every_kind_of_event_has_plain_words_in_the_audit_trail():
    kinds = {name for aggregate in (SystemicIssue, Hub, Account, Username, KeepingPosted) for name, value in vars(aggregate).items()
             if isinstance(value, type) and issubclass(value, CanMutateAggregate) and name != "Event"}
    assert kinds == set(KIND_WORDS)


TEMPLATES = Path(__file__).parents[2] / "service" / "web" / "templates" / "web"
WEB = TEMPLATES.parents[1]


def visible_text(template: str) -> str:
    """A template's own words: without comments, tags, statements and expressions."""
    for hidden in (r"\{#.*?#\}", r"\{%.*?%\}", r"\{\{.*?\}\}", r"<[^>]*>"):
        template = re.sub(hidden, " ", template, flags=re.S)
    return template


def test_no_template_says_s_in_brackets_or_a_name_from_the_code():
    said = {page.name: re.findall(r"\(s\)|\b[A-Z][a-z]+[A-Z]\w*\b|\b[a-z]+_[a-z_]+\b", visible_text(page.read_text()))
            for page in TEMPLATES.glob("*.jinja")}
    assert len(said) > 10 and {page: words for page, words in said.items() if words} == {"api_docs.jinja": ["JavaScript"]}


def test_no_sentence_the_pages_build_says_s_in_brackets():
    strings = [node.value for module in WEB.glob("*.py") for node in ast.walk(ast.parse(module.read_text()))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    assert len(strings) > 100 and [s for s in strings if "(s)" in s] == []


def test_the_ladder_s_rungs_have_their_proper_names_and_say_what_they_mean():
    assert [name for _, name, _ in LEVELS] == ["Co-production", "Co-design", "Engagement", "Consultation",
                                              "Informing", "Educating", "Coercion"]
    assert level_explained("consultation").startswith("Consultation: experts are asked for their views")
    assert (count(1, "piece", "pieces"), count(3, "piece", "pieces")) == ("1 piece", "3 pieces")
