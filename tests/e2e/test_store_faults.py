"""A store that cannot take writes (its disk full) or refuses this role (privileges taken away) answers
503 with Retry-After and the words for a store that cannot be used just now, on the API and the pages,
/readyz says not ready, and the commands say so in one line: never a 500, Flask's own page or a trace.

The faults are made at the driver: every write statement (or, for privileges, every statement) fails as
SQLite or PostgreSQL fail them, through SQLAlchemy and the event store alike."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, event

from service.api.problems import UNREACHABLE
from service.cli.main import cli
from service.infra import store as stores
from tests.e2e.conftest import PASSWORD

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def disk_full() -> Exception:
    return sqlite3.OperationalError("database or disk is full")


def permission_denied() -> Exception:
    return psycopg.errors.InsufficientPrivilege("permission denied for table credentials")


@contextmanager
def failing(make_error=disk_full, statements: tuple[str, ...] = WRITES, recorder=None) -> Iterator[None]:
    """Every statement that starts with one of `statements` fails with `make_error()`, on every engine and on
    the event store's connections opened from now on, and on those `recorder` (an event store's) holds."""
    def refuse(_conn, _cursor, statement, *_):
        if statement.lstrip().upper().startswith(statements):
            raise make_error()

    class Refusing(sqlite3.Connection):
        def execute(self, statement, *args):
            refuse(None, None, statement)
            return super().execute(statement, *args)

        def cursor(self, *args, **kwargs):
            return Cursor(self)

    class Cursor(sqlite3.Cursor):
        def execute(self, statement, *args):
            refuse(None, None, statement)
            return super().execute(statement, *args)

    def insert_events(connection, *_args, **_kwargs):
        refuse(None, None, "INSERT INTO stored_events")

    connect = sqlite3.connect
    event.listen(Engine, "before_cursor_execute", refuse)
    sqlite3.connect = lambda *args, **kwargs: connect(*args, **{**kwargs, "factory": Refusing})
    if recorder is not None:
        recorder._insert_events = insert_events
    try:
        yield
    finally:
        sqlite3.connect = connect
        if recorder is not None:
            del recorder._insert_events
        event.remove(Engine, "before_cursor_execute", refuse)
        stores.FAULTS.full_at = None


def _is_unavailable(answer) -> None:
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert answer.headers["Retry-After"] == "2"
    assert answer.mimetype == "application/problem+json"
    assert answer.get_json()["detail"] in (UNREACHABLE, "The database could not be reached; nothing of yours was "
                                                        "recorded. Try again in a few seconds.")


def test_a_full_disk_answers_503_to_writes_and_sign_ins_and_readyz_says_not_ready(world, caplog):
    assert world.client.get("/readyz").status_code == 200
    with failing(recorder=world.app.recorder):
        # when: a write, and a sign-in (which writes a token)
        raised = world.call("expert", "POST", f"/api/v1/hubs/{world.hubs['own']}/issues",
                            json={"title": "Lifts out again"})
        signed = world.client.post("/api/v1/tokens", json={"username": "expert", "password": PASSWORD})
        # then
        _is_unavailable(raised)
        _is_unavailable(signed)
        ready = world.client.get("/readyz")
        assert ready.status_code == 503 and "disk is full" in ready.get_json()["detail"]
        assert world.call("expert", "GET", "/api/v1/me").status_code == 200  # reads still answer
    logged = [r.getMessage() for r in caplog.records if r.name == "coproduce.store"]
    assert logged and all("database or disk is full" in line and "\n" not in line for line in logged), logged
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_a_write_recorded_whose_answer_cannot_be_kept_gets_its_own_answer(world):
    # given: the events go in, but keeping the answer for its Idempotency-Key finds the disk full
    issues = f"/api/v1/hubs/{world.hubs['own']}/issues"
    assert world.call("expert", "POST", issues, json={"title": "Stairs too steep"},
                      headers={"Idempotency-Key": "before"}).status_code == 201  # the first key scrubs older answers
    with failing(statements=("UPDATE IDEMPOTENCY_KEYS",)):
        raised = world.call("expert", "POST", issues, json={"title": "Lifts out again"},
                            headers={"Idempotency-Key": "full-2"})
    # then: the answer of the write, not Flask's page
    assert raised.status_code == 201, raised.get_data(as_text=True)
    assert raised.get_json()["title"] == "Lifts out again"


def test_a_full_disk_shows_the_page_for_records_that_cannot_be_reached(world):
    page = world.client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    with failing(recorder=world.app.recorder):
        answer = world.client.post("/sign-in", data={"username": "expert", "password": PASSWORD, "csrf_token": token})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "2", text
    assert "Our records cannot be reached just now" in text and "Something went wrong" not in text


def test_privileges_taken_away_answer_503_as_an_unreachable_store(world, caplog):
    with failing(permission_denied, statements=("SELECT", *WRITES)):
        for path in ("/api/v1/me", "/api/v1/hubs"):
            _is_unavailable(world.call("expert", "GET", path))
        page = world.client.get("/")
        assert page.status_code in (302, 503)  # signed out: the sign-in page, or the store unreachable
    logged = [r.getMessage() for r in caplog.records if r.name == "coproduce.store"]
    assert logged and all("(InsufficientPrivilege): permission denied for table credentials" in line
                          for line in logged), logged


def test_store_faults_are_told_apart_from_faults_in_what_was_asked():
    from eventsourcing.persistence import OperationalError, ProgrammingError

    def translated(library_error, cause):
        try:
            raise library_error(str(cause)) from cause
        except library_error as error:
            return error

    assert stores.store_fault(translated(OperationalError, disk_full())) == stores.FULL
    assert stores.store_fault(translated(ProgrammingError, permission_denied())) == stores.REFUSED
    assert stores.store_fault(psycopg.errors.DiskFull("could not extend file \"base/1/2\"")) == stores.FULL
    assert stores.store_fault(translated(OperationalError, sqlite3.OperationalError("no such table: x"))) is None
    assert stores.store_fault(psycopg.errors.UndefinedTable("relation x does not exist")) is None


def test_commands_on_a_full_disk_say_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", f"sqlite:///{tmp_path}/full.db")
    for name in ("COPRODUCE_SIGNING_KEY", "COPRODUCE_KEY_FILE", "COPRODUCE_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    backup = tmp_path / "backup.db"
    assert CliRunner().invoke(cli, ["backup", str(backup)]).exit_code == 0
    for command in (["demo"], ["restore", str(backup), "--replace"]):
        with failing():
            result = CliRunner().invoke(cli, command)
        said = result.output.strip()
        assert result.exit_code == 1, (command, said)
        assert said.startswith("Refused: the store's disk is full (database or disk is full): free some space"), said
        assert len(said.splitlines()) == 1 and "Traceback" not in said
