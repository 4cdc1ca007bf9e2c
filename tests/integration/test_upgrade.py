"""Upgrades keep everything: a store written by an earlier release opens with this one, verified,
with nothing lost; an upgrade run again changes nothing; a store a later release upgraded is refused.

The stores are in tests/fixtures/ (how each was made: tests/fixtures/README.md).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from uuid import UUID

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Engine, select, text

from service.app.sign_ins import NotSignedIn
from service.bootstrap import Settings, open_application
from service.cli.main import cli
from service.infra import credentials
from service.infra.schema import StoreBehind, StoreTooNew, head, own_metadata, schema_turn, upgrade
from service.infra.store import Store
from tests.integration.test_projections import snapshot

FIXTURES = Path(__file__).parent.parent / "fixtures"
RELEASES = ["a674215"]  # one store per earlier release, oldest first
DEMO_PASSWORD = "coproduce-demo"  # every account's password in the demo those releases loaded
PEOPLE = ["admin", "auditor", "sam", "priya", "tom", "fran", "alex", "jo", "kim", "lee", "dr.shah", "maria"]
FORGOTTEN = "rob"  # forgotten with that release's `coproduce forget` before the store was kept


def _restore(store: Store, release: str, tmp_path: Path) -> Path:
    """Put the release's store in place of `store`; returns its signing key's path."""
    kept = FIXTURES / release
    if store.is_sqlite:
        shutil.copyfile(kept / "coproduce.db", store.url.database)
        return shutil.copyfile(kept / "sqlite-signing-key.pem", tmp_path / "signing-key.pem")
    env = store.eventsourcing_env()
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", env["POSTGRES_HOST"], "-p", env["POSTGRES_PORT"],
                    "-U", env["POSTGRES_USER"], "-d", env["POSTGRES_DBNAME"], "-f", str(kept / "coproduce.sql")],
                   check=True, capture_output=True)
    return shutil.copyfile(kept / "postgres-signing-key.pem", tmp_path / "signing-key.pem")


def _counts(store: Store, engine: Engine) -> dict[str, int]:
    events = "stored_events" if store.is_sqlite else "coproduce_events"
    with engine.connect() as conn:
        return {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in (events, "person_keys", "account_passwords", "api_tokens", "audit_checkpoints")}


def _upgrade_with_the_command_line(store: Store, key: Path, monkeypatch) -> str:
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", store.url.render_as_string(hide_password=False))
    monkeypatch.setenv("COPRODUCE_SIGNING_KEY", str(key))
    monkeypatch.setenv("COPRODUCE_PROJECTIONS", "inline")
    result = CliRunner().invoke(cli, ["upgrade"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("release", RELEASES)
def test_a_store_of_an_earlier_release_upgrades_in_place_with_nothing_lost(store, release, tmp_path, monkeypatch):
    # given: the release's store, which a process that may not upgrade it refuses to run on
    key = _restore(store, release, tmp_path)
    engine = store.engine()
    before = _counts(store, engine)
    with engine.connect() as conn:
        checkpoints = conn.execute(text("SELECT position, chain_hash, signature FROM audit_checkpoints")).all()
    with pytest.raises(StoreBehind, match="coproduce upgrade"):
        open_application(Store(store.url, manage_schema=False), settings=Settings(signing_key=str(key)))
    # when
    said = _upgrade_with_the_command_line(store, key, monkeypatch)
    app = open_application(store, projections_inline=True, settings=Settings(signing_key=str(key)))
    try:
        # then: nothing lost, the schema is this release's
        assert f"to revision {head()}" in said
        assert _counts(store, engine) == before
        assert before["person_keys"] == len(PEOPLE) and before["audit_checkpoints"] == 2
        with engine.connect() as conn:
            assert _drift(conn) == []
            assert conn.execute(text("SELECT position, chain_hash, signature FROM audit_checkpoints")).all() == checkpoints
            kinds = dict(conn.execute(select(credentials.tokens.c.label, credentials.tokens.c.kind)).all())
        assert kinds["web sign-in"] == "web" and kinds["monthly report script"] == "api"
        # every event is readable, and every aggregate loads
        stored = app.recorder.select_notifications(0, 100_000, inclusive_of_start=False)
        assert len(stored) == app.recorder.max_notification_id()
        for originator in {n.originator_id for n in stored if app.mapper.to_domain_event(n)}:
            app.repository.get(originator)
        # the views are what a rebuild makes of the log, and the history verifies
        assert [row["rebuilding"] for row in app.projections.status()] == [False] * len(app.projections.views)
        assert app.audit.verify() == []
        followed = snapshot(app)
        app.projections.rebuild()
        assert snapshot(app) == followed
        # people sign in with their old passwords, and their sealed words open with their keys
        assert [app.sign_in(username, DEMO_PASSWORD).username for username in PEOPLE] == PEOPLE
        assert app.display_name(app.account_by_username("sam").id) == "Sam Okafor"
        # the forgotten person stays forgotten: no key, no name, no password, their words unreadable
        forgotten = app.account_by_username(FORGOTTEN)
        assert forgotten.forgotten and app.keys.key_for(forgotten.id) is None
        assert app.open_sealed(forgotten.name) is None
        with pytest.raises(NotSignedIn):
            app.sign_in(FORGOTTEN, DEMO_PASSWORD)
        words = _sealed_words(app)
        assert words.pop(forgotten.id) == {False}
        assert set().union(*words.values()) == {True}
        assert len(words) > 2
        # new checkpoints chain on from the old ones
        admin = app.actor_for("admin")
        app.create_hub("Fenland", "Fenland", "pre-planning", admin)
        taken = app.audit.checkpoint()
        assert (taken["previous_position"], taken["previous_chain_hash"]) == (checkpoints[-1].position,
                                                                             checkpoints[-1].chain_hash)
        assert app.audit.verify() == []
    finally:
        app.close()
        engine.dispose()


def _sealed_words(app) -> dict[UUID, set[bool]]:
    """Whether each contributor's words open with their key, from the `my_input` view (whose rows
    keep none of a forgotten person's words)."""
    words: dict[UUID, set[bool]] = {}
    with app.engine.connect() as conn:
        for row in conn.execute(text("SELECT contributor_id, text FROM input_contributions")):
            opened = bool(row.text) and app.open_sealed(row.text) is not None
            words.setdefault(UUID(row.contributor_id), set()).add(opened)
    return words


