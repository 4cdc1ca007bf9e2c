"""An auditor's commands read the store as it is and change nothing; a store is never signed with
another store's key; a deleted first checkpoint and a reordered export are named as such."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import inspect, text

from projections.all_views import VIEWS
from service.bootstrap import open_application, open_history
from service.cli.main import cli
from service.infra.store import Store, StoreConfigError
from tests.conftest import Cast
from tests.integration.test_upgrade import _restore

VERIFIER = Path(__file__).parents[2] / "projections" / "auditchain.py"
EVENTS = {"sqlite": ("stored_events", "rowid"), "postgresql": ("coproduce_events", "notification_id")}


@pytest.fixture
def env(store, tmp_path, monkeypatch):
    """The store and its signing key named as an operator names them."""
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", store.url.render_as_string(hide_password=False))
    monkeypatch.setenv("COPRODUCE_SIGNING_KEY", str(tmp_path / "signing-key.pem"))
    monkeypatch.setenv("COPRODUCE_KEY_FILE", str(tmp_path / "kek.keys"))
    monkeypatch.setenv("COPRODUCE_PROJECTIONS", "inline")
    return store


def run(*args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result.output.strip()


def made(store: Store, checkpoints: int = 1) -> None:
    """A store with a little history and `checkpoints` checkpoints, a few events apart; closed."""
    app = open_application(store, projections_inline=True)
    try:
        cast = Cast(app)
        for n in range(checkpoints):
            app.create_hub(f"Hub {n}", "Somewhere", "established", app.account(cast.admin_id).as_actor())
            app.audit.checkpoint()
    finally:
        app.close()


def sql(store: Store, statement: str, **params) -> None:
    table, position = EVENTS[store.url.get_backend_name()]
    engine = store.engine()
    with engine.begin() as conn:
        conn.execute(text(statement.format(t=table, p=position)), params)
    engine.dispose()


def fingerprint(store: Store) -> object:
    """The SQLite file's bytes (its WAL folded in first); PostgreSQL's tables, columns and row counts."""
    if store.is_sqlite:
        with sqlite3.connect(store.url.database) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        return Path(store.url.database).read_bytes()
    engine = store.engine()
    with engine.connect() as conn:
        found = inspect(conn)
        tables = sorted(found.get_table_names())
        shape = {t: ([c["name"] for c in found.get_columns(t)],
                     conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()) for t in tables}
        versions = conn.execute(text("SELECT * FROM projection_positions ORDER BY 1")).all() \
            if "projection_positions" in tables else []
    engine.dispose()
    return shape, versions


def test_verify_export_and_public_key_change_nothing_in_an_old_store(env, tmp_path):
    # given the first release's store, never upgraded
    key = _restore(env, "a674215", tmp_path)
    before = fingerprint(env)
    # when an auditor checks it
    assert run("audit", "verify") == "OK: the history verifies; latest checkpoint at position 121."
    assert run("audit", "public-key")
    assert "Exported 121 events, up to the latest checkpoint (at position 121)" in run(
        "audit", "export", str(export := tmp_path / "export.jsonl"))
    # then nothing in it changed: no migration, no new column, no checkpoint
    assert fingerprint(env) == before
    assert key.exists()
    checked = subprocess.run([sys.executable, str(VERIFIER), str(export), "--public-key", run("audit", "public-key")],
                             capture_output=True, text=True)
    assert checked.stdout.startswith("OK: 121 events and 2 checkpoints verify"), checked.stdout


def test_a_tampered_event_in_a_store_with_a_stale_view_is_reported_and_nothing_is_rebuilt(env):
    # given a store whose read model is of an older version than the code's, and an event changed
    made(env)
    stale = next(view for view in VIEWS if view.name == "messages_due")
    sql(env, "UPDATE projection_positions SET version = :v WHERE view = 'messages_due'", v=stale.version - 1)
    sql(env, "UPDATE {t} SET state = :s WHERE {p} = 3", s=b'{"not": "what was recorded"}')
    before = fingerprint(env)
    # when
    said = run("audit", "verify", ok=False)
    # then the change is reported, not a crash, and the stale view is left as it was
    assert said == "FAILED: event at position 3 was changed after it was recorded"
    assert fingerprint(env) == before


def test_a_store_without_the_audit_tables_is_refused_in_one_line_unchanged(env):
    made(env)
    sql(env, "DROP TABLE audit_checkpoints")
    before = fingerprint(env)
    said = run("audit", "verify", ok=False)
    assert said.startswith("Refused: this store has no audit_checkpoints table") and "coproduce upgrade" in said
    assert len(said.splitlines()) == 1
    assert fingerprint(env) == before


def test_no_signing_key_is_made_by_an_auditors_command(env, tmp_path, monkeypatch):
    made(env)
    monkeypatch.setenv("COPRODUCE_SIGNING_KEY", str(tmp_path / "nowhere" / "key.pem"))
    for command in (["audit", "verify"], ["audit", "public-key"]):
        assert "Refused: the signing key" in run(*command, ok=False)
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("edit", ["cast(state as text)", "replace(state, 'a', 'b')"])
def test_an_event_edited_into_text_is_reported_as_changed(tmp_path, monkeypatch, edit):
    store = Store.parse(f"sqlite:///{tmp_path}/coproduce.db")
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", f"sqlite:///{tmp_path}/coproduce.db")
    made(store)
    with sqlite3.connect(store.url.database) as conn:
        conn.execute(f"UPDATE stored_events SET state = {edit} WHERE rowid = 5")
        assert conn.execute("SELECT typeof(state) FROM stored_events WHERE rowid = 5").fetchone() == ("text",)
    conn.close()
    assert run("audit", "verify", ok=False) == "FAILED: event at position 5 was changed after it was recorded"
    app = open_application(store, projections_inline=True)
    try:
        assert app.audit.verify()[0] == "event at position 5 was changed after it was recorded"
    finally:
        app.close()


def test_another_stores_signing_key_is_refused_before_anything_is_signed(env, tmp_path, monkeypatch):
    # given a store with checkpoints signed with its key, and another key
    made(env)
    history = open_history()
    signed = history.checkpoints()
    history.close()
    other = tmp_path / "other.pem"
    other.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    monkeypatch.setenv("COPRODUCE_SIGNING_KEY", str(other))
    # when commands that would sign are run with it, then each is refused in one line
    for command in (["audit", "checkpoint"], ["add-hub", "Elsewhere", "--area", "Y", "--as", "admin"],
                    ["serve", "--port", "8197"]):
        said = run(*command, ok=False)
        assert said.startswith("Refused: the signing key") and "COPRODUCE_SIGNING_KEY" in said, (command, said)
        assert len(said.splitlines()) == 1
    with pytest.raises(StoreConfigError, match="did not sign this store's latest checkpoint"):
        open_application(env, projections_inline=True)
    # and the store is not spoiled: nothing was signed, and it verifies with its own key
    monkeypatch.setenv("COPRODUCE_SIGNING_KEY", str(tmp_path / "signing-key.pem"))
    history = open_history()
    try:
        assert history.checkpoints() == signed and history.verify() == []
    finally:
        history.close()


def test_the_oldest_checkpoint_deleted_is_named_online_and_offline(env, tmp_path):
    # given three checkpoints, the first deleted
    made(env, checkpoints=3)
    history = open_history()
    first, second, _ = [c["position"] for c in history.checkpoints()]
    history.close()
    sql(env, "DELETE FROM audit_checkpoints WHERE position = :p", p=first)
    expected = f"the checkpoint at position {first} is missing (deleted): the checkpoint at position {second} extends it"
    # then the store's check names it
    assert run("audit", "verify", ok=False).startswith(f"FAILED: {expected}")
    # and so does the offline verifier on an export
    run("audit", "export", str(export := tmp_path / "export.jsonl"))
    checked = subprocess.run([sys.executable, str(VERIFIER), str(export), "--public-key", run("audit", "public-key")],
                             capture_output=True, text=True)
    assert checked.returncode == 1 and checked.stdout.startswith(f"FAILED: {expected}"), checked.stdout


def test_a_checkpoint_deleted_from_the_middle_is_named(env):
    made(env, checkpoints=3)
    history = open_history()
    first, second, third = [c["position"] for c in history.checkpoints()]
    history.close()
    sql(env, "DELETE FROM audit_checkpoints WHERE position = :p", p=second)
    assert run("audit", "verify", ok=False) == (
        f"FAILED: the checkpoint at position {second} is missing (deleted): the checkpoint at position {third} "
        f"extends it, but the one before is at {first}")


@pytest.mark.parametrize("moved", ["swapped with the next", "moved three lines later"])
def test_events_reordered_in_an_export_are_reported_out_of_order_not_deleted(env, tmp_path, moved):
    made(env)
    run("audit", "export", str(export := tmp_path / "export.jsonl"))
    lines = export.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if json.loads(line).get("position") == 5
              and json.loads(line)["type"] == "event")
    position = json.loads(lines[at])["position"]
    line = lines.pop(at)
    lines.insert(at + (1 if moved == "swapped with the next" else 3), line)
    export.write_text("".join(lines))
    checked = subprocess.run([sys.executable, str(VERIFIER), str(export)], capture_output=True, text=True)
    assert checked.returncode == 1
    assert f"FAILED: the log is out of order at position {position}: events were reordered" in checked.stdout
    assert "missing" not in checked.stdout
