"""What a command costs: an answer asks the store about an aggregate once, and a catch-up's
commit on SQLite leaves no connection that skips the disk sync."""

from __future__ import annotations

import threading

import pytest

from domain import Account, Attribution, Channel, NotAllowed, NotFound
from service.bootstrap import open_application


def version_of(app, account_id) -> int:
    return app._cached(Account, account_id, "account").version


def elsewhere(change) -> None:
    """A change made by another server process: here, another application in a thread of its own."""
    thread = threading.Thread(target=change)
    thread.start()
    thread.join()


def test_an_answer_sees_an_account_as_it_first_looked_until_the_answer_ends_or_saves(store, app, cast):
    # given another process on the same store, and an answer under way here
    other = open_application(store, projections_inline=True)
    admin = other.account(cast.admin_id).as_actor()
    expert = cast.ids["alex"]
    try:
        app.begin_answer()
        before = version_of(app, expert)
        # when the other process changes the account meanwhile
        elsewhere(lambda: other.join_hub(expert, other.create_hub("Ely", "Ely", "established", admin), admin))
        # then this answer goes on with what it first saw; the next answer sees the change
        assert version_of(app, expert) == before
        app.end_answer()
        assert version_of(app, expert) == before + 1
        # and an answer that saves something asks the store again afterwards
        app.begin_answer()
        version_of(app, expert)
        elsewhere(lambda: other.join_hub(expert, other.create_hub("March", "March", "established", admin), admin))
        app.create_hub("Wisbech", "Wisbech", "established", app.account(cast.admin_id).as_actor())
        assert version_of(app, expert) == before + 2
    finally:
        app.end_answer()
        other.close()


def test_outside_an_answer_every_lookup_asks_the_store(store, app, cast):
    other = open_application(store, projections_inline=True)
    admin = other.account(cast.admin_id).as_actor()
    try:
        before = version_of(app, cast.ids["jo"])
        other.join_hub(cast.ids["jo"], other.create_hub("Ely", "Ely", "established", admin), admin)
        assert version_of(app, cast.ids["jo"]) == before + 1
    finally:
        other.close()


def record_input(app, issue, cast, words):
    return app.record_contribution(issue, cast.ids["alex"], words, cast.expert, channel=Channel.ONLINE,
                                   may_quote=True, attribution=Attribution.ANONYMOUS)


def sealed_text(app, issue, contribution) -> str:
    return {c.id: c.text for c in app.contributions(app.issue(issue))}[str(contribution)]


def test_a_person_s_next_input_is_sealed_without_asking_the_database_for_their_key(store, app, cast, monkeypatch):
    issue = app.raise_issue(cast.hub, "Hearing loops in clinics", cast.manager)
    record_input(app, issue, cast, "The loop at the desk is switched off.")
    monkeypatch.setattr(app.keys, "key_for", lambda *_: pytest.fail("the key was asked of the database again"))
    second = record_input(app, issue, cast, "And at the pharmacy.")
    monkeypatch.undo()
    assert app.open_sealed(sealed_text(app, issue, second)) == "And at the pharmacy."


def test_a_person_forgotten_by_another_process_is_closed_here_at_once(store, app, cast):
    # given this process has sealed the expert's input, and holds the key it sealed with
    issue = app.raise_issue(cast.hub, "Hearing loops in clinics", cast.manager)
    sealed = sealed_text(app, issue, record_input(app, issue, cast, "The loop at the desk is switched off."))
    other = open_application(store, projections_inline=True)
    try:
        # when another process forgets the expert
        elsewhere(lambda: other.forget(cast.ids["alex"], "the person", "their request", other.actor_for("admin")))
        # then what was sealed opens nothing here, and no new input is taken for them here
        assert app.open_sealed(sealed) is None
        with pytest.raises((NotAllowed, NotFound), match="asked to be forgotten|no expert of this hub"):
            record_input(app, issue, cast, "Late words.")
        # and what the key this process still held would seal, nobody can open
        assert app.open_sealed(app.sealer.seal(cast.ids["alex"], "Late words.")) is None
    finally:
        other.close()


def test_a_key_destroyed_here_never_seals_again(store, app, cast):
    issue = app.raise_issue(cast.hub, "Hearing loops in clinics", cast.manager)
    record_input(app, issue, cast, "The loop at the desk is switched off.")
    app.keys.destroy(cast.ids["alex"])
    sealed = app.sealer.seal(cast.ids["alex"], "Words under a key made anew.")
    assert app.open_sealed(sealed) == "Words under a key made anew."


def test_after_a_catch_up_every_connection_of_ours_waits_for_the_disk_again(store, app, cast):
    if not store.is_sqlite:
        pytest.skip("SQLite's synchronous setting")
    # given events the views have not seen, caught up by hand
    app.create_hub("Ely", "Ely", "established", app.account(cast.admin_id).as_actor())
    app.projections.catch_up()
    # then the pooled connection is back at FULL (2)
    with app.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_a_command_on_a_held_copy_that_is_behind_is_recorded_after_the_change_made_elsewhere(store, app, cast):
    # given this process holds the issue, and another process then changes it
    issue = app.raise_issue(cast.hub, "Parking at the hospital", cast.manager)
    other = open_application(store, projections_inline=True)
    try:
        elsewhere(lambda: other.add_stakeholder(issue, "Council", "public body", cast.manager))
        # when a change is decided here on the copy held before
        app.begin_answer()
        try:
            app.add_stakeholder(issue, "University", "research", cast.manager)
        finally:
            app.end_answer()
        # then the store refused the save made on the old copy, and the change was decided again on the new one
        assert [s.name for s in app.issue(issue).stakeholders] == ["Council", "University"]
        assert [s.name for s in other.issue(issue).stakeholders] == ["Council", "University"]
    finally:
        other.close()


