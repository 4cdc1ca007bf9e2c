"""Tamper-evidence on SQLite and PostgreSQL: every kind of rewrite is detected and pinpointed."""

from __future__ import annotations

import base64
import io
import json
import random
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from domain import Role
from projections.auditchain import Stored, event_hash, next_chain, read_export, verify
from service.app.coproduce import Coproduce
from service.bootstrap import Settings, key_source, open_application
from service.infra.store import StoreConfigError
from tests.conftest import Cast
from tests.integration.test_projections import scenario

VERIFIER = Path(__file__).parents[2] / "projections" / "auditchain.py"


class Tamper:
    """Changes the stored rows behind the application's back, as an attacker with database access would."""

    def __init__(self, app: Coproduce):
        self.app = app
        self.table, self.position = ("stored_events", "rowid") if app.store.is_sqlite else \
            ("coproduce_events", "notification_id")

    def sql(self, statement: str, **params) -> None:
        with self.app.engine.begin() as conn:
            conn.execute(text(statement.format(t=self.table, p=self.position)), params)

    def state(self, position: int) -> bytes:
        with self.app.engine.connect() as conn:
            return bytes(conn.execute(text(f"SELECT state FROM {self.table} WHERE {self.position} = :n"),
                                      {"n": position}).scalar_one())

    def set_state(self, position: int, state: bytes) -> None:
        self.sql("UPDATE {t} SET state = :s WHERE {p} = :n", s=state, n=position)

    def flip_byte(self, position: int, at: int) -> None:
        state = bytearray(self.state(position))
        state[at % len(state)] ^= 0x01
        self.set_state(position, bytes(state))


@pytest.fixture
def history(app, cast):
    scenario(app, cast)
    app.audit.checkpoint()
    return app


def first_problem(app) -> str:
    problems = app.audit.verify()
    assert problems, "the tampering went unnoticed"
    return problems[0]


