"""Tracking codes, someone new, a hub's public page and an issue's plain words: the domain's rules."""

from __future__ import annotations

import math
from uuid import uuid4

import pytest
from hypothesis import given, settings, strategies as st

from domain import Account, Hub, RuleBroken
from domain.tracking import ALPHABET, GROUP_SIZE, LENGTH, code_hash, new_code, normalised
from tests.builders import People, in_frame


def test_a_code_has_at_least_60_bits_and_no_look_alike_characters():
    assert LENGTH * math.log2(len(ALPHABET)) >= 60
    assert not set("0O1ILUV") & set(ALPHABET)
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == LENGTH + LENGTH // GROUP_SIZE - 1 and normalised(code) for code in codes)


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_a_code_is_the_same_code_in_any_case_with_or_without_dashes_and_spaces(data):
    code = new_code()
    typed = "".join(data.draw(st.sampled_from([ch.lower(), ch.upper()])) + data.draw(st.sampled_from(["", "-", " "]))
                    for ch in code.replace("-", ""))
    assert normalised(typed) == code.replace("-", "")
    assert code_hash(typed) == code_hash(code)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=40))
def test_anything_else_typed_is_no_code(typed):
    plain = "".join(ch for ch in typed.upper() if ch not in "- \t")
    if len(plain) != LENGTH or set(plain) - set(ALPHABET):
        assert normalised(typed) is None


def test_only_someone_new_gets_a_tracking_code_and_is_linked_once():
    p = People()
    newcomer = Account.welcome(uuid4(), uuid4(), "sealed", p.facilitator)
    newcomer.give_tracking_code("a" * 64, p.facilitator)
    assert newcomer.newcomer and newcomer.tracking_code_hash == "a" * 64 and newcomer.role.value == "expert"
    newcomer.link_to_full_account("Kit.M", p.facilitator)
    assert newcomer.username == "kit.m" and not newcomer.newcomer
    with pytest.raises(RuleBroken, match="already has a full account"):
        newcomer.link_to_full_account("kit2", p.facilitator)
    with pytest.raises(RuleBroken, match="no account of their own"):
        newcomer.give_tracking_code("b" * 64, p.facilitator)


def test_a_hub_publishes_only_when_off_and_stops_only_when_on():
    p = People()
    hub = Hub.create("Peterborough", "Peterborough", "active", p.manager)
    assert not hub.published
    with pytest.raises(RuleBroken, match="already off"):
        hub.stop_publishing(p.manager)
    hub.publish(p.manager)
    with pytest.raises(RuleBroken, match="already on"):
        hub.publish(p.manager)
    hub.stop_publishing(p.manager)
    assert not hub.published


@pytest.mark.parametrize("summary", ["", "   ", "one\ntwo", "one\rtwo", "x" * 161])
def test_an_issue_in_plain_words_is_one_short_line(summary):
    issue = in_frame(People())
    with pytest.raises(RuleBroken):
        issue.summarise(summary, People().manager)


def test_an_issue_in_plain_words_is_kept_trimmed():
    p = People()
    issue = in_frame(p)
    issue.summarise("  Buses do not stop near the hostel  ", p.manager)
    assert issue.plain_summary == "Buses do not stop near the hostel"
