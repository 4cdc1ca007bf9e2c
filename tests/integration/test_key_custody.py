"""Two-part custody: person keys are stored wrapped by a key-encryption key kept outside the
database, so a copy of the database alone opens no one's words, name or contact."""

from __future__ import annotations

import re
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import text

from domain import Attribution, Channel, Role
from service.bootstrap import Settings, open_application
from service.cli.main import cli
from service.infra.keyring import KeyCustodyError, KeySource, new_entry, parse
from service.infra.keystore import key_counts
from service.infra.sealing import parse as parse_sealed
from service.infra.schema import upgrade
from service.infra.store import Store
from tests.conftest import Cast
from tests.processes import COPRODUCE, environment

SEALED = re.compile(rb"sealed\.v1\.[0-9a-f]{32}\.[A-Za-z0-9_=-]+")


def opened(store, key_file: Path):
    return open_application(store, projections_inline=True, settings=Settings(key_file=str(key_file)))


def url_of(store) -> str:
    return store.url.render_as_string(hide_password=False)


def canary_person(app, cast) -> tuple[uuid.UUID, str, str]:
    """Someone whose name, contact and words each hold the canary; returns them and their contribution."""
    canary = f"canary-{uuid.uuid4().hex}"
    person = app.register_account("kim", Role.EXPERT, f"{canary} name", f"{canary}@example.org",
                                  app.actor_for("admin"))
    app.join_hub(person, cast.hub, app.actor_for("admin"))
    issue = app.raise_issue(cast.hub, "Letters to old addresses", cast.manager)
    app.record_contribution(issue, person, f"{canary} words", app.account(person).as_actor(),
                            channel=Channel.ONLINE, may_quote=False, attribution=Attribution.NAME)
    return person, canary, issue


def stolen_copy(store, tmp_path: Path) -> tuple[bytes, dict[str, bytes]]:
    """What a thief takes, as it lies: the SQLite file and its write-ahead log, or a pg_dump. Returns
    every byte of it (PostgreSQL's bytea decoded) and the stored value of each person key."""
    if store.is_sqlite:
        copy = tmp_path / "stolen"
        copy.mkdir()
        for suffix in ("", "-wal"):
            shutil.copy(f"{store.url.database}{suffix}", copy / f"coproduce.db{suffix}")
        everything = b"".join(path.read_bytes() for path in sorted(copy.iterdir()))
        assert (copy / "coproduce.db-wal").stat().st_size > 0
        with sqlite3.connect(copy / "coproduce.db") as db:
            keys = {person: bytes(key) for person, key in db.execute("SELECT person_id, key FROM person_keys")}
        return everything, keys
    env = store.eventsourcing_env()
    dump = subprocess.run(["pg_dump", "-h", env["POSTGRES_HOST"], "-p", env["POSTGRES_PORT"], "-U",
                           env["POSTGRES_USER"], env["POSTGRES_DBNAME"]], check=True, capture_output=True).stdout
    everything = dump + b"".join(bytes.fromhex(h.decode()) for h in re.findall(rb"\\\\x([0-9a-f]+)", dump))
    block = dump.split(b"COPY public.person_keys (")[1].split(b"\n\\.\n")[0]
    columns = block.split(b")")[0].decode().split(", ")
    rows = [line.split(b"\t") for line in block.split(b"\n")[1:]]
    keys = {row[columns.index("person_id")].decode(): bytes.fromhex(row[columns.index("key")][3:].decode())
            for row in rows}
    return everything, keys


def test_a_copy_of_the_database_opens_nothing_and_the_key_file_opens_everything(store, tmp_path):
    key_file = tmp_path / "keys" / "key-encryption.keys"
    app = opened(store, key_file)
    try:
        person, canary, _ = canary_person(app, Cast(app))
        everything, stored_keys = stolen_copy(store, tmp_path)
    finally:
        app.close()
    sealed = [parse_sealed(value.decode()) for value in set(SEALED.findall(everything))]
    assert person.hex in stored_keys and len(sealed) >= 2 * len(stored_keys) + 1  # names, contacts, words
    assert canary.encode() not in everything  # in no event, snapshot, read-model row or key
    tried = [blob[start:start + 32] for blob in stored_keys.values() for start in range(len(blob) - 31)]
    for owner, blob in sealed:
        for key in tried:
            with pytest.raises(InvalidTag):
                AESGCM(key).decrypt(blob[:12], blob[12:], owner.bytes)

    keyring = parse(key_file.read_text(), "the key file")
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    person_keys = {owner: keyring.unwrap(uuid.UUID(hex=owner), keyring.newest, wrapped)
                   for owner, wrapped in stored_keys.items()}
    plain = [AESGCM(person_keys[owner.hex]).decrypt(blob[:12], blob[12:], owner.bytes).decode()
             for owner, blob in sealed]
    assert {f"{canary} name", f"{canary}@example.org", f"{canary} words"} <= set(plain)


