"""Signing in through the API and the web form: passwords, the two kinds of credential, limits
on guessing, the same time for every refusal, and where a sign-in may lead."""

from __future__ import annotations

import re
import statistics
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from service import create_app
from service.infra.credentials import tokens
from tests.e2e.conftest import PASSWORD, build_world

NEW_PASSWORD = "a new and longer password"
STRICT = {"rate_limit": "100000 per minute", "sign_in_limit": "10 per minute"}


@pytest.fixture
def strict(tmp_path):
    """The API and the pages with the default sign-in limit (10 failed tries a minute)."""
    app = create_app({"database_url": f"sqlite:///{tmp_path}/strict.db", **STRICT})
    build_world(app.test_client(), app.extensions["coproduce"])
    yield app
    app.extensions["coproduce"].close()


def csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text).group(1)


def web_sign_in(client, username: str, password: str, address: str = "127.0.0.1", query: str = ""):
    """`query`: the sign-in address's query string, as sent (already percent-encoded)."""
    form = {"username": username, "password": password, "csrf_token": csrf(client)}
    return client.post(f"/sign-in?{query}".rstrip("?"), data=form, environ_base={"REMOTE_ADDR": address})


def api_sign_in(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post("/api/v1/tokens", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def session_of(flask_app, client) -> dict:
    """What the session cookie holds (it is signed, not encrypted)."""
    serializer = flask_app.session_interface.get_signing_serializer(flask_app)
    return serializer.loads(client.get_cookie("coproduce_session").value)


# --- passwords ---------------------------------------------------------------------------


def test_changing_your_password_needs_the_current_one(world):
    path = f"/api/v1/accounts/{world.ids['expert']}/password"
    missing = world.call("expert", "POST", path, json={"password": NEW_PASSWORD})
    wrong = world.call("expert", "POST", path, json={"current_password": "not it", "password": NEW_PASSWORD})
    assert missing.status_code == 422 and "current_password" in missing.json["errors"]
    assert wrong.status_code == 403
    assert api_sign_in(world.client, "expert", PASSWORD).status_code == 201


def test_changing_your_password_ends_your_other_tokens_and_web_sessions(world, flask_app):
    # given: a second API token and a web session besides the token used for the change
    other_token = api_sign_in(world.client, "expert", PASSWORD).json["token"]
    browser = flask_app.test_client()
    assert web_sign_in(browser, "expert", PASSWORD).status_code == 303
    assert browser.get("/my-input").status_code == 200
    # when
    changed = world.call("expert", "POST", f"/api/v1/accounts/{world.ids['expert']}/password",
                         json={"current_password": PASSWORD, "password": NEW_PASSWORD})
    # then
    assert changed.status_code == 204
    assert world.call("expert", "GET", "/api/v1/me").status_code == 200  # the one used stays
    assert world.client.get("/api/v1/me", headers=bearer(other_token)).status_code == 401
    assert browser.get("/my-input").status_code == 302
    assert api_sign_in(world.client, "expert", NEW_PASSWORD).status_code == 201


def test_an_admin_reset_ends_all_the_persons_tokens_and_sessions(world, flask_app):
    browser = flask_app.test_client()
    assert web_sign_in(browser, "expert", PASSWORD).status_code == 303
    reset = world.call("admin", "POST", f"/api/v1/accounts/{world.ids['expert']}/password",
                       json={"password": NEW_PASSWORD})
    assert reset.status_code == 204
    assert world.call("expert", "GET", "/api/v1/me").status_code == 401
    assert browser.get("/my-input").status_code == 302
    assert world.call("admin", "GET", "/api/v1/me").status_code == 200
    assert api_sign_in(world.client, "expert", NEW_PASSWORD).status_code == 201


def test_only_admins_reset_someone_elses_password(world):
    for who in ("hub_manager", "auditor", "expert2"):
        refused = world.call(who, "POST", f"/api/v1/accounts/{world.ids['expert']}/password",
                             json={"password": NEW_PASSWORD})
        assert refused.status_code == 403, who
    assert world.call("expert", "GET", "/api/v1/me").status_code == 200
    assert api_sign_in(world.client, "expert", PASSWORD).status_code == 201


# --- API tokens and web sessions -----------------------------------------------------------


def test_an_api_token_unused_for_30_days_is_refused(world):
    token = api_sign_in(world.client, "expert", PASSWORD).json
    with world.app.engine.begin() as conn:
        conn.execute(update(tokens).where(tokens.c.id == token["id"].replace("-", ""))
                     .values(created_at=datetime.now(timezone.utc) - timedelta(days=31)))
    assert world.client.get("/api/v1/me", headers=bearer(token["token"])).status_code == 401


def test_the_servers_idle_period_comes_from_its_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("COPRODUCE_TOKEN_IDLE_DAYS", "7")
    flask_app = create_app({"database_url": f"sqlite:///{tmp_path}/idle.db"})
    app = flask_app.extensions["coproduce"]
    world = build_world(flask_app.test_client(), app)
    with app.engine.begin() as conn:
        conn.execute(update(tokens).values(created_at=datetime.now(timezone.utc) - timedelta(days=8)))
    assert world.call("expert", "GET", "/api/v1/me").status_code == 401
    app.close()


def test_the_web_session_cookie_holds_no_api_token(world, flask_app):
    browser = flask_app.test_client()
    assert web_sign_in(browser, "expert", PASSWORD).status_code == 303
    held = [value for value in session_of(flask_app, browser).values() if isinstance(value, str)]
    assert held
    for value in held:
        assert world.client.get("/api/v1/me", headers=bearer(value)).status_code == 401


def test_an_api_token_in_a_session_cookie_opens_no_page(world, flask_app):
    browser = flask_app.test_client()
    with browser.session_transaction() as forged:
        for name in ("token", "web_session"):
            forged[name] = world.tokens["expert"]
    assert browser.get("/my-input").status_code == 302


def test_a_web_session_ends_after_8_hours_and_at_sign_out(world, flask_app):
    browser = flask_app.test_client()
    assert web_sign_in(browser, "expert", PASSWORD).status_code == 303
    with world.app.engine.begin() as conn:
        conn.execute(update(tokens).where(tokens.c.account_id == world.ids["expert"].hex)
                     .values(created_at=datetime.now(timezone.utc) - timedelta(hours=8, minutes=1)))
    assert browser.get("/my-input").status_code == 302
    assert web_sign_in(browser, "expert", PASSWORD).status_code == 303
    cookie = browser.get_cookie("coproduce_session").value
    browser.post("/sign-out", data={"csrf_token": csrf(browser)})
    replay = flask_app.test_client()
    replay.set_cookie("coproduce_session", cookie)
    assert replay.get("/my-input").status_code == 302


# --- every refusal costs the same ----------------------------------------------------------


def _median_seconds(client, username: str, tries: int = 15) -> float:
    spent = []
    for n in range(tries):
        started = time.perf_counter()
        assert api_sign_in(client, username, f"wrong guess {n}").status_code == 401
        spent.append(time.perf_counter() - started)
    return statistics.median(spent)


def test_an_unknown_username_takes_as_long_to_refuse_as_a_wrong_password(world):
    _median_seconds(world.client, "expert", tries=2)  # warm up
    known = _median_seconds(world.client, "expert")
    unknown = _median_seconds(world.client, "nobody-called-this")
    assert 0.5 < unknown / known < 2, (known, unknown)


# --- limits on guessing --------------------------------------------------------------------


@pytest.mark.parametrize("door", [api_sign_in, web_sign_in], ids=["api", "web"])
def test_guessing_one_persons_password_from_many_addresses_is_limited(strict, door):
    client = strict.test_client()
    answers = [door(client, "expert", f"guess {n}", address=f"10.0.0.{n}").status_code for n in range(12)]
    assert answers == [401] * 10 + [429] * 2
    assert door(client, "expert", PASSWORD, address="10.0.1.1").status_code == 429  # until the minute is over
    assert door(client, "hub_manager", "a guess", address="10.0.1.1").status_code == 401  # others are not locked


@pytest.mark.parametrize("door", [api_sign_in, web_sign_in], ids=["api", "web"])
def test_guessing_many_usernames_from_one_address_is_limited(strict, door):
    client = strict.test_client()
    answers = [door(client, f"person{n}", "a guess", address="10.0.0.9").status_code for n in range(12)]
    assert answers == [401] * 10 + [429] * 2


def test_guesses_on_the_api_and_the_web_form_count_together(strict):
    client = strict.test_client()
    answers = [door(client, "expert", "a guess", address=f"10.0.2.{n}").status_code
               for n in range(6) for door in (api_sign_in, web_sign_in)]
    assert answers == [401] * 10 + [429] * 2


def test_a_hub_computer_signs_in_twenty_people_one_after_another(strict):
    client = strict.test_client()
    for _ in range(20):
        assert api_sign_in(client, "expert", PASSWORD, address="10.0.3.1").status_code == 201
        assert web_sign_in(client, "expert", PASSWORD, address="10.0.3.1").status_code == 303


def test_made_up_bearer_tokens_count_against_the_address(tmp_path):
    app = create_app({"database_url": f"sqlite:///{tmp_path}/guess.db", "rate_limit": "5 per minute"})
    try:
        client = app.test_client()
        answers = [client.get("/api/v1/me", headers=bearer(f"cp_made-up-{n}"),
                              environ_base={"REMOTE_ADDR": "10.0.4.1"}).status_code for n in range(7)]
        assert answers == [401] * 5 + [429] * 2
        assert client.get("/api/v1/me", environ_base={"REMOTE_ADDR": "10.0.4.1"}).status_code == 429
        assert client.get("/api/v1/me", environ_base={"REMOTE_ADDR": "10.0.4.2"}).status_code == 401
    finally:
        app.extensions["coproduce"].close()


# --- where a sign-in leads -----------------------------------------------------------------


def test_the_next_page_cannot_break_out_of_the_sign_in_form(world, flask_app):
    client = flask_app.test_client()
    page = client.get("/sign-in", query_string={
        "next": '/"><meta http-equiv="refresh" content="0;url=https://evil.example/">'})
    assert page.status_code == 200
    assert "http-equiv" not in page.text and "evil.example" not in page.text
    assert re.search(r'name="next" value="/"', page.text)


@pytest.mark.parametrize("query", ["next=/%0d%0aX", "next=/%0D%0AX-Injected:%20yes", "next=/my-input%00", "next=/%09x",
                                   "next=/%5Cevil.example", "next=/my%20input", "next=/%22%3E%3Cmeta"])
def test_a_next_page_with_line_breaks_or_control_characters_leads_home(world, flask_app, query):
    client = flask_app.test_client()
    answer = web_sign_in(client, "expert", PASSWORD, query=query)
    assert answer.status_code == 303 and answer.headers["Location"] == "/"


def test_a_plain_next_page_is_still_followed(world, flask_app):
    client = flask_app.test_client()
    answer = web_sign_in(client, "expert", PASSWORD, query="next=/my-input%3Fpage%3D2")
    assert answer.status_code == 303 and answer.headers["Location"] == "/my-input?page=2"