def _drift(conn) -> list:
    """How our own tables differ from what this release's code declares (none: the migrations make them)."""
    own = set(own_metadata().tables)
    context = MigrationContext.configure(conn, opts={
        "include_name": lambda name, kind, _parent: kind != "table" or name in own})
    return compare_metadata(context, own_metadata())


def test_an_upgrade_run_again_changes_nothing(store, monkeypatch, tmp_path):
    engine = store.engine()
    try:
        first = upgrade(store, engine)
        again = upgrade(store, engine)
        assert first.new_store and first.after == head()
        assert (again.before, again.after, again.new_store) == (head(), head(), False)
        with engine.connect() as conn:
            assert _drift(conn) == []
        said = _upgrade_with_the_command_line(store, tmp_path / "signing-key.pem", monkeypatch)
        assert "nothing to migrate" in said
    finally:
        engine.dispose()


def test_two_upgraders_at_once_take_turns_and_the_second_says_it_waits(store):
    engine = store.engine()
    said: list[str] = []
    results = []
    try:
        with schema_turn(store, engine):
            second = threading.Thread(target=lambda: results.append(upgrade(store, engine, said.append)))
            second.start()
            second.join(timeout=1)
            assert second.is_alive() and len(said) == 1 and "waiting" in said[0]
        second.join(timeout=30)
        first = upgrade(store, engine)
        assert results[0].new_store and first.before == head()
    finally:
        engine.dispose()


def test_a_store_a_later_release_upgraded_is_refused_by_every_command_and_the_server(store, monkeypatch, tmp_path):
    # given: a store at a revision this release does not know
    engine = store.engine()
    upgrade(store, engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", store.url.render_as_string(hide_password=False))
    monkeypatch.setenv("COPRODUCE_SIGNING_KEY", str(tmp_path / "signing-key.pem"))
    # then
    for command in (["upgrade"], ["init"], ["serve"], ["projections", "status"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 1, (command, result.output)
        assert "Refused: the store's schema is at revision 9999, which this release does not know" in result.output
    for manage_schema in (True, False):
        with pytest.raises(StoreTooNew):
            open_application(Store(store.url, manage_schema=manage_schema))
