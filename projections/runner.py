"""Keeps read models up to date from the notification log, each event applied exactly once.

For each view: read the notifications after its tracked position, apply them and move
the position forward, all in one transaction. The position is moved with a compare-and-set
(`WHERE position = old`), so two catch-ups running at once (threads, processes or hosts)
cannot both apply the same events: on PostgreSQL it is moved at the start of the transaction,
and the second catch-up waits for the first, then finds the position moved, rolls back and
reads again. On SQLite, where one writer at a time holds the whole file, a catch-up works
the rows out first and writes them at the end, in the writers' turn (see
`Projections.catch_up`).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateIndex, DropIndex

from projections.times import aware, now
from projections.unit_of_work import UnitOfWork
from projections.view import KEPT_IN_REBUILD, View

log = logging.getLogger(__name__)
metadata = MetaData()
positions = Table(
    "projection_positions", metadata,
    Column("view", String(40), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer),  # the view's version that made the rows; none: made before views had one
)

BATCH = 500  # following the log: small, so that a busy log does not hold one transaction long
REBUILD_BATCH = 10_000  # a rebuild: large, since every batch's rows are written in bulk


Begin = Callable[[], AbstractContextManager[Connection]]  # a transaction, yielding its connection
Turn = Callable[[], AbstractContextManager[Any]]  # held by one of those who take it at a time


class _Overtaken(Exception):
    """A view's position moved while this batch was being applied."""


class RebuildFailed(Exception):
    """A process sharing a rebuild failed; its views are left to be rebuilt again."""