def test_a_clean_store_and_a_clean_export_verify(history, tmp_path):
    assert history.audit.verify() == []
    export = tmp_path / "export.jsonl"
    with export.open("w") as out:
        history.audit.export(out)
    run = subprocess.run([sys.executable, str(VERIFIER), str(export), "--public-key", history.audit.public_key()],
                         capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.startswith("OK:"), run.stdout + run.stderr


def test_changing_one_byte_of_any_stored_event_is_detected_and_pinpointed(history):
    tamper = Tamper(history)
    head = history.recorder.max_notification_id()
    for position in range(1, head + 1):
        original = tamper.state(position)
        tamper.flip_byte(position, at=position * 7)
        assert first_problem(history) == f"event at position {position} was changed after it was recorded"
        tamper.set_state(position, original)
    assert history.audit.verify() == []


def test_a_deleted_event_is_detected_and_named(history):
    Tamper(history).sql("DELETE FROM {t} WHERE {p} = 5")
    assert first_problem(history) == "event at position 5 is missing from the log (deleted)"


def test_an_inserted_event_is_detected(history):
    tamper = Tamper(history)
    with history.engine.connect() as conn:
        row = conn.execute(text(f"SELECT * FROM {tamper.table} WHERE {tamper.position} = 3")).mappings().one()
    forged = {k: v for k, v in row.items() if k not in ("notification_id", "rowid")}
    forged["originator_version"] = 999
    columns = ", ".join(forged)
    tamper.sql(f"INSERT INTO {{t}} ({columns}) VALUES ({', '.join(':' + c for c in forged)})", **forged)
    assert "is not in the hash chain" in first_problem(history)


def test_two_reordered_events_are_detected(history):
    tamper = Tamper(history)
    a, b = tamper.state(4), tamper.state(9)
    tamper.set_state(4, b)
    tamper.set_state(9, a)
    assert first_problem(history) == "event at position 4 was changed after it was recorded"


def test_a_truncated_tail_is_detected_by_the_checkpoint(history):
    head = history.recorder.max_notification_id()
    Tamper(history).sql("DELETE FROM {t} WHERE {p} > :n", n=head - 3)
    history.engine.dispose()
    with history.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_chain WHERE position > :n"), {"n": head - 3})
    assert first_problem(history) == (
        f"checkpoint at position {head} ({history.audit.checkpoints()[-1]['taken_at']}) covers events up to "
        f"{head}, but the log ends at {head - 3}: events were removed from the end")


def test_rewriting_and_rehashing_the_tail_is_caught_by_the_signed_checkpoint(history):
    tamper = Tamper(history)
    head = history.recorder.max_notification_id()
    tamper.flip_byte(head - 1, at=10)
    rehash_chain(history)  # the attacker recomputes every hash after the change
    problem = first_problem(history)
    assert f"checkpoint at position {head}" in problem and "were rewritten" in problem


def rehash_chain(app) -> None:
    chain = bytes(32)
    with app.engine.begin() as conn:
        for event in app.audit.stored_events():
            this = event_hash(event.position, event.originator_id, event.version, event.topic, event.state)
            chain = next_chain(chain, this)
            conn.execute(text("UPDATE audit_chain SET event_hash = :e, chain_hash = :c WHERE position = :p"),
                         {"e": this.hex(), "c": chain.hex(), "p": event.position})


def test_checkpoints_that_do_not_extend_each_other_reveal_a_fork(history, cast):
    earlier = history.audit.checkpoint()
    open_issue = next(i for i in history.board_issues(cast.hub, cast.manager) if i.stage != "closed")
    history.add_stakeholder(open_issue.issue_id, "University", "university", cast.manager)
    Tamper(history).flip_byte(2, at=3)
    rehash_chain(history)
    # a second server signs its rewritten history as if nothing had happened before
    with history.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_checkpoints"))
    history.audit.checkpoint()
    problems = history.audit.verify(trusted=earlier)
    assert any("does not match the history" in p for p in problems)


def test_the_export_verifier_detects_random_mutations_of_a_large_history(history, tmp_path):
    # given a large history, exported (more events than the scenario: a long-running issue)
    manager = history.actor_for("sam")
    hub_id = history.board_hubs(manager)[0].hub_id
    issue = next(i for i in history.board_issues(hub_id, manager) if i.stage != "closed").issue_id
    for n in range(300):
        history.add_stakeholder(issue, f"organisation {n}", "service", manager)
    history.audit.checkpoint()
    out = io.StringIO()
    history.audit.export(out)
    header, events, links, checkpoints = read_export(io.StringIO(out.getvalue()))
    key = header["public_key"]
    assert verify(events, links, checkpoints, key) == []
    rng = random.Random(20261123)
    for _ in range(1000):
        mutated, kept_links, expected = mutate(rng, list(events), dict(links))
        problems = verify(mutated, kept_links, checkpoints, key)
        assert problems, f"undetected: {expected}"
        assert expected in problems[0], (expected, problems[0])


def mutate(rng: random.Random, events: list[Stored], links: dict) -> tuple[list[Stored], dict, str]:
    """One random tampering (of the events, and for a truncation of the chain too), and the
    words that must pinpoint it."""
    kind = rng.choice(["byte", "delete", "insert", "swap", "truncate"])
    i = rng.randrange(len(events) - 1)
    if kind == "byte":
        state = bytearray(events[i].state)
        state[rng.randrange(len(state))] ^= 1 << rng.randrange(8)
        events[i] = replace(events[i], state=bytes(state))
        return events, links, f"position {events[i].position} was changed"
    if kind == "delete":
        gone = events.pop(i)
        return events, links, f"position {gone.position} is missing"
    if kind == "insert":
        events.append(replace(events[i], position=events[-1].position + 1))
        return events, links, "is not in the hash chain"
    if kind == "swap":
        j = rng.randrange(i + 1, len(events))
        events[i], events[j] = replace(events[i], state=events[j].state), replace(events[j], state=events[i].state)
        if events[i].state == events[j].state:
            return mutate(rng, events, links)
        return events, links, f"position {events[i].position} was changed"
    kept = events[:-rng.randrange(1, 20)]
    return kept, {p: h for p, h in links.items() if p <= kept[-1].position}, "events were removed from the end"


def test_a_tampered_export_fails_the_stand_alone_verifier(history, tmp_path):
    export = tmp_path / "export.jsonl"
    with export.open("w") as out:
        history.audit.export(out)
    lines = export.read_text().splitlines()
    record = json.loads(lines[3])
    state = bytearray(base64.b64decode(record["state"]))
    state[0] ^= 1
    record["state"] = base64.b64encode(bytes(state)).decode()
    lines[3] = json.dumps(record)
    export.write_text("\n".join(lines) + "\n")
    run = subprocess.run([sys.executable, str(VERIFIER), str(export)], capture_output=True, text=True)
    assert run.returncode == 1
    assert f"FAILED: event at position {record['position']} was changed" in run.stdout


def test_a_rebuild_of_every_view_leaves_the_chain_as_evidence(history):
    with history.engine.begin() as conn:  # evidence of an earlier change, as the chain recorded it
        conn.execute(text("UPDATE audit_chain SET event_hash = :h WHERE position = 3"), {"h": "0" * 64})
    history.projections.rebuild()
    assert first_problem(history) == "event at position 3 was changed after it was recorded"
    history.projections.rebuild(["audit_chain"])  # only when asked by name
    assert history.audit.verify() == []


def test_a_lost_signing_key_is_not_silently_replaced(history, monkeypatch, tmp_path):
    monkeypatch.setenv("COPRODUCE_KEY_FILE", str(key_source(Settings.from_env(), history.store).path))  # stays put
    monkeypatch.setenv("COPRODUCE_SIGNING_KEY", str(tmp_path / "somewhere-else.pem"))
    with pytest.raises(StoreConfigError, match="restore the key"):
        open_application(history.store)


def test_a_checkpoint_falling_due_while_another_process_writes_stops_no_writer(store, monkeypatch):
    """A catch-up signs a checkpoint once one is due. Events that another process records between
    the views' catch-up and the checkpoint are chained first, then signed. On SQLite that chaining
    waited for the writers' turn that its own thread already held: every writer of every process
    then waited for good."""
    monkeypatch.setenv("COPRODUCE_CHECKPOINT_SECONDS", "0")  # every catch-up finds a checkpoint due
    app = open_application(store, projections_inline=True)
    other = open_application(store, projections_inline=False)
    try:
        cast = Cast(app)
        caught_up = app.projections.catch_up

        def then_another_process_writes(names=None, **options):
            applied = caught_up(names, **options)
            if names is None:  # the views' catch-up, not the chain's own before signing
                other.register_account("late", Role.EXPERT, "Late Example", "late@example.org",
                                       other.account(cast.admin_id).as_actor())
            return applied

        monkeypatch.setattr(app.projections, "catch_up", then_another_process_writes)
        catching_up = threading.Thread(target=app.catch_ups.now, daemon=True)
        catching_up.start()
        catching_up.join(20)
        assert not catching_up.is_alive(), "the catch-up never finished: the writers' turn is still held"
        assert app.audit.checkpoints()[-1]["position"] == app.recorder.max_notification_id()
        assert app.audit.verify() == []
        other.register_account("later", Role.EXPERT, "Later Example", "later@example.org",
                               other.account(cast.admin_id).as_actor())  # and writers still write
    finally:
        other.close()
        app.close()


def _rechained(lines: list[str], forged_events: list[dict]) -> list[str]:
    """An export as a forger would rewrite it: events changed or added, every hash worked out again."""
    chain_hex, out = bytes(32), [lines[0]]
    for record in [json.loads(line) for line in lines[1:] if json.loads(line)["type"] == "event"] + forged_events:
        this = event_hash(record["position"], record["originator_id"], record["version"], record["topic"],
                          base64.b64decode(record["state"]))
        chain_hex = next_chain(chain_hex, this)
        out.append(json.dumps({**record, "event_hash": this.hex(), "chain_hash": chain_hex.hex()}) + "\n")
    return out


@pytest.mark.parametrize("forgery", ["checkpoints taken out", "events added after the last checkpoint"])
def test_an_export_rewritten_with_its_hashes_worked_out_again_fails_offline(history, tmp_path, forgery):
    exported = io.StringIO()
    history.audit.export(exported)
    lines = exported.getvalue().splitlines(keepends=True)
    checkpoints = [line for line in lines if json.loads(line)["type"] == "checkpoint"]
    last = json.loads([line for line in lines if json.loads(line)["type"] == "event"][-1])
    if forgery == "checkpoints taken out":
        forged = _rechained(lines, [])
    else:
        added = {**last, "position": last["position"] + 1, "version": last["version"] + 1}
        forged = _rechained(lines, [added]) + checkpoints
    path = tmp_path / "forged.jsonl"
    path.write_text("".join(forged))
    run = subprocess.run([sys.executable, str(VERIFIER), str(path), "--public-key", history.audit.public_key()],
                         capture_output=True, text=True)
    assert run.returncode == 1 and run.stdout.startswith("FAILED:"), run.stdout + run.stderr
    assert "covered by no signed checkpoint" in run.stdout or "no signed checkpoint" in run.stdout


@pytest.mark.parametrize("damage", ["an id that is none", "a position as text", "a checkpoint without its time",
                                    "a name given twice", "a public key that is none", "a kept checkpoint not there"])
def test_a_malformed_export_or_key_is_refused_in_one_line_not_a_traceback(history, tmp_path, damage):
    exported = io.StringIO()
    history.audit.export(exported)
    lines = exported.getvalue().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if json.loads(line)["type"] == "event")
    event = json.loads(lines[at])
    key, extra = history.audit.public_key(), []
    if damage == "an id that is none":
        lines[at] = json.dumps({**event, "originator_id": "not-a-uuid"}) + "\n"
    elif damage == "a position as text":
        lines[at] = json.dumps({**event, "position": str(event["position"])}) + "\n"
    elif damage == "a checkpoint without its time":
        last = json.loads(lines[-1])
        lines[-1] = json.dumps({k: v for k, v in last.items() if k != "taken_at"}) + "\n"
    elif damage == "a name given twice":
        lines[at] = lines[at].rstrip("}\n") + f', "state": "{event["state"]}"}}\n'
    elif damage == "a public key that is none":
        key = "notbase64!!"
    else:
        extra = ["--trusted", str(tmp_path / "nowhere.json")]
    path = tmp_path / "export.jsonl"
    path.write_text("".join(lines))
    run = subprocess.run([sys.executable, str(VERIFIER), str(path), "--public-key", key, *extra],
                         capture_output=True, text=True)
    assert run.returncode == 1 and run.stdout.startswith("FAILED:"), run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
