"""Someone new: input without an account, the tracking code on their receipt, and following it."""

from __future__ import annotations

import re
from datetime import date

import pytest

from domain import Attribution, Channel, NotAllowed, NotFound, RuleBroken
from domain.tracking import ALPHABET, code_hash, normalised
from service.app.newcomers import CodeNotFound


def drop_in(app, cast):
    return app.record_session(cast.hub, cast.facilitator, held_on=date(2026, 3, 6), place="Library",
                              format="drop-in", experts_attended=4, staff_attended=1)


def said_by_someone_new(app, cast, issue_id, name="Kit", text="The bus stops before the hostel", **choices):
    choices = {"may_quote": True, "attribution": Attribution.FIRST_NAME, **choices}
    return app.record_from_someone_new(issue_id, name, text, cast.facilitator, channel=Channel.IN_PERSON,
                                       session_id=drop_in(app, cast), **choices)


@pytest.fixture
def issue_id(app, cast):
    return app.raise_issue(cast.hub, "Getting to the drop-in", cast.manager)


def test_someone_new_gets_a_code_that_shows_their_input_only(app, cast, issue_id):
    # given
    welcome = said_by_someone_new(app, cast, issue_id)
    other = said_by_someone_new(app, cast, issue_id, name="", text="Nobody else's words")
    # when
    tracked = app.tracked(welcome.code.lower().replace("-", " "))
    # then
    assert re.fullmatch(rf"[{ALPHABET}]{{5}}-[{ALPHABET}]{{5}}-[{ALPHABET}]{{5}}", welcome.code)
    assert [s["text"] for s in tracked.page.stories] == ["The bus stops before the hostel"]
    assert tracked.hub_name == "Cambridge & South"
    assert app.tracked(other.code).page.stories[0]["text"] == "Nobody else's words"
    assert welcome.code != other.code


def test_only_the_hash_of_a_code_is_recorded(app, cast, issue_id):
    welcome = said_by_someone_new(app, cast, issue_id)
    plain = normalised(welcome.code)
    stored = b"".join(n.state for n in app.recorder.select_notifications(0, 1000))
    assert plain.encode() not in stored and welcome.code.encode() not in stored
    assert code_hash(welcome.code).encode() in stored


@pytest.mark.parametrize("typed", ["", "nonsense", "KX7QP-42M9D-PDWTA", "0" * 15, "<script>-x-y", "ＫＸ７"])
def test_a_code_that_leads_nowhere_is_refused_with_the_same_words(app, cast, issue_id, typed):
    said_by_someone_new(app, cast, issue_id)
    with pytest.raises(CodeNotFound, match="We could not find that code"):
        app.tracked(typed)


def test_a_reissued_code_stops_working_and_the_new_one_works(app, cast, issue_id):
    welcome = said_by_someone_new(app, cast, issue_id)
    new_code = app.reissue_code(welcome.account_id, cast.facilitator)
    with pytest.raises(CodeNotFound):
        app.tracked(welcome.code)
    assert app.tracked(new_code).account_id == welcome.account_id


def test_forgetting_someone_new_stops_their_code_and_their_words(app, cast, issue_id):
    welcome = said_by_someone_new(app, cast, issue_id)
    app.forget(welcome.account_id, "the person", "their request at the drop-in", app.actor_for("admin"))
    with pytest.raises(CodeNotFound):
        app.tracked(welcome.code)
    seen = app.issue_as_seen(issue_id, cast.manager)["contributions"][0]
    assert seen["text"] is None and seen["text_status"] == "erased"


def test_someone_with_no_name_is_never_named(app, cast, issue_id):
    said_by_someone_new(app, cast, issue_id, name="", attribution=Attribution.NAME)
    seen = app.issue_as_seen(issue_id, cast.expert)["contributions"][0]
    assert seen["attribution"] == "anonymous" and seen["contributor"] == "an expert who asked not to be named"


def test_only_the_hubs_facilitators_and_managers_welcome_someone_new(app, cast, issue_id):
    with pytest.raises(NotAllowed):
        app.record_from_someone_new(issue_id, "Kit", "words", cast.expert, channel=Channel.IN_PERSON,
                                    may_quote=True, attribution=Attribution.NAME, session_id=drop_in(app, cast))
    welcome = said_by_someone_new(app, cast, issue_id)
    with pytest.raises(NotAllowed):
        app.reissue_code(welcome.account_id, cast.expert)
    elsewhere = app.create_hub("Peterborough", "Peterborough", "active", app.actor_for("admin"))
    stranger = app.register_account("pat", "facilitator", "Pat Other", "", app.actor_for("admin"))
    app.join_hub(stranger, elsewhere, app.actor_for("admin"))
    with pytest.raises(NotFound):
        app.reissue_code(welcome.account_id, app.actor_for("pat"))
    with pytest.raises(NotFound):
        app.reissue_code(cast.ids["alex"], cast.facilitator)  # an expert with an account has no code


def test_someone_new_is_linked_to_a_full_account_only_with_their_word(app, cast, issue_id):
    welcome = said_by_someone_new(app, cast, issue_id)
    with pytest.raises(RuleBroken, match="must agree"):
        app.link_to_full_account(welcome.account_id, "kit", "a long enough password", False, cast.facilitator)
    app.link_to_full_account(welcome.account_id, "kit", "a long enough password", True, cast.facilitator)
    _, _, secret = app.open_web_session("kit", "a long enough password")
    assert app.account_for_web_session(secret).id == welcome.account_id
    mine = app.my_input_page(app.actor_for("kit"), 0, 10)
    assert [s["text"] for s in mine.stories] == ["The bus stops before the hostel"]
    assert app.tracked(welcome.code).account_id == welcome.account_id
    assert "kit" in [p.username for p in app.hub_experts(cast.hub, cast.facilitator)]
    with pytest.raises(NotFound):
        app.reissue_code(welcome.account_id, cast.facilitator)