def test_start_up_refuses_a_missing_wrong_or_damaged_key_file(store, tmp_path):
    key_file = tmp_path / "key-encryption.keys"
    engine = store.engine()
    upgrade(store, engine)  # the schema is current: only the key file is missing
    engine.dispose()
    with pytest.raises(KeyCustodyError, match="is missing: `coproduce init` makes it"):  # servers never make one
        opened(Store(store.url, manage_schema=False), key_file)
    assert not key_file.exists()
    app = opened(store, key_file)
    try:
        Cast(app)
    finally:
        app.close()
    entry = key_file.read_text().splitlines()[-1]
    kek_id = entry.partition(":")[0]
    other = tmp_path / "other.keys"
    KeySource(other).create()  # another store's key file
    damaged = tmp_path / "damaged.keys"
    damaged.write_text(f"{kek_id}:{other.read_text().splitlines()[-1].partition(':')[2]}\n")
    for path, says in [(tmp_path / "missing.keys", "is missing, but 6 person keys"),
                       (other, "which the key file .* does not hold"), (damaged, f"{kek_id} .* does not open")]:
        with pytest.raises(KeyCustodyError, match=says):
            opened(store, path)
    assert not (tmp_path / "missing.keys").exists()  # never a new key file for a store that has keys
    with pytest.raises(KeyCustodyError, match="not both"):
        open_application(store, settings=Settings(key_file=str(key_file), key=entry))
    with_variable = open_application(store, projections_inline=True, settings=Settings(key=entry))
    try:
        assert with_variable.display_name(with_variable.account_by_username("alex").id) == "Alex Example"
    finally:
        with_variable.close()
    serve = subprocess.run([COPRODUCE, "serve", "--port", "1"], capture_output=True, text=True, timeout=60,
                           env=environment(url_of(store), COPRODUCE_KEY_FILE=str(tmp_path / "missing.keys")))
    assert serve.returncode == 1 and "Refused: the key file" in serve.stderr and "is missing" in serve.stderr


def test_init_wraps_the_plain_keys_of_an_older_store_and_start_up_asks_for_it(store, tmp_path):
    key_file = tmp_path / "key-encryption.keys"
    app = opened(store, key_file)
    try:
        cast = Cast(app)
        person, canary, issue = canary_person(app, cast)
        with app.engine.connect() as conn:
            plain = {row: app.keys.key_for(uuid.UUID(hex=row))
                     for row, in conn.execute(text("SELECT person_id FROM person_keys"))}
        with app.engine.begin() as conn:  # the table and the schema's revision before key-encryption keys
            conn.execute(text("ALTER TABLE person_keys DROP COLUMN wrapped_by"))
            conn.execute(text("DROP TABLE message_deliveries"))  # made by a later revision (0006)
            conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
            for row, key in plain.items():
                conn.execute(text("UPDATE person_keys SET key = :key WHERE person_id = :row"), {"key": key, "row": row})
    finally:
        app.close()
    key_file.unlink()
    with pytest.raises(KeyCustodyError, match="run `coproduce init` once"):
        opened(store, key_file)
    result = CliRunner().invoke(cli, ["init"], env={"COPRODUCE_DATABASE_URL": url_of(store),
                                                    "COPRODUCE_KEY_FILE": str(key_file)})
    assert result.exit_code == 0, result.output
    assert f"Wrapped {len(plain)} person keys" in result.output
    app = opened(store, key_file)
    try:
        assert set(key_counts(app.engine)) == {parse(key_file.read_text(), "").newest}
        assert app.display_name(person) == f"{canary} name"
        assert any(app.open_sealed(c.text) == f"{canary} words" for c in app.contributions(app.issue(issue)))
    finally:
        app.close()
    if store.is_sqlite:  # the plain keys are overwritten, not only unlinked from the table
        files = b"".join(Path(f"{store.url.database}{s}").read_bytes() for s in ("", "-wal")
                         if Path(f"{store.url.database}{s}").exists())
        assert not any(key in files for key in plain.values())