def test_a_refusal_is_never_decided_on_a_held_copy_that_is_behind(store, app, cast):
    # given this process holds the issue, and the expert's input is then recorded by another process
    issue = app.raise_issue(cast.hub, "Hearing loops in clinics", cast.manager)
    other = open_application(store, projections_inline=True)
    try:
        added = []
        elsewhere(lambda: added.append(other.record_contribution(
            issue, cast.ids["alex"], "The loop at the desk is switched off.", cast.expert,
            channel=Channel.ONLINE, may_quote=True, attribution=Attribution.ANONYMOUS)))
        # when the expert withdraws it here, where the held copy has never heard of it
        app.begin_answer()
        try:
            app.withdraw_contribution(issue, added[0], cast.expert)
        finally:
            app.end_answer()
        # then it is withdrawn, not refused as unknown
        assert str(added[0]) in app.issue(issue).withdrawn
    finally:
        other.close()


def held(app, aggregate_id):
    return app.repository.cache.get(aggregate_id)


def test_what_an_answer_saved_is_held_as_it_was_saved_once_the_answer_ends(store, app, cast):
    # given an issue this process holds
    issue = app.raise_issue(cast.hub, "Parking at the hospital", cast.manager)
    version = app.issue(issue).version
    # when an answer records a change on it
    app.begin_answer()
    try:
        app.add_stakeholder(issue, "Council", "public body", cast.manager)
    finally:
        app.end_answer()
    # then the process holds the issue as saved: the next command needs no newer events from the store
    assert held(app, issue).version == version + 1
    assert [s.name for s in held(app, issue).stakeholders] == ["Council"]
    assert held(app, issue).pending_events == []


def test_two_changes_in_one_answer_are_each_decided_on_what_the_answer_last_saved(store, app, cast, monkeypatch):
    issue = app.raise_issue(cast.hub, "Hearing loops in clinics", cast.manager)
    app.begin_answer()
    try:
        app.add_stakeholder(issue, "Council", "public body", cast.manager)
        # the second change is not refused by the store and decided again on the issue as stored
        monkeypatch.setattr(app, "_get", lambda *_: pytest.fail("decided again on the stored issue"))
        app.add_stakeholder(issue, "University", "research", cast.manager)
    finally:
        app.end_answer()
    monkeypatch.undo()
    assert [s.name for s in app.issue(issue).stakeholders] == ["Council", "University"]
    assert held(app, issue).version == app.issue(issue).version


def test_an_aggregate_changed_after_its_save_is_not_held(store, app, cast):
    # given an answer that saves an issue and then changes it again without saving
    issue_id = app.raise_issue(cast.hub, "Late letters", cast.manager)
    app.begin_answer()
    try:
        issue = app.issue(issue_id)
        issue.add_stakeholder("Council", "public body", cast.manager)
        app._save(issue)
        issue.rename("Letters that come too late", cast.manager)
    finally:
        app.end_answer()
    # then the process holds no change that was never recorded
    assert held(app, issue_id).title == "Late letters"
    assert app.issue(issue_id).title == "Late letters"
    assert [s.name for s in app.issue(issue_id).stakeholders] == ["Council"]


def test_a_signed_in_account_held_as_its_token_check_found_it_is_not_asked_of_the_store_again(
        store, app, cast, monkeypatch):
    # given a token, and its account held here after one signed-in request
    _, secret = app.credentials.issue_token(cast.ids["alex"], "phone")
    assert app.account_for_api_token(secret).id == cast.ids["alex"]
    assert app.credentials.token_holder(secret).history == version_of(app, cast.ids["alex"])
    # when the next request signs in, then the token's check alone says the account is current,
    # for the sign-in and for the rules that look the account up again in the same answer
    monkeypatch.setattr(app.recorder, "select_events", lambda *_, **__: pytest.fail("the log was asked again"))
    app.begin_answer()
    try:
        assert app.account_for_api_token(secret).id == cast.ids["alex"]
        assert app.account(cast.ids["alex"]).as_actor().account_id == cast.ids["alex"]
    finally:
        app.end_answer()


def test_a_signed_in_account_changed_by_another_process_is_read_afresh_at_the_next_sign_in(store, app, cast):
    # given a token whose account this process holds
    _, secret = app.credentials.issue_token(cast.ids["alex"], "phone")
    held = app.account_for_api_token(secret)
    other = open_application(store, projections_inline=True)
    admin = other.account(cast.admin_id).as_actor()
    try:
        # when another process adds the person to a hub
        ely = other.create_hub("Ely", "Ely", "established", admin)
        elsewhere(lambda: other.join_hub(cast.ids["alex"], ely, admin))
        # then the very next sign-in here sees it
        now = app.account_for_api_token(secret)
        assert now.version == held.version + 1 and str(ely) in now.hub_ids
    finally:
        other.close()


def test_where_the_store_cannot_say_how_far_an_account_goes_the_sign_in_asks_the_log(memory_app):
    admin_id = memory_app.register_first_admin("admin", "Ada Admin", "ada@example.org")
    _, secret = memory_app.credentials.issue_token(admin_id, "laptop")
    assert memory_app.credentials.token_holder(secret).history is None
    assert memory_app.account_for_api_token(secret).id == admin_id
