"""Keeps read models up to date from the notification log, each event applied exactly once.

For each view: read the notifications after its tracked position, apply them and move
the position forward, all in one transaction. The position is moved with a compare-and-set
(`WHERE position = old`) at the start of that transaction, so two catch-ups running at
once (threads, processes or hosts) cannot both apply the same events: the second one
waits for the first and then finds the position moved, rolls back and reads again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Engine, MetaData, String, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from projections.times import aware, now
from projections.view import View

metadata = MetaData()
positions = Table(
    "projection_positions", metadata,
    Column("view", String(40), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

BATCH = 500


class Projections:
    """Runs a set of views over one application's log."""

    def __init__(self, recorder: Any, mapper: Any, engine: Engine, views: Iterable[View],
                 create_tables=lambda metadata, engine: metadata.create_all(engine)):
        self.recorder, self.mapper, self.engine = recorder, mapper, engine
        self.views = {view.name: view for view in views}
        self._locks = {name: threading.Lock() for name in self.views}
        create_tables(metadata, engine)
        for view in self.views.values():
            create_tables(view.metadata, engine)
            self._ensure_position(view.name)

    def _ensure_position(self, name: str) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(positions).values(view=name, position=0, updated_at=now()))
        except IntegrityError:
            pass  # already tracked

    def position(self, name: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(positions.c.position).where(positions.c.view == name)).scalar_one()

    def catch_up(self, names: Iterable[str] | None = None) -> int:
        """Apply every event not yet applied; returns how many were applied."""
        return sum(self._catch_up(self.views[name]) for name in (names or self.views))

    def _catch_up(self, view: View) -> int:
        applied = 0
        with self._locks[view.name]:
            while True:
                start = self.position(view.name)
                notifications = self.recorder.select_notifications(start, BATCH, inclusive_of_start=False)
                if not notifications:
                    return applied
                if self._apply_batch(view, start, notifications):
                    applied += len(notifications)

    def _apply_batch(self, view: View, start: int, notifications: list[Any]) -> bool:
        with self.engine.begin() as conn:
            moved = conn.execute(update(positions).where(
                positions.c.view == view.name, positions.c.position == start).values(
                position=notifications[-1].id, updated_at=now()))
            if moved.rowcount != 1:
                conn.rollback()
                return False  # another catch-up got there first
            for notification in notifications:
                view.apply(conn, self.mapper.to_domain_event(notification), notification.id)
        return True

    def rebuild(self, names: Iterable[str] | None = None) -> int:
        """Empty views and apply the whole log again."""
        chosen = list(names or self.views)
        for name in chosen:
            view = self.views[name]
            with self._locks[name], self.engine.begin() as conn:
                for table in reversed(view.metadata.sorted_tables):
                    conn.execute(table.delete())
                conn.execute(update(positions).where(positions.c.view == name).values(position=0, updated_at=now()))
        return self.catch_up(chosen)

    def status(self) -> list[dict[str, Any]]:
        """Each view's position, the log's head, and how far behind the view is."""
        head = self.recorder.max_notification_id() or 0
        with self.engine.connect() as conn:
            rows = {r.view: r for r in conn.execute(select(positions))}
        return [{"view": name, "position": rows[name].position, "head": head, "lag": head - rows[name].position,
                 "updated_at": aware(rows[name].updated_at)} for name in self.views]

    def run(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Follow the log until `stop` is set (the projection worker)."""
        while not stop.is_set():
            if not self.catch_up():
                stop.wait(interval)


def wait_for(projections: Projections, timeout: float = 10.0) -> None:
    """Block until every view has reached the head of the log (for tests and tools)."""
    deadline = time.monotonic() + timeout
    while any(s["lag"] for s in projections.status()):
        if time.monotonic() > deadline:
            raise TimeoutError("projections did not catch up in time")
        time.sleep(0.05)
