"""The pages' plain words cover everything they name."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace

from eventsourcing.domain import CanMutateAggregate

from domain import Account, Hub, PriorityRound, SystemicIssue, Username
from domain.keeping_posted import KeepingPosted
from projections.describe import SENTENCES
from service.web.wording import (HISTORY_SAID, KIND_WORDS, LEVEL_SAID, LEVELS, count, level_explained, long_date,
                                 stage_named)


def test_every_kind_of_event_has_plain_words_in_the_audit_trail():
    kinds = {name for aggregate in (SystemicIssue, Hub, Account, Username, PriorityRound, KeepingPosted)
             for name, value in vars(aggregate).items()
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


def test_experts_read_every_event_of_an_issue_in_their_own_words():
    assert set(HISTORY_SAID) == set(SENTENCES)


def test_a_stage_named_says_what_it_means_and_the_rungs_run_from_not_asked_to_together():
    assert stage_named("frame") == "Frame — agreeing what the problem is"
    assert [said for said, _ in LEVEL_SAID.values()][::6] == ["We were not asked", "We decided together"]
    assert (long_date("2024-03-31"), long_date("2024-03-31T14:05:00+00:00", with_time=True)) == (
        "31 March 2024", "31 March 2024 at 14:05")


def test_input_is_said_as_given_by_whoever_gave_it_and_as_written_down_when_someone_else_did():
    class Naming:
        def contributor(self, event):
            return "an expert who asked not to be named"

    def recorded(actor: str, contributor: str) -> str:
        event = SimpleNamespace(actor={"id": actor, "role": "expert"}, contributor_id=contributor,
                                session_id=None, may_quote=True)
        return HISTORY_SAID["ContributionRecorded"](event, Naming())

    assert recorded("jo", "jo") == "gave input. It may be quoted."
    assert recorded("fran", "jo") == "wrote down what an expert who asked not to be named said. It may be quoted."
