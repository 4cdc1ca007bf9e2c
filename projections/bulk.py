"""Many rows written at once, and rows looked up by key: statements compiled once, run on the
driver's own cursor.

SQLAlchemy's own executemany builds and processes a parameter dictionary per row; for the
hundreds of thousands of rows of a rebuild that costs more than the database's work. Here
a statement is compiled once per dialect, each row becomes a plain tuple (or dictionary, for
drivers with named parameters) through the same bind processors SQLAlchemy would use, and
the rows go to the driver's cursor, inside the connection's transaction. On PostgreSQL new
rows go in by COPY. Looking a row up by its key the same way, with SQLAlchemy's result
processors, costs a fifth of building, compiling and running a `select` for each (most of
what a catch-up of a few events did).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from functools import cache
from json.encoder import c_make_encoder, encode_basestring_ascii
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Column, Connection, DateTime, Dialect, Table, and_, bindparam, insert, select, true, update
from sqlalchemy.sql import ClauseElement
from sqlalchemy.types import TypeEngine


class Values:
    """Rows as the driver takes them: the named fields in order, through SQLAlchemy's bind processors."""

    def __init__(self, names: Sequence[str], types: Sequence[TypeEngine], dialect: Dialect, json_as_text: bool):
        self.names = tuple(names)
        self.of = itemgetter(*self.names) if len(self.names) > 1 else lambda row: (row[self.names[0]],)
        processors = ((i, bind_processor(kind, dialect, json_as_text)) for i, kind in enumerate(types))
        self.processors: list[tuple[int, Callable[[Any], Any]]] = [(i, p) for i, p in processors if p]

    def __call__(self, row: dict[str, Any]) -> Sequence[Any]:
        values = self.of(row)
        if self.processors:
            values = list(values)
            for i, process in self.processors:
                values[i] = process(values[i])
        return values


def bind_processor(kind: TypeEngine, dialect: Dialect, json_as_text: bool) -> Callable[[Any], Any] | None:
    """SQLAlchemy's bind processor for `kind`, or a quicker one that gives the same values: for
    times one that remembers its answers, shared by every column whose type is declared alike;
    for JSON written as text with the standard serializer, `json.dumps` without its per-call set-up."""
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    if process and isinstance(kind, JSON) and json_as_text and dialect._json_serializer is None:
        return JsonText(process)
    if process is None or not isinstance(kind, DateTime):
        return process
    return _times.setdefault((dialect, repr(kind)), Remembered(process))


class JsonText:
    """Lists and dictionaries as `json.dumps` writes them, by the same encoder made once rather than
    for every value (that making was half the time of writing a timeline entry's details); other
    values (None, SQL NULL) as SQLAlchemy's processor has them."""

    _encode = c_make_encoder and c_make_encoder(None, json.JSONEncoder().default, encode_basestring_ascii, None,
                                                ": ", ", ", False, False, True)

    def __init__(self, process: Callable[[Any], Any]):
        self.process = process

    def __call__(self, value: Any) -> Any:
        if self._encode and type(value) in (list, dict):
            return "".join(self._encode(value, 0))
        return self.process(value)


class Remembered:
    """A bind processor's answer remembered for the very object: the views write each event's
    time into several tables (the timeline entry, the audit row, the issue's stage, the input),
    and on SQLite writing a time out as text costs more than finding it here. The tables of a
    batch are written one after another, so this holds more values than a batch has events."""

    HELD = 16_384

    def __init__(self, process: Callable[[Any], Any]):
        self.process = process
        self.known: dict[int, tuple[Any, Any]] = {}  # id(value) -> (value, answer): holding the value keeps its id

    def __call__(self, value: Any) -> Any:
        found = self.known.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        if len(self.known) >= self.HELD:
            self.known.clear()
        answer = self.process(value)
        self.known[id(value)] = (value, answer)
        return answer


_times: dict[tuple[Dialect, str], Remembered] = {}


class Bulk:
    """One compiled statement whose binds are named after the row fields they take, run with executemany."""

    def __init__(self, statement: ClauseElement, dialect: Dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        names = compiled.positiontup if compiled.positional else list(compiled.binds)
        self.values = Values(names, [compiled.binds[name].type for name in names], dialect,
                             json_as_text=dialect.name == "sqlite")
        self.positional = compiled.positional

    def run(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        values, names = self.values, self.values.names
        parameters = [values(row) for row in rows] if self.positional else [
            dict(zip(names, values(row))) for row in rows]
        with contextlib.closing(conn.connection.cursor()) as cursor:  # the driver's, in this transaction
            cursor.executemany(self.sql, parameters)


class Lookup:
    """The row of one key, as a dictionary with the values SQLAlchemy would give."""

    def __init__(self, table: Table, dialect: Dialect):
        self.key = Bulk(select(table).where(where_key(table)), dialect)
        self.names = [c.name for c in table.columns]
        processors = ((i, c.type.dialect_impl(dialect).result_processor(dialect, None)) for i, c in enumerate(table.columns))
        self.processors = [(i, process) for i, process in processors if process]

    def one(self, conn: Connection, key: dict[str, Any]) -> dict[str, Any] | None:
        values = self.key.values(key)
        with contextlib.closing(conn.connection.cursor()) as cursor:
            cursor.execute(self.key.sql, values if self.key.positional else dict(zip(self.key.values.names, values)))
            found = cursor.fetchone()
        if found is None:
            return None
        found = list(found)
        for i, process in self.processors:
            found[i] = process(found[i])
        return dict(zip(self.names, found))


class Copy:
    """New rows for PostgreSQL through COPY, which takes them several times faster than INSERTs."""

    def __init__(self, table: Table, dialect: Dialect):
        columns = [c for c in table.columns if not numbered(c)]
        quote = dialect.identifier_preparer
        self.sql = (f"COPY {quote.format_table(table)} ({', '.join(quote.quote(c.name) for c in columns)}) "
                    "FROM STDIN")
        self.values = Values([c.name for c in columns], [c.type for c in columns], dialect, json_as_text=True)

    def run(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        with contextlib.closing(conn.connection.cursor()) as cursor, cursor.copy(self.sql) as copy:
            for row in rows:
                copy.write_row(self.values(row))


def numbered(column: Column) -> bool:
    """A key the database numbers, declared `autoincrement=True`: rows do not carry it."""
    return column.autoincrement is True


def key_names(table: Table) -> tuple[str, ...]:
    """The primary key columns that rows carry."""
    return tuple(c.name for c in table.primary_key if not numbered(c))


def where_key(table: Table) -> Any:
    """The row whose key columns equal the binds of the same names."""
    return and_(true(), *(table.c[name] == bindparam(name) for name in key_names(table)))


@cache
def inserting(table: Table, dialect: Dialect) -> Bulk | Copy:
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        return Copy(table, dialect)
    columns = [c.name for c in table.columns if not numbered(c)]
    return Bulk(insert(table).inline().values({name: bindparam(name) for name in columns}), dialect)


@cache
def looking_up(table: Table, dialect: Dialect) -> Lookup:
    return Lookup(table, dialect)


@cache
def updating(table: Table, columns: frozenset[str], dialect: Dialect) -> Bulk:
    """Set `columns` of rows found by their key."""
    return Bulk(update(table).where(where_key(table)).values({name: bindparam(name) for name in sorted(columns)}),
                dialect)