class Projections:
    """Runs a set of views over one application's log."""

    def __init__(self, recorder: Any, mapper: Any, engine: Engine, views: Iterable[View],
                 create_tables=lambda metadata, engine: metadata.create_all(engine),
                 reconnect: Callable[[], AbstractContextManager[Any]] | None = None, processes: int | None = None,
                 catch_up_turn: Turn = contextlib.nullcontext, write_turn: Turn = contextlib.nullcontext):
        """`reconnect`: a recorder of the same log with connections of its own (closed on leaving), for
        a forked process;
        `processes`: how many a rebuild may share its views among (by default, one a core);
        `catch_up_turn`, `write_turn` (SQLite): every catch-up, in whichever process, holds the first
        while it runs, so that no two work out the same rows, then the second, which commands take
        to save, to write (see `catch_up`)."""
        self.recorder, self.mapper, self.engine = recorder, mapper, engine
        self._reconnect = reconnect
        self._catch_up_turn, self._write_turn = catch_up_turn, write_turn
        self.processes = processes or len(os.sched_getaffinity(0))
        self.views = {view.name: view for view in views}
        self._lock = threading.Lock()
        head_sql = getattr(recorder, "head_sql", None)  # compiled once: a read of the views asks it first
        self._behind_sql = head_sql and str(select(positions.c.view, positions.c.position, positions.c.version,
                                                   literal_column(f"({head_sql})").label("head"))
                                            .compile(dialect=engine.dialect))
        create_tables(metadata, engine)
        for view in self.views.values():
            create_tables(view.metadata, engine)
            self._ensure_position(view.name)

    def _ensure_position(self, name: str) -> None:
        with contextlib.suppress(IntegrityError), self.engine.begin() as conn:  # already tracked: fine
            conn.execute(insert(positions).values(view=name, position=0, updated_at=now(),
                                                  version=self.views[name].version))

    def position(self, name: str) -> int:
        return self._positions()[name]

    def _positions(self) -> dict[str, int]:
        return {name: position for name, (position, _) in self._seen().items()}

    def _seen(self) -> dict[str, tuple[int, Any]]:
        """Each view's position, and when it last moved."""
        with self.engine.connect() as conn:
            return {row.view: (row.position, row.updated_at) for row in conn.execute(select(positions))}

    def behind(self) -> bool:
        """Whether a view has yet to apply an event of the log as it now stands. Views being rebuilt
        (their rows made by another version of them) are not counted: a reader cannot wait for a
        rebuild. One statement where the recorder says how to ask for the head (`head_sql`)."""
        with self.engine.connect() as conn:
            if self._behind_sql:
                rows = conn.exec_driver_sql(self._behind_sql).all()
                head = rows[0].head if rows else 0
            else:
                rows, head = conn.execute(select(positions)).all(), self.recorder.max_notification_id()
        return any(row.position < (head or 0) for row in rows
                   if row.view in self.views and row.version == self.views[row.view].version)

    def catch_up(self, names: Iterable[str] | None = None, batch: int = BATCH) -> int:
        """Apply every event not yet applied to the chosen views (all by default), `batch` events
        at a time; returns how many (event, view) applications were made. Views at the same
        position share one read of the log and one transaction.

        On SQLite, where one writer at a time holds the whole file, each batch's rows are worked
        out before the writers' turn is taken, and the turn is held only to write them: commands,
        of this process or another, wait for the writing alone. Held throughout, a server's
        catch-up had held it about 23 ms at a time under load, for every command of both processes
        (measured: commands' p95 a median of 48 ms with it held throughout, 40 ms without)."""
        with self._lock, self._catch_up_turn():
            views = [self.views[name] for name in (names or self.views)]
            if self.engine.dialect.name == "sqlite":
                return self._follow(views, batch, self._begin_views, work_first=True)
            with self._write_turn():
                return self._follow(views, batch, self._begin_views)

    @contextlib.contextmanager
    def _begin_views(self) -> Iterator[Connection]:
        """A transaction of the views' rows and positions. On SQLite its commit does not wait for the
        disk (`synchronous=NORMAL`, for this transaction only; the connection goes back to FULL): a
        catch-up lost to a power cut takes its position with it, so the next catch-up makes the same
        rows again from the log, and the WAL is written in order, so nothing committed after it (an
        event, a key, a token) can outlive it. A command on SQLite inline then waits for one disk
        sync, its events', instead of two."""
        with self.engine.connect() as conn:
            light = conn.dialect.name == "sqlite"
            if light:
                _synchronous(conn, "NORMAL")  # outside any transaction: SQLite refuses it inside one
            try:
                with conn.begin():
                    yield conn
            finally:
                if light:
                    _synchronous(conn, "FULL")

    def _follow(self, chosen: list[View], batch: int, begin: Begin, work_first: bool = False) -> int:
        applied = 0
        while True:
            current = self._seen()
            at = {view.name: current[view.name] for view in chosen}
            notifications = self.recorder.select_notifications(min(position for position, _ in at.values()), batch,
                                                               inclusive_of_start=False)
            if not notifications:
                return applied
            try:
                applied += self._apply_batch(chosen, at, notifications, begin, work_first)
            except _Overtaken:
                continue  # another catch-up got there first: read the positions again
            if len(notifications) < batch:  # the head as it stood when read: what came after, the next catch-up applies
                return applied

    def _apply_batch(self, chosen: list[View], at: dict[str, tuple[int, Any]], notifications: list[Any],
                     begin: Begin, work_first: bool) -> int:
        """Apply a batch and move the positions in one transaction. The positions are moved first (the
        transaction then holds them while it works), or, with `work_first`, once the rows are worked
        out, so that on SQLite, where one writer at a time holds the whole file, the work is done
        outside that turn. Then the positions must also not have moved since they were read (not even
        back to the same number by a rebuild), or the batch is worked out again."""
        with contextlib.ExitStack() as turn, begin() as conn:  # the turn is let go once the batch is committed
            writing = _once(lambda: turn.enter_context(self._write_turn())) if work_first else _nothing
            work = UnitOfWork(conn, before_writing=writing)
            behind = [view for view in chosen if at[view.name][0] < notifications[-1].id]
            if not work_first:
                self._move(conn, behind, at, notifications[-1].id, since=False)
            applied = _apply(work, self.mapper, behind, at, notifications)
            if work_first:
                writing()
                self._move(conn, behind, at, notifications[-1].id, since=True)
            work.flush()
        return applied

    def _move(self, conn: Connection, behind: list[View], at: dict[str, tuple[int, Any]], to: int, since: bool) -> None:
        """Move the views' positions to `to`, from where they were read (and, with `since`, when they last moved).
        Views found at the same position, moved at the same time, move in one statement, and all are
        marked moved at one time, so that they are found together again by the next batch (each with
        a time of its own, every batch took a statement a view)."""
        _lock_in_order(conn, [view.name for view in behind])
        starts: dict[tuple[int, Any], list[str]] = {}
        for view in behind:
            starts.setdefault(at[view.name], []).append(view.name)
        moved = now()
        for (start, moved_at), names in starts.items():
            found = positions.c.view.in_(names) & (positions.c.position == start)
            if since:
                found &= positions.c.updated_at == moved_at
            if conn.execute(update(positions).where(found).values(position=to, updated_at=moved)).rowcount != len(names):
                raise _Overtaken()  # rolls the whole batch back

    def rebuild(self, names: Iterable[str] | None = None) -> int:
        """Empty views and apply the whole log again. Views marked `keep` (the audit chain, whose
        rows are evidence) are rebuilt only when named.

        Given `reconnect` and more than one core, the views are shared out (by `View.weight`) among
        as many processes, forked from this one, each reading the log once: most of a rebuild is the
        views' own Python, which one process runs on one core (see `_may_fork`)."""
        shares = self.shares(names)
        if len(shares) == 1:
            return self._rebuild(shares[0])
        context = multiprocessing.get_context("fork")  # what this process has loaded and opened, at no cost
        helpers = []
        for share in shares[1:]:
            receiving, sending = context.Pipe(duplex=False)
            helper = context.Process(target=self._rebuild_forked, args=([view.name for view in share], sending),
                                     name=f"rebuild of {share[0].name}", daemon=True)
            helper.start()
            sending.close()
            helpers.append((helper, receiving))
        try:
            applied = self._rebuild(shares[0], shared=True)
        finally:
            helped = [_result(helper, receiving) for helper, receiving in helpers]
        failed = [found for found in helped if isinstance(found, str)]
        if failed:
            raise RebuildFailed("; ".join(failed))
        return applied + sum(helped)

    def shares(self, names: Iterable[str] | None = None) -> list[list[View]]:
        """How a rebuild of these views (every view but those kept, by default) is shared among processes."""
        chosen = [self.views[name] for name in (names or self.rebuilt_by_default())]
        return _shared(chosen, self.processes if self._reconnect and self._may_fork() else 1)

    def _may_fork(self) -> bool:
        """SQLite keeps the state of a file's locks per process, in memory that a fork copies: a process
        forked while another thread of this one held a lock on the file would wait for it forever. So on
        SQLite a rebuild is shared only by a process with no other thread (the command line, an upgrade,
        a restore). PostgreSQL's connections keep nothing of the kind."""
        return self.engine.dialect.name != "sqlite" or threading.active_count() == 1

    def _rebuild_forked(self, names: list[str], sending: Any) -> None:
        """A share of a rebuild, in a forked process, with connections of its own: the parent's
        stay the parent's. Sends how many applications it made, or what went wrong."""
        try:
            self._lock = threading.Lock()  # another thread of the parent may have held it
            self._parents = self.engine.pool  # kept, not closed: the parent's connections are the parent's
            self.engine.dispose(close=False)
            with self._reconnect() as self.recorder:
                sending.send(self._rebuild([self.views[name] for name in names], shared=True))
            self.engine.dispose()
        except BaseException as error:  # told to the parent, which raises it
            sending.send(f"rebuilding {', '.join(names)} failed: {error!r}")
        finally:
            sending.close()

    def _rebuild(self, chosen: list[View], shared: bool = False) -> int:
        """Rebuild `chosen` here; `shared`: other processes rebuild the other views at the same time.
        The views' secondary indexes are dropped while their rows are written and made again at
        the end, failed or not: building an index once from all its rows costs less than keeping
        it up to date row by row. A rebuild killed before it could make them makes them when it is
        run again."""
        indexes = [index for view in chosen for table in view.metadata.sorted_tables for index in table.indexes
                   if not index.unique and not index.info.get(KEPT_IN_REBUILD)]
        names = [view.name for view in chosen]
        tracked = positions.c.view.in_(names)
        sqlite = self.engine.dialect.name == "sqlite"
        work_first = shared and sqlite  # the other shares write to the same file
        # On SQLite, emptying the tables and making their indexes (many seconds at a million events) take the
        # writers' turn too: another writer then waits for it, rather than giving up after SQLite's timeout.
        turn = self._write_turn if sqlite else contextlib.nullcontext
        with self._lock, self.engine.connect() as conn, collector_paused():
            with turn(), conn.begin():  # positions first, as a catch-up takes them: in the same order, never deadlocked
                _lock_in_order(conn, names)
                conn.execute(update(positions).where(tracked).values(position=0, updated_at=now()))
                for index in indexes:
                    conn.execute(DropIndex(index, if_exists=True))
                _empty(conn, [table for view in chosen for table in reversed(view.metadata.sorted_tables)])
            try:
                return self._follow(chosen, REBUILD_BATCH, lambda: _transaction(conn), work_first)
            finally:
                with turn(), conn.begin():  # positions first again: two rebuilds at once take turns at the indexes
                    _lock_in_order(conn, names)
                    for index in indexes:
                        conn.execute(CreateIndex(index, if_not_exists=True))

    def rebuilt_by_default(self) -> list[str]:
        """The views a rebuild of "every view" empties: all but those whose rows are evidence."""
        return [name for name, view in self.views.items() if not view.keep]

    def stale(self) -> list[str]:
        """The views whose rows were made by another version of them than this code's."""
        with self.engine.connect() as conn:
            stored = {row.view: row.version for row in conn.execute(select(positions.c.view, positions.c.version))}
        return [name for name, view in self.views.items() if stored[name] != view.version]

    def rebuild_stale(self) -> list[str]:
        """Rebuild every stale view from the log, its tables made again in this version's shape;
        the version is recorded last, so a rebuild cut short is done again. Returns the views rebuilt.
        Readers of a view being rebuilt see it emptied and filling up, never old rows beside new ones
        (readiness says it is being rebuilt); callers keep two rebuilders from running at once."""
        chosen = self.stale()
        if not chosen:
            return []
        with self._lock, self.engine.begin() as conn:
            for name in chosen:
                self.views[name].metadata.drop_all(conn)
                self.views[name].metadata.create_all(conn)
        self.rebuild(chosen)
        with self.engine.begin() as conn:
            for name in chosen:
                conn.execute(update(positions).where(positions.c.view == name).values(version=self.views[name].version))
        return chosen

    def status(self) -> list[dict[str, Any]]:
        """Each view's position, the log's head, how far behind the view is, and whether it is being
        rebuilt (its rows were made by another version of it)."""
        head = self.recorder.max_notification_id() or 0
        with self.engine.connect() as conn:
            rows = {r.view: r for r in conn.execute(select(positions))}
        return [{"view": name, "position": rows[name].position, "head": head, "lag": head - rows[name].position,
                 "updated_at": aware(rows[name].updated_at), "rebuilding": rows[name].version != view.version}
                for name, view in self.views.items()]

    def run(self, stop: threading.Event, interval: float = 0.2, when_idle=lambda: None,
            unreachable=lambda error: False) -> None:
        """Follow the log until `stop` is set (the projection worker): a catch-up (which reads on while
        it finds full batches) every `interval` seconds, so that under load each applies the events of
        many commands at once (a catch-up costs about 3 ms of CPU whatever it applies); a reader who
        finds the views behind meanwhile catches them up itself. `when_idle` runs after a catch-up
        that found nothing. `unreachable` tells an error that says the database is away (one line in
        the log, no traceback)."""
        while not stop.is_set():
            try:
                if not self.catch_up():
                    when_idle()
                stop.wait(interval)
            except Exception as error:  # the database away, or a view that cannot apply an event yet
                if unreachable(error):
                    log.warning("catching up failed: the database is away; trying again shortly")
                else:
                    log.exception("catching up failed; trying again shortly")
                stop.wait(max(interval, 1.0))


