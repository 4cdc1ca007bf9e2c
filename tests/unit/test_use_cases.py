"""The use cases on an in-memory store: who may do what and see what, decided in the application."""

import pytest

from domain import Attribution, Channel, NotAllowed, RuleBroken


@pytest.fixture
def story(memory_app, memory_cast):
    app, cast = memory_app, memory_cast
    issue = app.raise_issue(cast.hub, "Registering with a GP", cast.manager)
    said = app.record_contribution(issue, cast.ids["alex"], "Sent away twice", cast.expert, channel=Channel.ONLINE,
                                   may_quote=False, attribution=Attribution.ANONYMOUS)
    return app, cast, issue, said


def test_another_expert_reads_neither_the_words_nor_the_name_of_unquotable_unnamed_input(story):
    app, cast, issue, said = story
    seen = app.issue_as_seen(issue, cast.actors["jo"])["contributions"][0]
    assert (seen["text"], seen["text_status"]) == (None, "not_shown")
    assert seen["contributor"] == "an expert who asked not to be named" and seen["contributor_id"] is None
    own = app.issue_as_seen(issue, cast.expert)["contributions"][0]
    assert own["text"] == "Sent away twice" and own["contributor_id"] == str(cast.ids["alex"])


def test_a_refused_command_records_nothing(story):
    app, cast, issue, said = story
    head = app.recorder.max_notification_id()
    with pytest.raises(NotAllowed):
        app.withdraw_contribution(issue, said, cast.actors["jo"])
    with pytest.raises(NotAllowed):
        app.park(issue, "Not for experts to decide", cast.expert)
    assert app.recorder.max_notification_id() == head


def test_an_admin_cannot_forget_themselves(memory_app, memory_cast):
    admin = memory_app.account(memory_cast.admin_id).as_actor()
    with pytest.raises(RuleBroken, match="nobody can forget themselves"):
        memory_app.forget(memory_cast.admin_id, "me", "mine", admin)
