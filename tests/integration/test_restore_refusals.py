"""`coproduce restore` refuses a file that is not a Coproduce backup (empty, not a database, cut short,
another database, a store without events) in one line, and leaves the store exactly as it was.

Restore is a step on the SQLite store's files, so these tests run on SQLite only."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.bootstrap import open_application
from service.cli.main import cli
from service.infra import backup as backups
from service.infra.store import Store, StoreConfigError
from tests.conftest import Cast


@pytest.fixture
def live(tmp_path, monkeypatch) -> Store:
    """A store holding a hub and its people, which the command line finds (keys beside it, by default)."""
    for name in ("COPRODUCE_SIGNING_KEY", "COPRODUCE_KEY_FILE", "COPRODUCE_KEY", "COPRODUCE_PROJECTIONS"):
        monkeypatch.delenv(name, raising=False)
    store = Store.parse(f"sqlite:///{tmp_path}/live/coproduce.db")
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", f"sqlite:///{store.url.database}")
    app = open_application(store, projections_inline=True)
    try:
        Cast(app)
    finally:
        app.close()
    return store


def _files(folder: Path) -> dict[str, str]:
    """Every file of the folder and a digest of its bytes."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())
            if path.is_file()}


def _head_and_accounts(store: Store) -> tuple[int | None, list[str]]:
    app = open_application(store, projections_inline=True)
    try:
        return app.recorder.max_notification_id(), [p.username for p in app.all_accounts(app.actor_for("admin"))]
    finally:
        app.close()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _text(path: Path) -> None:
    path.write_text("not a db\n")


