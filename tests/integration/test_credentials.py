"""Passwords, API tokens and web sessions on SQLite and PostgreSQL: changing and resetting
passwords, idle tokens, the two kinds of credential, the same cost for every wrong guess."""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from domain import NotAllowed
from service.bootstrap import http_config
from service.infra.credentials import API, WEB, Credentials, tokens
from service.app.sign_ins import NotSignedIn, WrongCurrentPassword

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a new and longer password"


def _ago(**delta) -> datetime:
    return datetime.now(timezone.utc) - timedelta(**delta)


def _whose(credentials, secret, kind=API):
    """The account a live token belongs to, or None."""
    holder = credentials.token_holder(secret, kind)
    return holder.account_id if holder else None


def _set(app, token_id, **values) -> None:
    with app.engine.begin() as conn:
        conn.execute(update(tokens).where(tokens.c.id == token_id.hex).values(**values))


def test_changing_ones_password_needs_the_current_one(app, cast):
    # given
    app.set_password(cast.ids["alex"], PASSWORD)
    # when / then
    with pytest.raises(WrongCurrentPassword):
        app.change_password(cast.ids["alex"], "not my password", NEW_PASSWORD, cast.expert)
    assert app.credentials.check_password(cast.ids["alex"], PASSWORD)
    app.change_password(cast.ids["alex"], PASSWORD, NEW_PASSWORD, cast.expert)
    assert app.credentials.check_password(cast.ids["alex"], NEW_PASSWORD)
    assert not app.credentials.check_password(cast.ids["alex"], PASSWORD)


def test_changing_ones_password_ends_every_other_token_and_web_session(app, cast):
    # given: a phone, a laptop and a web session
    app.set_password(cast.ids["alex"], PASSWORD)
    _, _, phone = app.issue_token("alex", PASSWORD, "phone")
    _, _, laptop = app.issue_token("alex", PASSWORD, "laptop")
    _, _, web = app.open_web_session("alex", PASSWORD)
    _, jos = app.credentials.issue_token(cast.ids["jo"], "jo's")
    # when: changed from the phone
    app.change_password(cast.ids["alex"], PASSWORD, NEW_PASSWORD, cast.expert, keep=phone)
    # then
    assert _whose(app.credentials, phone) == cast.ids["alex"]
    assert _whose(app.credentials, laptop) is None
    assert app.account_for_web_session(web) is None
    assert _whose(app.credentials, jos) == cast.ids["jo"]  # nobody else's


def test_nobody_changes_someone_elses_password_with_the_change(app, cast):
    app.set_password(cast.ids["alex"], PASSWORD)
    with pytest.raises(NotAllowed):
        app.change_password(cast.ids["alex"], PASSWORD, NEW_PASSWORD, cast.actors["jo"])
    assert app.credentials.check_password(cast.ids["alex"], PASSWORD)


def test_an_admin_reset_ends_every_token_and_session_of_the_person(app, cast):
    # given
    app.set_password(cast.ids["alex"], PASSWORD)
    _, _, phone = app.issue_token("alex", PASSWORD, "phone")
    _, _, web = app.open_web_session("alex", PASSWORD)
    _, jos = app.credentials.issue_token(cast.ids["jo"], "jo's")
    admin = app.account(cast.admin_id).as_actor()
    # when
    app.reset_password(cast.ids["alex"], NEW_PASSWORD, admin)
    # then
    assert _whose(app.credentials, phone) is None
    assert app.account_for_web_session(web) is None
    assert _whose(app.credentials, jos) == cast.ids["jo"]  # nobody else's
    assert app.sign_in("alex", NEW_PASSWORD).id == cast.ids["alex"]


@pytest.mark.parametrize("who", ["sam", "alex"])
def test_only_admins_reset_someone_elses_password(app, cast, who):
    app.set_password(cast.ids["jo"], PASSWORD)
    with pytest.raises(NotAllowed):
        app.reset_password(cast.ids["jo"], NEW_PASSWORD, cast.actors[who])
    assert app.credentials.check_password(cast.ids["jo"], PASSWORD)


