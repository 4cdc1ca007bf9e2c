"""The fixed points each figure is measured against, on the same store in the same run."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from service.infra.store import Store


class Tally(Aggregate):
    """The smallest aggregate: one event per call."""

    @event("Counted")
    def count(self, note: str) -> None:
        pass


class Tallies(Application):
    name = "Tallies"  # its own events table on PostgreSQL


def library_saves_per_second(database_url: str, saves: int) -> float:
    """The event store library itself, saving one ~100-byte event per save, one save after another."""
    env = Store.parse(database_url).eventsourcing_env() | {"CREATE_TABLE": "y"}
    if "SQLITE_DBNAME" in env:  # a fresh file beside the store: its log must stay Coproduce's own
        env["SQLITE_DBNAME"] = str(Path(env["SQLITE_DBNAME"]).with_name("library-saves.db"))
    app = Tallies(env)
    try:
        tally = Tally()
        app.save(tally)
        started = time.perf_counter()
        for n in range(saves):
            tally.count(note=f"a note of about one hundred bytes, number {n:08d}, " + "x" * 40)
            app.save(tally)
        return saves / (time.perf_counter() - started)
    finally:
        app.close()


def raw_commits_per_second(database_url: str, commits: int) -> float:
    """The database's own rate of one-row transactions (SQLite: WAL, synchronous=FULL)."""
    store = Store.parse(database_url)
    row = "x" * 100
    if store.is_sqlite:
        db = sqlite3.connect(Path(store.url.database).with_name("raw-commits.db"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        execute = db.execute
    else:
        db = psycopg.connect(store.url.set(drivername="postgresql").render_as_string(False), autocommit=True)
        execute = db.execute
    execute("CREATE TABLE IF NOT EXISTS raw_commits (id INTEGER PRIMARY KEY, body TEXT)")
    started = time.perf_counter()
    for n in range(commits):
        execute("INSERT INTO raw_commits (id, body) VALUES (%s, %s)" if not store.is_sqlite
                else "INSERT INTO raw_commits (id, body) VALUES (?, ?)", (n, row))
    rate = commits / (time.perf_counter() - started)
    execute("DROP TABLE raw_commits")
    db.close()
    return rate


def decoded_log_read_per_second(app: Application, batch: int = 5000) -> tuple[float, int]:
    """Reading the whole notification log and decoding every event: (events/s, events)."""
    started, position, events = time.perf_counter(), 0, 0
    while True:
        notifications = app.recorder.select_notifications(position, batch, inclusive_of_start=False)
        if not notifications:
            break
        for notification in notifications:
            app.mapper.to_domain_event(notification)
        events += len(notifications)
        position = notifications[-1].id
    return events / (time.perf_counter() - started), events