def _other_database(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('shopping list')")
        conn.commit()


def _store_without_events(path: Path) -> None:
    open_application(Store.parse(f"sqlite:///{path}"), projections_inline=True).close()


def _cut_short(path: Path) -> None:  # a copy that stopped half-way (a full disk)
    assert backups.backup(Store.parse(f"sqlite:///{path.parent}/live/coproduce.db"), path.with_suffix(".full")) > 0
    whole = path.with_suffix(".full").read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


NOT_BACKUPS = {
    "empty": (_empty, "is empty (0 bytes), not a Coproduce backup"),
    "text": (_text, "is not a database, not a Coproduce backup"),
    "other database": (_other_database, "holds no Coproduce event store (no stored_events table)"),
    "store without events": (_store_without_events, "holds no Coproduce events"),
    "cut short": (_cut_short, "is a damaged database (database disk image is malformed)"),
}


@pytest.mark.parametrize("kind", list(NOT_BACKUPS))
def test_a_restore_refuses_a_file_that_is_no_coproduce_backup_and_leaves_the_store_as_it_was(live, tmp_path, kind):
    # given
    make, reason = NOT_BACKUPS[kind]
    make(not_a_backup := tmp_path / "not-a-backup.db")
    folder = Path(live.url.database).parent
    before = _head_and_accounts(live)
    files, kept = _files(folder), _files(tmp_path)
    # when
    result = CliRunner().invoke(cli, ["restore", "--replace", str(not_a_backup)])
    # then: one line, naming the file and why
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Refused: {not_a_backup} {reason}"), result.output
    assert result.output.count("\n") == 1 and result.output.endswith("\n") and result.exception.code == 1
    assert _files(folder) == files  # not a byte changed, no file added or left behind
    assert _files(tmp_path) == kept  # nor in the refused file
    assert _head_and_accounts(live) == before  # the same log head, the same accounts
    assert before[0] and "sam" in before[1]


@pytest.mark.parametrize("kind", list(NOT_BACKUPS))
def test_a_refused_restore_to_a_new_place_creates_no_store(live, tmp_path, monkeypatch, kind):
    make, reason = NOT_BACKUPS[kind]
    make(not_a_backup := tmp_path / "not-a-backup.db")
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", f"sqlite:///{tmp_path}/new/place/coproduce.db")
    result = CliRunner().invoke(cli, ["restore", str(not_a_backup)])
    assert result.exit_code == 1 and result.output.startswith(f"Refused: {not_a_backup} {reason}"), result.output
    assert not (tmp_path / "new").exists()  # not even the folder made for it


def test_the_adapter_itself_refuses_before_touching_the_store(live, tmp_path):
    _empty(empty := tmp_path / "empty.db")
    folder = Path(live.url.database).parent
    files = _files(folder)
    with pytest.raises(StoreConfigError, match=r"is empty \(0 bytes\)"):
        backups.restore(live, empty, replace=True)
    assert _files(folder) == files


def test_a_file_that_is_refused_is_only_read(live, tmp_path):
    """Checking a backup writes nothing to it nor beside it (no -wal or -shm file)."""
    backup = tmp_path / "kept" / "backup.db"
    backups.backup(live, backup)
    with closing(sqlite3.connect(backup)) as conn:  # a store whose events are gone: refused after opening it
        conn.execute("DELETE FROM stored_events")
        conn.commit()
    files = _files(backup.parent)
    result = CliRunner().invoke(cli, ["restore", "--replace", str(backup)])
    assert result.exit_code == 1 and result.output == f"Refused: {backup} holds no Coproduce events\n"
    assert _files(backup.parent) == files


def test_a_real_backup_still_restores_over_the_store(live, tmp_path):
    # given: a backup, then more history after it
    before = _head_and_accounts(live)
    assert CliRunner().invoke(cli, ["backup", str(backup := tmp_path / "backup.db")]).exit_code == 0
    app = open_application(live, projections_inline=True)
    try:
        app.create_hub("Wisbech", "Wisbech", "established", app.actor_for("admin"))
    finally:
        app.close()
    assert _head_and_accounts(live)[0] > before[0]
    # when
    result = CliRunner().invoke(cli, ["restore", "--replace", str(backup)])
    # then: the store is the backup's, verified
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Restored from {backup}; the history verifies; read models rebuilt (")
    assert _head_and_accounts(live) == before
    assert not list(Path(live.url.database).parent.glob("*.restoring.db*"))
    assert CliRunner().invoke(cli, ["audit", "verify"]).output.startswith("OK: the history verifies")


def test_a_restore_is_refused_while_anything_has_the_store_open_and_replaces_nothing(live, tmp_path):
    # given a backup, and the store open, as a running server has it
    assert CliRunner().invoke(cli, ["backup", str(backup := tmp_path / "backup.db")]).exit_code == 0
    serving = open_application(live, projections_inline=True)
    try:
        head = serving.recorder.max_notification_id()
        # when the operator restores without stopping it
        result = CliRunner().invoke(cli, ["restore", "--replace", str(backup)])
        # then it is refused in one line, and the open store goes on as it was: nothing written is lost
        assert result.exit_code == 1, result.output
        assert "is open in another process" in result.output and "nothing was replaced" in result.output
        serving.create_hub("Wisbech", "Wisbech", "established", serving.actor_for("admin"))
    finally:
        serving.close()
    assert _head_and_accounts(live)[0] == head + 1
    # and once it is closed, the same restore goes ahead
    assert CliRunner().invoke(cli, ["restore", "--replace", str(backup)]).exit_code == 0


def test_a_restore_still_refuses_to_overwrite_a_store_without_replace(live, tmp_path):
    assert CliRunner().invoke(cli, ["backup", str(backup := tmp_path / "backup.db")]).exit_code == 0
    files = _files(Path(live.url.database).parent)
    result = CliRunner().invoke(cli, ["restore", str(backup)])
    assert result.exit_code == 1 and "already exists; pass --replace" in result.output, result.output
    assert _files(Path(live.url.database).parent) == files


def test_a_restore_without_the_signing_key_of_the_backup_s_checkpoints_is_refused_in_one_line(live, tmp_path,
                                                                                               monkeypatch):
    monkeypatch.setenv("COPRODUCE_CHECKPOINT_SECONDS", "0")  # a checkpoint signed at the next catch-up
    app = open_application(live, projections_inline=True)
    try:
        app.create_hub("Wisbech", "Wisbech", "established", app.actor_for("admin"))
    finally:
        app.close()
    assert CliRunner().invoke(cli, ["backup", str(backup := tmp_path / "backup.db")]).exit_code == 0
    files = _files(Path(live.url.database).parent)
    monkeypatch.setenv("COPRODUCE_SIGNING_KEY", str(tmp_path / "elsewhere.pem"))
    monkeypatch.setenv("COPRODUCE_KEY_FILE", str(Path(live.url.database).parent / "key-encryption.keys"))
    result = CliRunner().invoke(cli, ["restore", "--replace", str(backup)])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert result.output.startswith(f"Refused: {backup} cannot be checked: the signing key {tmp_path}/elsewhere.pem "
                                    "is missing, but checkpoints signed with it exist")
    assert _files(Path(live.url.database).parent) == files and not (tmp_path / "elsewhere.pem").exists()