def _lock_in_order(conn: Connection, names: list[str]) -> None:
    """On PostgreSQL, lock these views' positions in the order of their names, as every catch-up and
    rebuild does before it moves or resets them: so none waits on another in a circle (one statement
    that updates several rows locks them in whatever order it finds them)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(positions.c.view).where(positions.c.view.in_(names)).order_by(positions.c.view)
                     .with_for_update())


def _apply(work: UnitOfWork, mapper: Any, behind: list[View], at: dict[str, tuple[int, Any]],
           notifications: list[Any]) -> int:
    """Each event to every view still behind it, event by event: the views share its decoding."""
    applied = 0
    for view in behind:
        for prepare in view.preparations:
            prepare(work, notifications)
    decode = not all(view.raw for view in behind)
    starts = [(view, at[view.name][0]) for view in behind]
    for stored in notifications:
        event = _decoded(mapper, stored) if decode else None
        for view, start in starts:
            if stored.id > start:
                view.apply(work, stored if view.raw else event, stored.id)
                applied += 1
    return applied


JSON_NUL = b"\\u0000"  # the NUL character as the log's JSON writes it


def _decoded(mapper: Any, stored: Any) -> Any:
    """The event, its text without NUL: PostgreSQL's text columns refuse it, and one such event
    would stop every view there for good. New events cannot hold it (domain/text.py); one
    recorded before they were refused shows U+FFFD in its place in the views (the log keeps
    what was recorded). Looked for in the stored bytes first: a test of a few nanoseconds."""
    event = mapper.to_domain_event(stored)
    if JSON_NUL in stored.state:
        state = vars(event)
        for name, value in state.items():
            state[name] = _without_nul(value)
    return event


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


def _once(act: Callable[[], Any]) -> Callable[[], None]:
    done = False

    def once() -> None:
        nonlocal done
        if not done:
            done = True
            act()
    return once


def _nothing() -> None:
    pass


def _shared(views: list[View], processes: int) -> list[list[View]]:
    """The views in at most `processes` shares of about equal weight, heaviest first into the lightest share."""
    shares: list[list[View]] = [[] for _ in range(max(1, min(processes, len(views))))]
    for view in sorted(views, key=lambda view: -view.weight):
        min(shares, key=lambda share: sum(view.weight for view in share)).append(view)
    return shares


def _result(helper: Any, receiving: Any) -> int | str:
    """What a forked share of a rebuild sent (applications made, or what went wrong), once it has ended."""
    try:
        found = receiving.recv()
    except EOFError:
        found = None
    helper.join()
    receiving.close()
    return found if found is not None else f"{helper.name} ended with exit code {helper.exitcode}"


def _synchronous(conn: Connection, level: str) -> None:
    conn.exec_driver_sql(f"PRAGMA synchronous={level}")
    conn.commit()  # ends SQLAlchemy's own transaction around the pragma; SQLite had none open


@contextlib.contextmanager
def _transaction(conn: Connection) -> Iterator[Connection]:
    with conn.begin():
        yield conn


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for a rebuild. Each batch holds tens of thousands of
    objects (events, rows) that reference counting frees when the batch ends, and makes no cycles
    (a rebuild of 100,000 events left none to collect); left running, the collector walked them
    all again at each full collection: about 1.1 s of an 8 s rebuild of 100,000 events."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _empty(conn: Connection, tables: list[Table]) -> None:
    """Every row gone. PostgreSQL's TRUNCATE leaves no dead rows behind for the new ones to
    be written beside (and numbered keys go on from where they were, as after a DELETE);
    SQLite empties a table without a WHERE at once."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"TRUNCATE {', '.join(conn.dialect.identifier_preparer.format_table(t) for t in tables)}")
        return
    for table in tables:
        conn.execute(table.delete())


def wait_for(projections: Projections, timeout: float = 10.0) -> None:
    """Block until every view has reached the head of the log (for tests and tools)."""
    deadline = time.monotonic() + timeout
    while any(s["lag"] for s in projections.status()):
        if time.monotonic() > deadline:
            raise TimeoutError("projections did not catch up in time")
        time.sleep(0.05)