def test_an_api_token_unused_for_30_days_stops_working(app, cast):
    token_id, secret = app.credentials.issue_token(cast.ids["alex"], "phone")
    _set(app, token_id, created_at=_ago(days=40), last_used_at=_ago(days=29))
    assert _whose(app.credentials, secret) == cast.ids["alex"]
    _set(app, token_id, last_used_at=_ago(days=30, minutes=1))
    assert _whose(app.credentials, secret) is None


def test_a_new_token_unused_for_30_days_stops_working_too(app, cast):
    token_id, secret = app.credentials.issue_token(cast.ids["alex"], "phone")
    _set(app, token_id, created_at=_ago(days=31))
    assert _whose(app.credentials, secret) is None


def test_using_a_token_keeps_it_alive_and_its_last_use_is_written_at_most_hourly(app, cast):
    token_id, secret = app.credentials.issue_token(cast.ids["alex"], "phone")

    def last_used():
        with app.engine.connect() as conn:
            moment = conn.execute(select(tokens.c.last_used_at).where(tokens.c.id == token_id.hex)).scalar_one()
        return moment.replace(tzinfo=timezone.utc) if moment and moment.tzinfo is None else moment

    _whose(app.credentials, secret)
    assert last_used() is None  # used within the hour it was made: nothing written
    _set(app, token_id, created_at=_ago(days=29))
    _whose(app.credentials, secret)
    touched = last_used()
    assert touched is not None and touched > _ago(minutes=1)
    _whose(app.credentials, secret)
    assert last_used() == touched
    _set(app, token_id, created_at=_ago(days=60))  # the recent use, not the creation, counts
    assert _whose(app.credentials, secret) == cast.ids["alex"]


def test_the_idle_period_is_a_setting(app, cast, monkeypatch):
    monkeypatch.setenv("COPRODUCE_TOKEN_IDLE_DAYS", "7")
    assert http_config().token_idle_days == 7
    monkeypatch.delenv("COPRODUCE_TOKEN_IDLE_DAYS")
    assert http_config().token_idle_days == 30
    weekly = Credentials(app.engine, idle_days=7)
    token_id, secret = weekly.issue_token(cast.ids["alex"], "phone")
    _set(app, token_id, created_at=_ago(days=8))
    assert _whose(weekly, secret) is None
    assert _whose(Credentials(app.engine), secret) == cast.ids["alex"]


def test_a_web_session_is_no_api_token_and_an_api_token_no_web_session(app, cast):
    app.set_password(cast.ids["alex"], PASSWORD)
    _, _, web = app.open_web_session("alex", PASSWORD)
    _, _, api = app.issue_token("alex", PASSWORD, "phone")
    assert _whose(app.credentials, web) is None
    assert _whose(app.credentials, web, WEB) == cast.ids["alex"]
    assert _whose(app.credentials, api, WEB) is None
    assert app.account_for_web_session(api) is None
    assert app.account_for_web_session(web).id == cast.ids["alex"]


def test_a_web_session_ends_after_8_hours(app, cast):
    session_id, web = app.credentials.issue_token(cast.ids["alex"], "web sign-in", WEB)
    _set(app, session_id, created_at=_ago(hours=7, minutes=59))
    assert app.account_for_web_session(web) is not None
    _set(app, session_id, created_at=_ago(hours=8, minutes=1))
    assert app.account_for_web_session(web) is None


def _median_refusals(app, *usernames: str, rounds: int = 15) -> list[float]:
    """The median time of a refused sign-in per username, tried in turn round after round, so that
    a machine busy with other work slows every username alike."""
    spent = {username: [] for username in usernames}
    for n in range(rounds):
        for username in usernames:
            started = time.perf_counter()
            with pytest.raises(NotSignedIn):
                app.sign_in(username, f"wrong guess {n}")
            spent[username].append(time.perf_counter() - started)
    return [statistics.median(spent[username]) for username in usernames]


def test_an_unknown_username_costs_as_much_as_a_wrong_password(app, cast):
    # given: alex has a password, jo has none, nobody is called "nobody-here"
    app.set_password(cast.ids["alex"], PASSWORD)
    _median_refusals(app, "alex", "nobody-here", "jo", rounds=2)  # warm up
    # when
    known, unknown, no_password = _median_refusals(app, "alex", "nobody-here", "jo")
    # then
    assert 0.5 < unknown / known < 2, (known, unknown)
    assert 0.5 < no_password / known < 2, (known, no_password)
