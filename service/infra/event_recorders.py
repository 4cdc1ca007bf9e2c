"""The event store's recorders, changed in two ways.

- A request served under a client's key (`RequestKey`, passed to `save` as `request_key`, or
  for several commands' saves written together as `requests`) is recorded with its events,
  in their transaction (see service/infra/idempotency_store.py).
- On PostgreSQL, connections fail fast (service/infra/failing_fast.py) and each call is
  tried twice at most; a save is one round trip (`PostgresEventRecorder.insert_events`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import Factory as PostgresFactory
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.pq import TransactionStatus

from service.infra.failing_fast import FailingFast, tried_twice
from service.infra.idempotency_store import RECORD, recorded_row, requests_saved
from service.infra.postgres_snapshots import SnapshotRecorder


class SQLiteEventRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, recording a request's key with its events."""

    @property
    def head_sql(self) -> str:
        """The log's head, as a query another connection to the same database can ask."""
        return f"SELECT MAX(rowid) FROM {self.events_table_name}"

    def last_version_sql(self, originator: str) -> str:
        """The last version of the aggregate whose id is the SQL expression `originator` (32 hex
        digits, as the library stores ids here), as a subquery of another query on this database."""
        return f"(SELECT MAX(originator_version) FROM {self.events_table_name} WHERE originator_id = {originator})"

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        for request, events in requests_saved(stored_events, kwargs):
            c.execute(RECORD.format("?"), recorded_row(request, events, sqlite=True))
        return super()._insert_events(c, stored_events, **kwargs)


class PostgresEventRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder, recording a request's key with its events, tried twice at most."""

    @tried_twice
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """The library's insert (its table lock, so that notification ids are committed in order,
        the request's key, the events), sent with BEGIN and COMMIT as one pipeline: one round trip.
        The library waits for the INSERT's answer before it sends COMMIT, so every writer's table
        lock was held across a second round trip and, in a busy server process, the wait of the
        thread for the interpreter lock in between. The answer comes once the commit is on disk;
        a refused save (a version taken) rolls back and is raised as the library raises it."""
        if not stored_events:
            return []
        with self.datastore.get_connection() as conn, conn.cursor() as told, conn.cursor() as inserting:
            try:
                with conn.pipeline():
                    told.execute("BEGIN")
                    self._insert_events(told, stored_events, **kwargs)
                    self._insert_stored_events(inserting, stored_events, **kwargs)
                    told.execute("COMMIT")
            except psycopg.Error:
                if conn.info.transaction_status == TransactionStatus.INERROR:
                    conn.rollback()
                raise
            return self._fetch_ids_after_insert_events(inserting, stored_events, **kwargs)

    select_events = tried_twice(PostgresApplicationRecorder.select_events)
    select_notifications = tried_twice(PostgresApplicationRecorder.select_notifications)
    max_notification_id = tried_twice(PostgresApplicationRecorder.max_notification_id)

    @property
    def head_sql(self) -> str:
        """The log's head, as a query another connection to the same database can ask."""
        return f'SELECT MAX(notification_id) FROM "{self.datastore.schema}"."{self.events_table_name}"'

    def last_version_sql(self, originator: str) -> str:
        """The last version of the aggregate whose id is the SQL expression `originator` (32 hex
        digits), as a subquery of another query on this database."""
        return (f'(SELECT MAX(originator_version) FROM "{self.datastore.schema}"."{self.events_table_name}" '
                f"WHERE originator_id = CAST({originator} AS uuid))")

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        for request, events in requests_saved(stored_events, kwargs):
            curs.execute(RECORD.format("%s"), recorded_row(request, events, sqlite=False))


class Factory(PostgresFactory):
    """`eventsourcing.postgres`'s factory with the recorders above, snapshots read in binary, and
    connections that fail fast."""

    application_recorder_class = PostgresEventRecorder
    aggregate_recorder_class = SnapshotRecorder

    def __init__(self, env: Any):
        super().__init__(env)
        self.datastore = FailingFast(self.datastore)
