"""What a command costs: an answer asks the store about an aggregate once, and a catch-up's
commit on SQLite leaves no connection that skips the disk sync."""

from __future__ import annotations

import threading

import pytest

from domain import Account
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


def test_after_a_catch_up_every_connection_of_ours_waits_for_the_disk_again(store, app, cast):
    if not store.is_sqlite:
        pytest.skip("SQLite's synchronous setting")
    # given events the views have not seen, caught up by hand
    app.create_hub("Ely", "Ely", "established", app.account(cast.admin_id).as_actor())
    app.projections.catch_up()
    # then the pooled connection is back at FULL (2)
    with app.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