def test_a_rotation_killed_halfway_resumes_under_eight_writers_and_loses_nothing(store, tmp_path):
    key_file = tmp_path / "key-encryption.keys"
    app = opened(store, key_file)
    try:
        cast = Cast(app)
        admin = app.actor_for("admin")
        for n in range(30):
            app.register_account(f"p{n}", Role.EXPERT, f"Person {n}", "", admin)
        first = parse(key_file.read_text(), "").newest
        written: list[tuple[uuid.UUID, str, str]] = []
        failures: list[BaseException] = []
        stop = threading.Event()

        def writer(w: int) -> None:
            issue = app.raise_issue(cast.hub, f"Issue of writer {w}", cast.manager)
            n = 0
            while not stop.is_set():
                try:
                    person = app.register_account(f"w{w}-{n}", Role.EXPERT, f"Writer {w}-{n}", "", admin)
                    app.join_hub(person, cast.hub, admin)
                    words = f"writer {w} says {n}"
                    contribution = app.record_contribution(
                        issue, person, words, app.account(person).as_actor(), channel=Channel.ONLINE,
                        may_quote=True, attribution=Attribution.NAME)
                    written.append((issue, str(contribution), words))
                    n += 1
                except BaseException as error:  # noqa: BLE001 - reported by the test below
                    failures.append(error)
                    return

        writers = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
        for thread in writers:
            thread.start()
        env = environment(url_of(store), COPRODUCE_KEY_FILE=str(key_file))
        rotation = subprocess.Popen([COPRODUCE, "keys", "rotate", "--batch", "2", "--pause", "0.05"], env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and rotation.poll() is None:
            holding = key_counts(app.engine)
            if len(holding) == 2 and min(count for count, _ in holding.values()) >= 6:
                break
            time.sleep(0.02)
        rotation.send_signal(signal.SIGKILL)
        assert rotation.wait() == -signal.SIGKILL
        assert len(key_counts(app.engine)) == 2  # halfway: some keys under each key-encryption key
        result = CliRunner().invoke(cli, ["keys", "rotate"], env={"COPRODUCE_DATABASE_URL": url_of(store),
                                                                  "COPRODUCE_KEY_FILE": str(key_file)})
        assert result.exit_code == 0 and "Finished the rotation" in result.output, result.output
        time.sleep(0.3)  # writers go on after the rotation, with the new key
        stop.set()
        for thread in writers:
            thread.join()
        assert failures == []

        keyring = parse(key_file.read_text(), "")
        assert list(keyring.keks) == [first, keyring.newest] and len(written) > 16
        only_newest = parse(keyring.entries()[-1], "")
        with app.engine.connect() as conn:
            rows = conn.execute(text("SELECT person_id, key, wrapped_by FROM person_keys")).all()
        assert {row.wrapped_by for row in rows} == {keyring.newest}
        for row in rows:
            assert len(only_newest.unwrap(uuid.UUID(hex=row.person_id), row.wrapped_by, bytes(row.key))) == 32
        recorded = {c.id: c.text for issue in {i for i, _, _ in written} for c in app.contributions(app.issue(issue))}
        assert {app.open_sealed(recorded[c]) for _, c, _ in written} == {words for _, _, words in written}
        app.projections.catch_up()
        assert app.audit.verify() == []
        status = CliRunner().invoke(cli, ["keys", "status"], env={"COPRODUCE_DATABASE_URL": url_of(store),
                                                                  "COPRODUCE_KEY_FILE": str(key_file)}).output
        assert re.search(rf"{first} +0 person keys\n{keyring.newest} +{len(rows):,} person keys  \(the newest", status)
    finally:
        app.close()


def test_an_older_key_encryption_key_is_retired_only_once_it_wraps_nothing(store, tmp_path):
    key_file = tmp_path / "key-encryption.keys"
    app = opened(store, key_file)
    try:
        person, canary, issue = canary_person(app, Cast(app))
        env = {"COPRODUCE_DATABASE_URL": url_of(store), "COPRODUCE_KEY_FILE": str(key_file)}
        keys = lambda *args: CliRunner().invoke(cli, ["keys", *args], env=env)  # noqa: E731
        first = parse(key_file.read_text(), "").newest
        before_any_change = key_file.read_bytes()

        refused = keys("retire", first)  # the newest: it wraps new keys
        assert refused.exit_code == 1 and f"{first} is the newest" in refused.output
        assert keys("retire", "nosuchkey").output.startswith(f"Refused: the key file {key_file} holds no")
        key_file.write_text(f"{key_file.read_text()}{new_entry()}\n")  # added by hand, as on several hosts
        newest = parse(key_file.read_text(), "").newest
        refused = keys("retire", first)  # not rotated yet: it still wraps everyone's key
        assert refused.exit_code == 1 and f"{first} still wraps" in refused.output and "keys rotate" in refused.output
        assert first in parse(key_file.read_text(), "").keks

        assert keys("rotate").exit_code == 0
        retired = keys("retire", first)
        assert retired.exit_code == 0 and f"Retired key-encryption key {first}" in retired.output, retired.output
        assert list(parse(key_file.read_text(), "").keks) == [newest]
        assert key_file.stat().st_mode & 0o777 == 0o600
        words = next(c.text for c in app.contributions(app.issue(issue)))
        assert app.open_sealed(words) == f"{canary} words"  # everything still opens, with the newest alone
        assert first.encode() not in key_file.read_bytes() and before_any_change != key_file.read_bytes()

        by_variable = CliRunner().invoke(cli, ["keys", "retire", newest], env={
            "COPRODUCE_DATABASE_URL": url_of(store), "COPRODUCE_KEY": key_file.read_text()})
        assert by_variable.exit_code == 1 and "COPRODUCE_KEY cannot be changed" in by_variable.output
    finally:
        app.close()


def test_a_retirement_that_meets_a_key_newly_wrapped_with_it_puts_it_back(store, tmp_path, monkeypatch):
    from service.infra.custody import Custody
    key_file = tmp_path / "key-encryption.keys"
    app = opened(store, key_file)
    try:
        source = KeySource(key_file)
        first = source.refreshed().newest
        source.add_newest()
        counts = iter([0, 1])  # none when checked, one once the file was written: a process still on the old file
        monkeypatch.setattr(Custody, "_wrapped_by", lambda self, kek_id: next(counts))
        with pytest.raises(KeyCustodyError, match=f"{first} was still wrapping new person keys"):
            Custody(app.engine, source).retire(first)
        assert first in parse(key_file.read_text(), "").keks
    finally:
        app.close()


def test_a_new_key_encryption_key_is_printed_for_coproduce_key():
    entry = CliRunner().invoke(cli, ["keys", "new"]).output
    assert len(parse(entry, "COPRODUCE_KEY").keks) == 1 and entry != CliRunner().invoke(cli, ["keys", "new"]).output


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_a_backup_holds_no_key_encryption_key_and_its_restore_needs_one(store, tmp_path):
    key_file = tmp_path / "key-encryption.keys"
    app = opened(store, key_file)
    try:
        Cast(app)
    finally:
        app.close()
    env = {"COPRODUCE_DATABASE_URL": f"sqlite:///{tmp_path}/restored/coproduce.db"}
    backup = CliRunner().invoke(cli, ["backup", str(tmp_path / "backup.db")],
                                env={"COPRODUCE_DATABASE_URL": url_of(store), "COPRODUCE_KEY_FILE": str(key_file)})
    assert backup.exit_code == 0, backup.output
    kek = next(iter(parse(key_file.read_text(), "").keks.values()))
    assert kek not in (tmp_path / "backup.db").read_bytes()
    refused = CliRunner().invoke(cli, ["restore", str(tmp_path / "backup.db")], env=env)
    assert refused.exit_code == 1 and "A restore needs the key file" in refused.output
    assert "is missing, but 6 person keys" in refused.output and not Path(f"{tmp_path}/restored/coproduce.db").exists()
    restored = CliRunner().invoke(cli, ["restore", str(tmp_path / "backup.db")],
                                  env={**env, "COPRODUCE_KEY_FILE": str(key_file)})
    assert restored.exit_code == 0 and "the history verifies" in restored.output, restored.output
