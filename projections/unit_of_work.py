"""What one batch of events does to the read models, written at the end in bulk.

Handlers read and change rows here instead of issuing statements: each row is loaded from
the database on first touch and kept by primary key, new rows and changed columns are
collected, and `flush` writes them with one executemany per table and statement shape, in
the caller's transaction. A batch of thousands of events then costs a few dozen statements
instead of a dozen per event.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Executable, Table

from projections.bulk import inserting, key_names, looking_up, numbered, updating

Key = Any  # a primary key value, or a tuple of them for a composite key
Row = dict[str, Any]


class Rows:
    """One table's rows as this batch sees them."""

    def __init__(self, table: Table):
        self.table = table
        self.keys = key_names(table)
        self.key_of = itemgetter(*self.keys) if self.keys else None  # one column: its value; more: a tuple
        self.blank = dict.fromkeys(c.name for c in table.columns if not numbered(c))
        self._forget()

    def _forget(self) -> None:
        self.known: dict[Key, Row | None] = {}  # None: not in the table
        self.added: list[Row] = []
        self.loaded: set[Key] = set()  # rows read from the database; the others are inserted as they end up
        self.changed: dict[Key, set[str]] = {}

    def get(self, conn: Connection, key: Key) -> Row | None:
        try:
            return self.known[key]
        except KeyError:
            values = (key,) if len(self.keys) == 1 else key
            row = self.known[key] = looking_up(self.table, conn.dialect).one(conn, dict(zip(self.keys, values)))
            if row is not None:
                self.loaded.add(key)
            return row

    def add(self, values: Row) -> None:
        row = values if len(values) == len(self.blank) else self.blank | values
        self.added.append(row)
        if self.key_of:
            self.known[self.key_of(row)] = row

    def change(self, conn: Connection, key: Key, values: Row) -> None:
        """Like `UPDATE ... WHERE key`: a row that is not there is left alone."""
        row = self.get(conn, key)
        if row is None:
            return
        row.update(values)
        if key in self.loaded:
            self.changed.setdefault(key, set()).update(values)

    def flush(self, conn: Connection) -> None:
        if self.added:
            inserting(self.table, conn.dialect).run(conn, self.added)
        shapes: dict[frozenset[str], list[Row]] = {}
        for key, columns in self.changed.items():
            shapes.setdefault(frozenset(columns), []).append(self.known[key])
        for columns, rows in shapes.items():
            updating(self.table, columns, conn.dialect).run(conn, rows)
        self._forget()  # written: from here on the database has them


class Tables(dict):
    """Each table's `Rows`, made on first use."""

    def __missing__(self, table: Table) -> Rows:
        rows = self[table] = Rows(table)
        return rows


class UnitOfWork:
    """The rows one batch touches, across every table of every view it applies."""

    def __init__(self, conn: Connection, before_writing: Callable[[], None] = lambda: None):
        """`before_writing` is called before anything is written (for the writers' turn, see `Projections`)."""
        self.conn, self.before_writing = conn, before_writing
        self.tables = Tables()
        self.notes: dict[Any, Any] = {}  # what a view carries from one event to the next in this batch

    def get(self, table: Table, key: Key) -> Row | None:
        """The row with this primary key (None when there is none); change it only through `update`."""
        return self.tables[table].get(self.conn, key)

    def insert(self, table: Table, values: Row) -> None:
        self.tables[table].add(values)

    def update(self, table: Table, key: Key, **values: Any) -> None:
        self.tables[table].change(self.conn, key, values)

    def execute(self, statement: Executable, *tables: Table) -> None:
        """Run a statement over many rows now, after writing what is pending for the `tables` it reads or changes."""
        self.before_writing()
        for table in tables:
            self.tables[table].flush(self.conn)
        self.conn.execute(statement)

    def remember(self, key: Any, load: Callable[[Connection], Any]) -> Any:
        """`load`'s answer, once a batch. The database has only what earlier batches wrote: a view
        keeps what it added in this batch in `notes` itself."""
        if key not in self.notes:
            self.notes[key] = load(self.conn)
        return self.notes[key]

    def flush(self) -> None:
        self.before_writing()
        for rows in self.tables.values():
            rows.flush(self.conn)
        self.notes.clear()
